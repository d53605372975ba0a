import { useState } from 'react';
import { ApiProblem, call } from '../api/client.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { Link, useRouter } from '../router.tsx';
import { can, useSession } from '../session.tsx';
import { AppNav } from '../ui/app-nav.tsx';
import { newPart, rootOf, type Part } from '../ui/filter-model.ts';
import { Field, Loading, ProblemMessage, Section, useSubmit } from '../ui/form.tsx';
import { useLoad } from '../ui/use-load.ts';
import { AudiencePicker, useAudienceSizes } from './compose-audience.tsx';
import { ConfirmLaunch } from './compose-confirm.tsx';
import { ContentEditor } from './compose-content.tsx';
import { ScheduleEditor, SendingEditor } from './compose-delivery.tsx';
import { PreviewAs, useRenderedPreview } from './compose-live.tsx';
import type { Campaign } from './campaign-types.ts';
import { audienceBody, campaignBody, draftFromCampaign, newDraft, versionBody, type Draft, type RenderedContent } from './compose-model.ts';
import { PlatformPreviews } from './compose-platforms-view.tsx';

// Every app's built-in categories (src/apps/categories.ts), before its own (getApp's `categories`).
const BUILT_IN_CATEGORIES = ['orders', 'promotions', 'security', 'civic'];
// The optional members a PATCH clears when the draft no longer has them (absent would keep the saved ones).
const OPTIONAL = ['category', 'defaultLanguage', 'strict', 'schedule', 'throttle', 'variants', 'capping'];

/**
 * Compose a campaign: its audience with the live size, its message per language with
 * Liquid, previews per platform rendered as a real user, its timing, throttle, caps and
 * variants; a test to one user; a confirmation of who gets it and who is left out; then
 * create and launch. Saved as a draft on the first test or launch (and changed by PATCH
 * after), so what is tested is what is launched. Editors only: a viewer is told so.
 */
export function ComposePage({ appId, campaignId }: { appId: string; campaignId?: string }) {
  const { t } = useI18n();
  const { session } = useSession();
  if (!can(session, appId, 'editor')) {
    return (
      <div className="page">
        <AppNav appId={appId} />
        <h1>{t('compose.title.page')}</h1>
        <p className="notice">{t('compose.viewer')}</p>
      </div>
    );
  }
  return campaignId === undefined ? <Composer appId={appId} /> : <DraftComposer appId={appId} campaignId={campaignId} />;
}

/** A draft campaign reopened (its page's "Edit draft"): Compose filled with it, saving changes it. */
function DraftComposer({ appId, campaignId }: { appId: string; campaignId: string }) {
  const { t } = useI18n();
  const campaign = useLoad((signal) => call('getCampaign', { params: { appId, id: campaignId }, signal }), [appId, campaignId]);
  if (campaign.problem) return <div className="page"><AppNav appId={appId} /><ProblemMessage problem={campaign.problem} /></div>;
  if (!campaign.data) return <div className="page"><AppNav appId={appId} /><Loading /></div>;
  if (campaign.data.status !== 'draft') {
    return (
      <div className="page">
        <AppNav appId={appId} />
        <h1>{campaign.data.name}</h1>
        <p className="notice">{t('compose.notDraft')}</p>
        <p>
          <Link to={`/apps/${encodeURIComponent(appId)}/campaigns/${encodeURIComponent(campaignId)}`}>{campaign.data.name}</Link>
        </p>
      </div>
    );
  }
  return <Composer appId={appId} saved={campaign.data} />;
}

