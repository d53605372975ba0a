import { useEffect, useId, useMemo, useState } from 'react';
import { ApiProblem, call } from '../api/client.ts';
import type { AudienceSize } from '../ui/audience-types.ts';
import { useI18n } from '../i18n/i18n.tsx';
import type { MessageKey } from '../i18n/en.ts';
import { ATTRIBUTE_OPS, CHANNELS, COUNT_OPS, TAG_OPS, newPart, partAt, toFilter, update, type Kind, type Part } from '../ui/filter-model.ts';

/** The filter of a root group and the pointer each part becomes, under `/filter` (the body's member). */
export function compile(root: Part): { filter: unknown; pointers: Map<number, string> } {
  const pointers = new Map<number, string>();
  const filter = toFilter(root, '/filter', pointers);
  return { filter, pointers };
}

/**
 * The live size of a filter's audience: asked of the API 300 ms after the last change,
 * the request still in flight aborted when a newer filter supersedes it, so the figure
 * shown is always the filter's on the page. A refusal (the filter is not valid yet) is
 * kept to be shown at its condition.
 */
export function useEstimate(appId: string, filter: unknown, enabled: boolean) {
  const json = JSON.stringify(filter);
  const [size, setSize] = useState<AudienceSize | undefined>();
  const [problem, setProblem] = useState<ApiProblem | undefined>();
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (!enabled) return;
    const controller = new AbortController();
    setBusy(true);
    const timer = setTimeout(() => {
      call('estimateAudience', { params: { appId }, body: { filter: JSON.parse(json) as unknown }, signal: controller.signal }).then(
        (answer) => {
          setSize(answer);
          setProblem(undefined);
          setBusy(false);
        },
        (err: unknown) => {
          if (controller.signal.aborted) return;
          setProblem(err instanceof ApiProblem ? err : new ApiProblem(0, { code: 'internal', detail: String(err) }));
          // No figure rather than the last filter's: the one on the page is not counted.
          setSize(undefined);
          setBusy(false);
        },
      );
    }, 300);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [appId, json, enabled]);
  return { size, problem, busy };
}

const KINDS: Kind[] = ['attribute', 'tag', 'event', 'channel', 'group'];

/** The builder: the root group's conditions, editable unless `readOnly`; `errors` by part id. */
export function FilterBuilder({ root, onChange, errors, readOnly }: { root: Part; onChange: (next: Part) => void; errors: Map<number, string>; readOnly: boolean }) {
  const change = (id: number, fn: (p: Part) => Part | undefined) => onChange(update(root, id, fn) ?? root);
  if (root.kind !== 'group') return null;
  return <GroupEditor group={root} depth={0} change={change} errors={errors} readOnly={readOnly} label="" />;
}

type Change = (id: number, fn: (p: Part) => Part | undefined) => void;

function GroupEditor({ group, depth, change, errors, readOnly, label }: { group: Extract<Part, { kind: 'group' }>; depth: number; change: Change; errors: Map<number, string>; readOnly: boolean; label: string }) {
  const { t } = useI18n();
  const id = useId();
  const [kind, setKind] = useState<Kind>('attribute');
  const error = errors.get(group.id);
  const name = label || t('segment.group.root');
  return (
    <fieldset className={`filter-group depth-${depth % 2}`} aria-describedby={error ? `${id}-error` : undefined}>
      <legend>{name}</legend>
      <div className="row filter-group-head">
        <div className="field">
          <label htmlFor={`${id}-join`}>{t('segment.join')}</label>
          <select id={`${id}-join`} value={group.join} disabled={readOnly} onChange={(e) => change(group.id, (p) => ({ ...p, join: e.target.value as 'and' | 'or' }) as Part)}>
            <option value="and">{t('segment.join.and')}</option>
            <option value="or">{t('segment.join.or')}</option>
          </select>
        </div>
        {depth > 0 && <NotBox part={group} change={change} readOnly={readOnly} />}
        {depth > 0 && !readOnly && (
          <button type="button" className="secondary" onClick={() => change(group.id, () => undefined)}>
            {t('segment.removeGroup')}
          </button>
        )}
      </div>
      {error && (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      )}
      {group.parts.length === 0 && <p className="hint">{t('segment.empty')}</p>}
      <ol className="filter-parts">
        {group.parts.map((p, i) => (
          <li key={p.id}>
            {p.kind === 'group' ? (
              <GroupEditor group={p} depth={depth + 1} change={change} errors={errors} readOnly={readOnly} label={t('segment.group.nested', { n: i + 1 })} />
            ) : (
              <ConditionEditor part={p} n={i + 1} change={change} error={errors.get(p.id)} readOnly={readOnly} />
            )}
          </li>
        ))}
      </ol>
      {!readOnly && (
        <div className="row">
          <div className="field">
            <label htmlFor={`${id}-kind`}>{t('segment.addKind')}</label>
            <select id={`${id}-kind`} value={kind} onChange={(e) => setKind(e.target.value as Kind)}>
              {KINDS.map((k) => (
                <option key={k} value={k}>
                  {t(`segment.kind.${k}` as MessageKey)}
                </option>
              ))}
            </select>
          </div>
          <button type="button" className="secondary" onClick={() => change(group.id, (p) => ({ ...p, parts: [...(p as typeof group).parts, newPart(kind)] }) as Part)}>
            {t('segment.add')}
            <span className="visually-hidden"> {name}</span>
          </button>
        </div>
      )}
    </fieldset>
  );
}

