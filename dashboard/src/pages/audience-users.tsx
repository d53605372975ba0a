import { useEffect, useId, useState, type FormEvent } from 'react';
import { ApiProblem, call } from '../api/client.ts';
import type { MessageKey } from '../i18n/en.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { Link, useRouter } from '../router.tsx';
import type { User } from '../ui/audience-types.ts';
import { AppNav } from '../ui/app-nav.tsx';
import { typedValue } from '../ui/filter-model.ts';
import { Field, Loading, ProblemMessage } from '../ui/form.tsx';

type Mode = 'externalId' | 'attribute' | 'filter';
const MODES: Mode[] = ['externalId', 'attribute', 'filter'];
const PAGE = '50';
const FILTER_CODES = new Set(['invalid_filter', 'filter_too_complex', 'unknown_segment', 'segment_cycle']);

/**
 * An app's users, oldest first, a page at a time by the API's cursor. Searched by external
 * id (the user's own page), by one attribute's value, or by any filter of the segment
 * language (docs/audience.md), which the API checks: its refusal is shown at the field.
 */
export function AudienceUsersPage({ appId }: { appId: string }) {
  const { t, number, date } = useI18n();
  const { navigate } = useRouter();
  const id = useId();
  const [mode, setMode] = useState<Mode>('externalId');
  const [externalId, setExternalId] = useState('');
  const [attribute, setAttribute] = useState('');
  const [value, setValue] = useState('');
  const [type, setType] = useState<'string' | 'number' | 'boolean'>('string');
  const [filterText, setFilterText] = useState('');
  const [textError, setTextError] = useState<string | undefined>();
  // The filter of the list shown: none lists everyone.
  const [filter, setFilter] = useState<string | undefined>();
  const [rows, setRows] = useState<User[] | undefined>();
  const [next, setNext] = useState<string | null>(null);
  const [problem, setProblem] = useState<ApiProblem | undefined>();

  const load = async (cursor: string | undefined, signal?: AbortSignal) => {
    setProblem(undefined);
    try {
      const query: Record<string, string> = { limit: PAGE };
      if (filter) query.filter = filter;
      if (cursor) query.cursor = cursor;
      const page = await call('listUsers', { params: { appId }, query, ...(signal ? { signal } : {}) });
      setRows((prev) => (cursor ? [...(prev ?? []), ...page.data] : page.data));
      setNext(page.next);
    } catch (err) {
      if (signal?.aborted) return;
      setProblem(err instanceof ApiProblem ? err : new ApiProblem(0, { detail: String(err) }));
      setRows([]);
      setNext(null);
    }
  };
  useEffect(() => {
    const controller = new AbortController();
    setRows(undefined);
    void load(undefined, controller.signal);
    return () => controller.abort();
  }, [appId, filter]);

  const search = (e: FormEvent) => {
    e.preventDefault();
    setTextError(undefined);
    if (mode === 'externalId') {
      if (externalId.trim() === '') return setFilter(undefined);
      return navigate(`/apps/${encodeURIComponent(appId)}/users/${encodeURIComponent(externalId.trim())}`);
    }
    if (mode === 'attribute') {
      if (attribute.trim() === '') return setFilter(undefined);
      return setFilter(JSON.stringify({ attribute: attribute.trim(), op: 'eq', value: typedValue(value, type) }));
    }
    if (filterText.trim() === '') return setFilter(undefined);
    try {
      setFilter(JSON.stringify(JSON.parse(filterText)));
    } catch (err) {
      setTextError(t('users.filterNotJson', { detail: (err as Error).message }));
    }
  };
  // A refused filter is shown at the field it came from, with the pointer to its fault
  // inside the filter (relative to the filter itself: the query parameter has no body).
  const filterProblem = problem && FILTER_CODES.has(problem.code) ? problem : undefined;
  const at = filterProblem ? [...filterProblem.fields.keys()].find((p) => p !== '') : undefined;
  const filterError = filterProblem ? `${filterProblem.message}${at ? ` (${at})` : ''} ${filterProblem.code}` : undefined;

  return (
    <div className="page">
      <AppNav appId={appId} />
      <h1>{t('users.title')}</h1>
      <form className="card search" onSubmit={search} noValidate role="search" aria-label={t('users.search')}>
        <div className="row">
          <div className="field">
            <label htmlFor={`${id}-mode`}>{t('users.searchBy')}</label>
            <select id={`${id}-mode`} value={mode} onChange={(e) => setMode(e.target.value as Mode)}>
              {MODES.map((m) => (
                <option key={m} value={m}>
                  {t(`users.mode.${m}` as MessageKey)}
                </option>
              ))}
            </select>
          </div>
          {mode === 'externalId' && <Field label={t('users.externalId')} value={externalId} onChange={(e) => setExternalId(e.target.value)} spellCheck={false} />}
          {mode === 'attribute' && (
            <>
              <Field label={t('segment.attribute')} value={attribute} onChange={(e) => setAttribute(e.target.value)} spellCheck={false} error={filterError} />
              <div className="field">
                <label htmlFor={`${id}-type`}>{t('segment.type')}</label>
                <select id={`${id}-type`} value={type} onChange={(e) => setType(e.target.value as typeof type)}>
                  {(['string', 'number', 'boolean'] as const).map((v) => (
                    <option key={v} value={v}>
                      {t(`segment.type.${v}`)}
                    </option>
                  ))}
                </select>
              </div>
              <Field label={t('users.equals')} value={value} onChange={(e) => setValue(e.target.value)} spellCheck={false} />
            </>
          )}
        </div>
        {mode === 'filter' && (
          <div className="field">
            <label htmlFor={`${id}-filter`}>{t('users.filter')}</label>
            <textarea
              id={`${id}-filter`}
              rows={4}
              value={filterText}
              spellCheck={false}
              placeholder='{"attribute": "plan", "op": "eq", "value": "pro"}'
              aria-invalid={textError || filterError ? true : undefined}
              aria-describedby={`${id}-filter-hint${textError || filterError ? ` ${id}-filter-error` : ''}`}
              onChange={(e) => setFilterText(e.target.value)}
            />
            <p className="hint" id={`${id}-filter-hint`}>
              {t('users.filterHint')}
            </p>
            {(textError ?? filterError) && (
              <p className="field-error" id={`${id}-filter-error`}>
                {textError ?? filterError}
              </p>
            )}
          </div>
        )}
        <div className="buttons">
          <button type="submit">{mode === 'externalId' && externalId.trim() !== '' ? t('users.open') : t('users.searchButton')}</button>
          {filter && (
            <button type="button" className="secondary" onClick={() => setFilter(undefined)}>
              {t('users.clear')}
            </button>
          )}
        </div>
      </form>
      <ProblemMessage problem={filterProblem ? undefined : problem} />
      {!rows && <Loading />}
      {rows && rows.length === 0 && !problem && <p className="muted">{filter ? t('users.noneMatch') : t('users.none')}</p>}
      {rows && rows.length > 0 && (
        <div className="scroll">
          <table>
            <caption className="visually-hidden">{t('users.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('users.externalId')}</th>
                <th scope="col">{t('users.language')}</th>
                <th scope="col">{t('users.country')}</th>
                <th scope="col">{t('users.devices')}</th>
                <th scope="col">{t('users.lastSeen')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((u) => (
                <tr key={u.externalId}>
                  <td>
                    <Link to={`/apps/${encodeURIComponent(appId)}/users/${encodeURIComponent(u.externalId)}`}>{u.externalId}</Link>
                  </td>
                  <td>{u.language ?? '—'}</td>
                  <td>{u.country ?? '—'}</td>
                  <td>{number(u.subscriptions)}</td>
                  <td>{u.lastSeenAt ? date(u.lastSeenAt) : t('users.never')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {next && (
        <button type="button" className="secondary" onClick={() => void load(next)}>
          {t('audience.more')}
        </button>
      )}
    </div>
  );
}
