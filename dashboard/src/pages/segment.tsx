import { useEffect, useState } from 'react';
import { call } from '../api/client.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { useRouter } from '../router.tsx';
import { can, useSession } from '../session.tsx';
import type { AudienceSize } from '../ui/audience-types.ts';
import { AppNav } from '../ui/app-nav.tsx';
import { ConfirmButton } from '../ui/confirm.tsx';
import { newPart, rootOf, type Part } from '../ui/filter-model.ts';
import { CopyValue, Field, Loading, ProblemMessage, Section, useSubmit } from '../ui/form.tsx';
import { useLoad } from '../ui/use-load.ts';
import { FilterBuilder, errorsOf, useCompiled, useEstimate } from './segment-builder.tsx';

function emptyRoot(): Part {
  return newPart('group');
}

/** A new segment: the builder, empty. */
export function NewSegmentPage({ appId }: { appId: string }) {
  return <SegmentEditor appId={appId} />;
}

/** A saved segment: its builder (read-only to a viewer), its size, its JSON. */
export function SegmentPage({ appId, segmentId }: { appId: string; segmentId: string }) {
  const segment = useLoad((signal) => call('getSegment', { params: { appId, id: segmentId }, signal }), [appId, segmentId]);
  if (segment.problem) return <div className="page"><AppNav appId={appId} /><ProblemMessage problem={segment.problem} /></div>;
  if (!segment.data) return <div className="page"><Loading /></div>;
  return <SegmentEditor key={segment.data.id} appId={appId} saved={segment.data} />;
}

function SegmentEditor({ appId, saved }: { appId: string; saved?: { id: string; name: string; filter: unknown; size: AudienceSize } }) {
  const { t, number, locale } = useI18n();
  const { navigate } = useRouter();
  const { session } = useSession();
  const editor = can(session, appId, 'editor');
  const [name, setName] = useState(saved?.name ?? '');
  // A saved filter the builder cannot draw (near, a segment, an event's where) is shown as JSON only.
  const [root, setRoot] = useState<Part | undefined>(() => (saved ? rootOf(saved.filter) : emptyRoot()));
  const { filter, pointers } = useCompiled(root ?? emptyRoot());
  const shownFilter = root ? filter : saved?.filter;
  // The estimate is a POST, which only an editor may make (src/http/route-roles.ts): a
  // viewer sees the size the segment had when the page loaded.
  const estimate = useEstimate(appId, shownFilter, editor);
  const size = editor ? estimate.size : saved?.size;
  const save = useSubmit(
    () => (saved ? call('updateSegment', { params: { appId, id: saved.id }, body: { name, filter: shownFilter } }) : call('createSegment', { params: { appId }, body: { name, filter: shownFilter } })),
    (segment) => {
      if (!saved) navigate(`/apps/${encodeURIComponent(appId)}/segments/${encodeURIComponent(segment.id)}`);
    },
  );
  const [savedAt, setSavedAt] = useState(0);
  useEffect(() => setSavedAt(0), [name, root]);
  // The save's refusal wins over the estimate's: it is the last thing the operator asked.
  const problem = save.problem ?? estimate.problem;
  const { errors, rest } = errorsOf(problem, pointers);
  const json = JSON.stringify(shownFilter, null, 2);
  return (
    <div className="page">
      <AppNav appId={appId} />
      <h1>{saved ? saved.name : t('segment.new')}</h1>
      {!editor && <p className="notice">{t('audience.readOnly')}</p>}
      <form
        onSubmit={(e) => {
          void save.onSubmit(e).then(() => setSavedAt(Date.now()));
        }}
        noValidate
      >
        <Field label={t('segments.name')} value={name} onChange={(e) => setName(e.target.value)} disabled={!editor} error={save.fieldError('/name')} />
        <div className="segment-layout">
          <div className="segment-main">
            {root ? <FilterBuilder root={root} onChange={setRoot} errors={errors} readOnly={!editor} /> : <p className="notice">{t('segment.jsonOnly')}</p>}
          </div>
          <aside className="segment-side card" aria-labelledby="segment-size">
            <h2 id="segment-size">{t('segment.size')}</h2>
            <div role="status" aria-live="polite" className="segment-size">
              {size ? (
                <>
                  <p className="figure">
                    <span data-testid="audience-users">{number(size.users)}</span> {new Intl.PluralRules(locale).select(size.users) === 'one' ? t('segment.user') : t('segment.users')}
                  </p>
                  <p className="muted">
                    {t('segment.subscriptions', { n: number(size.subscriptions) })} ·{' '}
                    {Object.entries(size.byChannel)
                      .map(([c, n]) => `${c} ${number(n)}`)
                      .join(' · ')}
                  </p>
                </>
              ) : (
                <p className="muted">{estimate.problem ? t('segment.sizeInvalid') : t('common.loading')}</p>
              )}
              {editor && estimate.busy && <p className="hint">{t('segment.counting')}</p>}
            </div>
          </aside>
        </div>
        <ProblemMessage problem={rest && !rest.fields.has('/name') ? rest : undefined} />
        {editor && (
          <div className="buttons">
            <button type="submit" disabled={save.busy}>
              {saved ? t('common.save') : t('segments.create')}
            </button>
            {savedAt > 0 && !save.problem && <span role="status">{t('common.saved')}</span>}
          </div>
        )}
      </form>
      <Section title={t('segment.json')}>
        <p className="hint">{t('segment.jsonHint')}</p>
        <pre className="json" tabIndex={0} aria-label={t('segment.json')}>
          <code>{json}</code>
        </pre>
        <CopyValue label={t('segment.jsonCopy')} value={JSON.stringify(shownFilter)} />
      </Section>
      {saved && editor && (
        <Section title={t('segment.delete')}>
          <ConfirmButton
            label={t('segment.delete')}
            message={t('segment.deleteConfirm', { name: saved.name })}
            action={async () => {
              await call('deleteSegment', { params: { appId, id: saved.id } });
              navigate(`/apps/${encodeURIComponent(appId)}/segments`);
            }}
          />
        </Section>
      )}
    </div>
  );
}