function NotBox({ part, change, readOnly }: { part: Part; change: Change; readOnly: boolean }) {
  const { t } = useI18n();
  const id = useId();
  return (
    <div className="field field-check">
      <label htmlFor={id}>{t('segment.not')}</label>
      <input id={id} type="checkbox" checked={part.not} disabled={readOnly} onChange={(e) => change(part.id, (p) => ({ ...p, not: e.target.checked }))} />
    </div>
  );
}

function Select({ label, value, options, onChange, disabled, optionLabel }: { label: string; value: string; options: string[]; onChange: (v: string) => void; disabled: boolean; optionLabel?: (v: string) => string }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} disabled={disabled} onChange={(e) => onChange(e.target.value)}>
        {options.map((o) => (
          <option key={o} value={o}>
            {optionLabel ? optionLabel(o) : o}
          </option>
        ))}
      </select>
    </div>
  );
}

function Text({ label, value, onChange, disabled, placeholder, errorId }: { label: string; value: string; onChange: (v: string) => void; disabled: boolean; placeholder?: string; errorId?: string | undefined }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} value={value} disabled={disabled} placeholder={placeholder} spellCheck={false} aria-invalid={errorId ? true : undefined} aria-describedby={errorId} onChange={(e) => onChange(e.target.value)} />
    </div>
  );
}

function ConditionEditor({ part, n, change, error, readOnly }: { part: Exclude<Part, { kind: 'group' }>; n: number; change: Change; error: string | undefined; readOnly: boolean }) {
  const { t } = useI18n();
  const errorId = `${useId()}-error`;
  const shownError = error ? errorId : undefined;
  const set = (fields: Record<string, string>) => change(part.id, (p) => ({ ...p, ...fields }) as Part);
  const legend = t('segment.condition', { n, kind: t(`segment.kind.${part.kind}` as MessageKey) });
  const opLabel = (o: string) => t(`segment.op.${o}` as MessageKey);
  return (
    <fieldset className="filter-condition">
      <legend>{legend}</legend>
      <div className="row">
        {part.kind === 'attribute' && (
          <>
            <Text label={t('segment.attribute')} value={part.name} onChange={(v) => set({ name: v })} disabled={readOnly} placeholder="plan" errorId={shownError} />
            <Select label={t('segment.op')} value={part.op} options={ATTRIBUTE_OPS} onChange={(v) => set({ op: v })} disabled={readOnly} optionLabel={opLabel} />
            {part.op !== 'exists' && part.op !== 'not_exists' && (
              <>
                <Select label={t('segment.type')} value={part.type} options={['string', 'number', 'boolean']} onChange={(v) => set({ type: v })} disabled={readOnly} optionLabel={(v) => t(`segment.type.${v}` as MessageKey)} />
                <Text label={t('segment.value')} value={part.value} onChange={(v) => set({ value: v })} disabled={readOnly} errorId={shownError} />
              </>
            )}
          </>
        )}
        {part.kind === 'tag' && (
          <>
            <Text label={t('segment.tag')} value={part.name} onChange={(v) => set({ name: v })} disabled={readOnly} placeholder="tier" errorId={shownError} />
            <Select label={t('segment.op')} value={part.op} options={TAG_OPS} onChange={(v) => set({ op: v })} disabled={readOnly} optionLabel={opLabel} />
            {part.op !== 'exists' && part.op !== 'not_exists' && <Text label={t('segment.value')} value={part.value} onChange={(v) => set({ value: v })} disabled={readOnly} errorId={shownError} />}
          </>
        )}
        {part.kind === 'event' && (
          <>
            <Text label={t('segment.event')} value={part.name} onChange={(v) => set({ name: v })} disabled={readOnly} placeholder="purchase" errorId={shownError} />
            <Select label={t('segment.count')} value={part.cmp} options={COUNT_OPS} onChange={(v) => set({ cmp: v })} disabled={readOnly} optionLabel={opLabel} />
            <Text label={t('segment.times')} value={part.count} onChange={(v) => set({ count: v })} disabled={readOnly} errorId={shownError} />
            <Text label={t('segment.within')} value={part.within} onChange={(v) => set({ within: v })} disabled={readOnly} placeholder="7d" errorId={shownError} />
          </>
        )}
        {part.kind === 'channel' && <Select label={t('segment.channel')} value={part.channel} options={CHANNELS} onChange={(v) => set({ channel: v })} disabled={readOnly} />}
        <NotBox part={part} change={change} readOnly={readOnly} />
        {!readOnly && (
          <button type="button" className="secondary" onClick={() => change(part.id, () => undefined)}>
            {t('common.remove')}
            <span className="visually-hidden"> {legend}</span>
          </button>
        )}
      </div>
      {error && (
        <p className="field-error" id={errorId}>
          {error}
        </p>
      )}
    </fieldset>
  );
}

/** The errors a problem names, by the part its pointer reaches; what reaches none is returned apart. */
export function errorsOf(problem: ApiProblem | undefined, pointers: Map<number, string>): { errors: Map<number, string>; rest: ApiProblem | undefined } {
  const errors = new Map<number, string>();
  let placed = false;
  for (const [pointer, detail] of problem?.fields ?? []) {
    const id = partAt(pointers, pointer);
    if (id !== undefined) {
      errors.set(id, errors.has(id) ? `${errors.get(id)} ${detail}` : detail);
      placed = true;
    }
  }
  return { errors, rest: placed ? undefined : problem };
}

export function useCompiled(root: Part) {
  return useMemo(() => compile(root), [root]);
}
