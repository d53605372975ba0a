import { useId } from 'react';
import { ApiProblem, call } from '../api/client.ts';
import type { AudienceSize, Segment } from '../ui/audience-types.ts';
import { useI18n } from '../i18n/i18n.tsx';
import type { Part } from '../ui/filter-model.ts';
import { useLoad } from '../ui/use-load.ts';
import type { AudienceDraft } from './compose-model.ts';
import { FilterBuilder, errorsOf, useCompiled, useEstimate } from './segment-builder.tsx';

/** The filter a draft's audience stands for (the segment's, or the builder's), before and after the exclusion. */
export function audienceFilters(a: AudienceDraft, builderFilter: unknown): { base: unknown; final: unknown } {
  const base = a.kind === 'segment' ? { segment: a.segment } : builderFilter;
  return { base, final: a.exclude ? { and: [base, { not: { segment: a.exclude } }] } : base };
}

/**
 * The problem with its pointers moved from under `from` to under `to` (a campaign's
 * `/audience/filter/...` to the builder's `/filter/...`), so the builder shows it at its part.
 */
export function movedProblem(problem: ApiProblem | undefined, from: string, to: string): ApiProblem | undefined {
  if (!problem) return undefined;
  const moved = new ApiProblem(problem.status, { ...problem.body, errors: [], pointer: undefined });
  for (const [p, d] of problem.fields) if (p.startsWith(from)) moved.fields.set(to + p.slice(from.length), d);
  return moved.fields.size > 0 ? moved : undefined;
}

/**
 * The live sizes of a draft's audience: the whole (segment or filter) and, with a segment
 * excluded, what is left; each asked 300 ms after the last change and aborted when a newer
 * change supersedes it (useEstimate, the segment builder's).
 */
export function useAudienceSizes(appId: string, a: AudienceDraft, root: Part, kept?: unknown) {
  const compiled = useCompiled(root);
  // A reopened draft's filter the builder cannot draw stands as saved until the builder is used.
  const { filter, pointers } = kept !== undefined ? { filter: kept, pointers: compiled.pointers } : compiled;
  const { base, final } = audienceFilters(a, filter);
  const ready = a.kind === 'filter' || a.segment !== '';
  const whole = useEstimate(appId, base, ready);
  const left = useEstimate(appId, final, ready && a.exclude !== '');
  return { filter, pointers, whole, final: a.exclude ? left : whole, ready };
}

export type AudienceSizes = ReturnType<typeof useAudienceSizes>;

/** Segment or filter, a segment to leave out, and the live size. */
export function AudiencePicker({ appId, audience, setAudience, root, setRoot, sizes, problem, kept }: { appId: string; audience: AudienceDraft; setAudience: (a: AudienceDraft) => void; root: Part; setRoot: (p: Part) => void; sizes: AudienceSizes; problem: ApiProblem | undefined; kept?: unknown }) {
  const { t } = useI18n();
  const id = useId();
  const segments = useLoad((signal) => call('listSegments', { params: { appId }, query: { limit: '100' }, signal }), [appId]);
  const list: Segment[] = segments.data?.data ?? [];
  const saveError = (p: string) => problem?.fields.get(p);
  const { errors } = errorsOf(movedProblem(problem, '/audience/filter', '/filter') ?? sizes.whole.problem, sizes.pointers);
  return (
    <div className="compose-audience">
      <fieldset>
        <legend>{t('compose.audience.kind')}</legend>
        {(['segment', 'filter'] as const).map((k) => (
          <div className="field field-check" key={k}>
            <label htmlFor={`${id}-${k}`}>{t(k === 'segment' ? 'compose.audience.segment' : 'compose.audience.filter')}</label>
            <input id={`${id}-${k}`} type="radio" name={`${id}-kind`} checked={audience.kind === k} onChange={() => setAudience({ ...audience, kind: k })} />
          </div>
        ))}
      </fieldset>
      {audience.kind === 'segment' ? (
        <SegmentSelect label={t('compose.audience.segment')} value={audience.segment} segments={list} onChange={(v) => setAudience({ ...audience, segment: v })} error={saveError('/audience/segment')} none={t('compose.audience.choose')} />
      ) : (
        <>
          {kept !== undefined && (
            <div className="notice" role="note" data-testid="compose-kept-filter">
              <p>{t('compose.audience.kept')}</p>
              <pre>{JSON.stringify(kept, null, 2)}</pre>
            </div>
          )}
          <FilterBuilder root={root} onChange={setRoot} errors={errors} readOnly={false} />
        </>
      )}
      <SegmentSelect label={t('compose.audience.exclude')} value={audience.exclude} segments={list} onChange={(v) => setAudience({ ...audience, exclude: v })} error={saveError('/audience/exclude/segment')} none={t('compose.audience.noExclude')} />
      <AudienceSizeView sizes={sizes} />
    </div>
  );
}

function SegmentSelect({ label, value, segments, onChange, error, none }: { label: string; value: string; segments: Segment[]; onChange: (v: string) => void; error: string | undefined; none: string }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} aria-invalid={error ? true : undefined} aria-describedby={error ? `${id}-error` : undefined} onChange={(e) => onChange(e.target.value)}>
        <option value="">{none}</option>
        {segments.map((s) => (
          <option key={s.id} value={s.id}>
            {s.name}
          </option>
        ))}
      </select>
      {error && (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}

export function AudienceSizeView({ sizes }: { sizes: AudienceSizes }) {
  const { t, number } = useI18n();
  const size: AudienceSize | undefined = sizes.final.size;
  const busy = sizes.whole.busy || sizes.final.busy;
  return (
    <div role="status" aria-live="polite" className="compose-size">
      {!sizes.ready ? (
        <p className="muted">{t('compose.audience.none')}</p>
      ) : size ? (
        <p>
          <span className="figure" data-testid="compose-size">
            {number(size.users)}
          </span>{' '}
          {t('compose.audience.users', { subscriptions: number(size.subscriptions) })}
        </p>
      ) : (
        <p className="muted">{sizes.final.problem ? t('segment.sizeInvalid') : t('common.loading')}</p>
      )}
      {busy && <p className="hint">{t('segment.counting')}</p>}
    </div>
  );
}