function Composer({ appId, saved }: { appId: string; saved?: Campaign }) {
  const { t } = useI18n();
  const { navigate } = useRouter();
  const app = useLoad((signal) => call('getApp', { params: { appId }, signal }), [appId]);
  const [draft, setDraft] = useState<Draft>(() => (saved ? draftFromCampaign(saved) : newDraft()));
  // A saved filter the builder cannot draw (a near, an event's where) is kept as saved, not replaced by an empty builder, until the builder is used.
  const [initial] = useState(() => {
    const f = saved?.audience?.filter;
    const drawn = f !== undefined ? rootOf(f) : undefined;
    return { root: drawn ?? newPart('group'), kept: f !== undefined && drawn === undefined ? f : undefined };
  });
  const [root, setRootPart] = useState<Part>(initial.root);
  const [kept, setKept] = useState<unknown>(initial.kept);
  const setRoot = (p: Part) => {
    setKept(undefined);
    setRootPart(p);
  };
  const [active, setActive] = useState(() => draft.defaultLanguage);
  const [previewUser, setPreviewUser] = useState('');
  const [savedId, setSavedId] = useState<string | undefined>(saved?.id);
  const [testUser, setTestUser] = useState('');
  const [tested, setTested] = useState<{ subscriptions: number } | undefined>();
  const sizes = useAudienceSizes(appId, draft.audience, root, kept);
  const preview = useRenderedPreview(appId, draft, previewUser);
  const audience = sizes.ready ? audienceBody(draft.audience, sizes.filter) : undefined;

  /** Creates the draft campaign, or changes the one saved: the API checks it whole either way. */
  const save = async (): Promise<string> => {
    const body = campaignBody(draft, sizes.filter);
    if (savedId === undefined) {
      const made = await call('createCampaign', { params: { appId }, body });
      setSavedId(made.id);
      return made.id;
    }
    const patch: Record<string, unknown> = { ...body };
    for (const k of OPTIONAL) if (!(k in patch)) patch[k] = null;
    await call('updateCampaign', { params: { appId, id: savedId }, body: patch });
    return savedId;
  };
  const test = useSubmit(
    async () => {
      const id = await save();
      return call('testCampaign', { params: { appId, id }, body: { userId: testUser } });
    },
    (sent) => setTested(sent),
  );
  const saveDraft = useSubmit(save);
  const [launchProblem, setLaunchProblem] = useState<ApiProblem | undefined>();
  const launch = async () => {
    setLaunchProblem(undefined);
    try {
      const id = await save();
      await call('launchCampaign', { params: { appId, id } });
      navigate(`/apps/${encodeURIComponent(appId)}/campaigns/${encodeURIComponent(id)}`);
    } catch (err) {
      // Shown at its field on the page, behind the dialog, as well as in it.
      if (err instanceof ApiProblem) setLaunchProblem(err);
      throw err;
    }
  };
  /** The draft saved as it stands, then its estimate: a refusal of the save is shown at its field, as a launch's. */
  const estimate = async () => {
    setLaunchProblem(undefined);
    try {
      const id = await save();
      return await call('estimateCampaign', { params: { appId, id } });
    } catch (err) {
      if (err instanceof ApiProblem) setLaunchProblem(err);
      throw err;
    }
  };
  const problem = launchProblem ?? test.problem ?? saveDraft.problem;
  const previewProblems = new Map<string, string>();
  for (const v of Object.values(preview.preview?.versions ?? {})) if (!v.ok) previewProblems.set(v.pointer.replace(/^#/, ''), v.detail);
  const fieldError = (p: string) => problem?.fields.get(p) ?? preview.problem?.fields.get(p) ?? previewProblems.get(p);
  const shownFields = ['/name', '/category', '/defaultLanguage', '/userId', '/throttle/perMinute', '/variants', '/schedule'];
  const unplaced = problem && ![...problem.fields.keys()].some((p) => shownFields.includes(p) || p.startsWith('/content/') || p.startsWith('/audience') || p.startsWith('/schedule') || p.startsWith('/variants')) ? problem : undefined;

  const rendered = preview.preview?.versions[active];
  const content: RenderedContent = rendered?.ok ? rendered.content : (versionBody(draft.versions[active]!) as unknown as RenderedContent);
  const audienceName = draft.audience.kind === 'segment' ? (draft.audience.segment ? t('compose.confirm.segment', { id: draft.audience.segment }) : '–') : JSON.stringify(sizes.filter);
  const categories = [...BUILT_IN_CATEGORIES, ...(app.data?.categories ?? [])];
  return (
    <div className="page compose">
      <AppNav appId={appId} />
      <h1>{saved ? t('compose.title.edit', { name: saved.name }) : t('compose.title.page')}</h1>
      <p className="hint">
        <Link to={`/apps/${encodeURIComponent(appId)}/campaigns`}>{t('compose.toCampaigns')}</Link>
      </p>
      {/* No form around it all: the preview chooser and the confirmation's dialog are forms of their own. */}
      <div className="compose-form">
        <Section title={t('compose.section.campaign')}>
          <div className="row">
            <Field label={t('compose.name')} value={draft.name} error={fieldError('/name')} onChange={(e) => setDraft({ ...draft, name: e.target.value })} />
            <div className="field">
              <label htmlFor="compose-category">{t('compose.category')}</label>
              <select id="compose-category" value={draft.category} aria-invalid={fieldError('/category') ? true : undefined} onChange={(e) => setDraft({ ...draft, category: e.target.value })}>
                <option value="">{t('compose.category.none')}</option>
                {categories.map((c) => (
                  <option key={c} value={c}>
                    {c}
                  </option>
                ))}
              </select>
              {fieldError('/category') && <p className="field-error">{fieldError('/category')}</p>}
            </div>
          </div>
        </Section>
        <Section title={t('compose.section.audience')}>
          <AudiencePicker appId={appId} audience={draft.audience} setAudience={(a) => setDraft({ ...draft, audience: a })} root={root} setRoot={setRoot} sizes={sizes} problem={problem} kept={kept} />
        </Section>
        <Section title={t('compose.section.message')}>
          <div className="compose-message">
            <div className="compose-editor">
              <ContentEditor draft={draft} set={setDraft} fieldError={fieldError} active={active} setActive={setActive} />
              <Field label={t('compose.strict')} type="checkbox" checked={draft.strict} hint={t('compose.strictHint')} onChange={(e) => setDraft({ ...draft, strict: e.target.checked })} />
            </div>
          </div>
        </Section>
        <Section title={t('compose.section.previews', { language: active })}>
          <PreviewAs appId={appId} draft={draft} audience={audience} userId={previewUser} setUserId={setPreviewUser} preview={preview} />
          {rendered && !rendered.ok && (
            <p className="problem" role="alert">
              {rendered.detail}
            </p>
          )}
          {preview.problem && !preview.problem.fields.has('/userId') && preview.problem.code !== 'user_not_found' && <ProblemMessage problem={preview.problem} />}
          <PlatformPreviews content={content} site={app.data?.name ?? ''} />
        </Section>
        <Section title={t('compose.section.schedule')}>
          <ScheduleEditor schedule={draft.schedule} set={(s) => setDraft({ ...draft, schedule: s })} fieldError={fieldError} />
        </Section>
        <Section title={t('compose.section.sending')}>
          <SendingEditor draft={draft} set={setDraft} fieldError={fieldError} />
        </Section>
        <Section title={t('compose.section.test')}>
          <div className="row">
            <Field label={t('compose.testUser')} value={testUser} error={test.fieldError('/userId')} spellCheck={false} onChange={(e) => setTestUser(e.target.value)} />
            <button type="button" className="secondary" disabled={test.busy || testUser === ''} onClick={() => void test.onSubmit()}>
              {t('compose.testSend')}
            </button>
          </div>
          {tested && !test.problem && (
            <p role="status" data-testid="test-sent">
              {t('compose.testSent', { n: tested.subscriptions, user: testUser })}
            </p>
          )}
        </Section>
        <ProblemMessage problem={unplaced} />
        <div className="buttons">
          <button type="button" className="secondary" disabled={saveDraft.busy} onClick={() => void saveDraft.onSubmit()}>
            {t('compose.saveDraft')}
          </button>
          <ConfirmLaunch draft={draft} sizes={sizes} audienceName={audienceName} launch={launch} estimate={estimate} disabled={!sizes.ready} />
          {savedId && (
            <span role="status">
              {t('compose.saved')} <Link to={`/apps/${encodeURIComponent(appId)}/campaigns/${encodeURIComponent(savedId)}`}>{savedId}</Link>
            </span>
          )}
        </div>
      </div>
    </div>
  );
}
