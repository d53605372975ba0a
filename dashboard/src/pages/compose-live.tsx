import { useEffect, useId, useState } from 'react';
import { ApiProblem, call } from '../api/client.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { contentBody, type Draft, type Preview } from './compose-model.ts';

/**
 * The draft's content rendered by the server as one real user (previewCampaign): asked
 * 400 ms after the last change, the request a newer change supersedes aborted, as the
 * audience size is. Nothing is asked while a version has no title (the API would refuse
 * it) or no user is chosen. A refusal (a template that does not compile) is kept to be
 * shown at its field.
 */
export function useRenderedPreview(appId: string, draft: Draft, userId: string) {
  const ready = userId !== '' && draft.languages.every((l) => (draft.versions[l]?.title ?? '') !== '');
  const body = JSON.stringify({
    content: contentBody(draft),
    ...(draft.languages.length > 1 ? { defaultLanguage: draft.defaultLanguage } : {}),
    ...(draft.strict ? { strict: true } : {}),
    userId,
  });
  const [preview, setPreview] = useState<Preview | undefined>();
  const [problem, setProblem] = useState<ApiProblem | undefined>();
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (!ready) {
      setPreview(undefined);
      setProblem(undefined);
      return;
    }
    const controller = new AbortController();
    setBusy(true);
    const timer = setTimeout(() => {
      call('previewCampaign', { params: { appId }, body: JSON.parse(body) as unknown, signal: controller.signal }).then(
        (answer) => {
          setPreview(answer);
          setProblem(undefined);
          setBusy(false);
        },
        (err: unknown) => {
          if (controller.signal.aborted) return;
          setProblem(err instanceof ApiProblem ? err : new ApiProblem(0, { code: 'internal', detail: String(err) }));
          setPreview(undefined);
          setBusy(false);
        },
      );
    }, 400);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [appId, body, ready]);
  return { preview, problem, busy };
}

/** Whose eyes the previews use: the template as written, a user by id, or a random user of the audience (drawn by the server). */
export function PreviewAs({ appId, draft, audience, userId, setUserId, preview }: { appId: string; draft: Draft; audience: Record<string, unknown> | undefined; userId: string; setUserId: (id: string) => void; preview: ReturnType<typeof useRenderedPreview> }) {
  const { t } = useI18n();
  const id = useId();
  const [typed, setTyped] = useState(userId);
  const [drawProblem, setDrawProblem] = useState<ApiProblem | undefined>();
  const draw = async () => {
    setDrawProblem(undefined);
    try {
      const answer = await call('previewCampaign', {
        params: { appId },
        body: { content: contentBody(draft), ...(draft.languages.length > 1 ? { defaultLanguage: draft.defaultLanguage } : {}), random: true, ...(audience ? { audience } : {}) },
      });
      setTyped(answer.user.id);
      setUserId(answer.user.id);
    } catch (err) {
      setDrawProblem(err instanceof ApiProblem ? err : new ApiProblem(0, { code: 'internal', detail: String(err) }));
    }
  };
  const p = preview.preview;
  const userError = preview.problem?.fields.get('/userId') ?? (preview.problem?.code === 'user_not_found' ? preview.problem.message : undefined);
  return (
    <div className="preview-as">
      {/* Not a form of its own: it sits in the page's form (forms do not nest). */}
      <div className="row">
        <div className="field">
          <label htmlFor={`${id}-user`}>{t('compose.previewAs')}</label>
          <input
            id={`${id}-user`}
            value={typed}
            spellCheck={false}
            onKeyDown={(e) => {
              if (e.key === 'Enter') {
                e.preventDefault();
                setUserId(typed.trim());
              }
            }} placeholder={t('compose.previewAsPlaceholder')} aria-invalid={userError ? true : undefined} aria-describedby={userError ? `${id}-user-error` : undefined} onChange={(e) => setTyped(e.target.value)} />
          {userError && (
            <p className="field-error" id={`${id}-user-error`}>
              {userError}
            </p>
          )}
        </div>
        <button type="button" className="secondary" onClick={() => setUserId(typed.trim())}>
          {t('compose.previewAsButton')}
        </button>
        <button type="button" className="secondary" onClick={() => void draw()}>
          {t('compose.previewRandom')}
        </button>
        {userId !== '' && (
          <button
            type="button"
            className="secondary"
            onClick={() => {
              setTyped('');
              setUserId('');
            }}
          >
            {t('compose.previewSource')}
          </button>
        )}
      </div>
      {drawProblem && (
        <p className="problem" role="alert">
          {drawProblem.message} <code>{drawProblem.code}</code>
        </p>
      )}
      <p role="status" className="hint" data-testid="preview-as">
        {userId === '' ? t('compose.previewShowsSource') : p ? t('compose.previewShowsUser', { user: p.user.id, language: p.user.language ?? '–', version: p.language }) : preview.busy ? t('compose.previewRendering') : ''}
      </p>
    </div>
  );
}
