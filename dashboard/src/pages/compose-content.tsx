import { useId, useRef, useState, type KeyboardEvent } from 'react';
import { useI18n } from '../i18n/i18n.tsx';
import { EmojiPicker } from '../ui/emoji-picker.tsx';
import { Field } from '../ui/form.tsx';
import { emptyVersion, type Draft, type VersionDraft } from './compose-model.ts';

/** Variables a template can read (docs/campaigns-content.md), offered for insertion. */
const VARIABLES = ['{{ user.attributes.firstName | default: "there" }}', '{{ user.id }}', '{{ user.language }}', '{{ user.country }}', '{{ app.name }}'];
const MAX_ACTIONS = 4;

type FieldError = (pointer: string) => string | undefined;

/**
 * The message, one tab per language (a tablist: arrow keys move between the tabs), each
 * with its title, body, image, icon, URL and action buttons; Liquid allowed in all of them,
 * with variables and emoji inserted where the cursor was. Errors reach their field by the
 * pointer `/content/{language}/...`.
 */
export function ContentEditor({ draft, set, fieldError, active, setActive }: { draft: Draft; set: (d: Draft) => void; fieldError: FieldError; active: string; setActive: (l: string) => void }) {
  const { t } = useI18n();
  const [newLanguage, setNewLanguage] = useState('');
  const [languageError, setLanguageError] = useState('');
  const tabs = useRef<(HTMLButtonElement | null)[]>([]);
  const id = useId();
  const version = draft.versions[active] ?? emptyVersion();
  const setVersion = (v: VersionDraft) => set({ ...draft, versions: { ...draft.versions, [active]: v } });
  const add = () => {
    const tag = newLanguage.trim();
    let canonical: string | undefined;
    try {
      canonical = Intl.getCanonicalLocales(tag)[0];
    } catch {
      canonical = undefined;
    }
    if (!canonical) return setLanguageError(t('compose.language.invalid'));
    if (draft.languages.includes(canonical)) return setLanguageError(t('compose.language.twice'));
    setLanguageError('');
    setNewLanguage('');
    set({ ...draft, languages: [...draft.languages, canonical], versions: { ...draft.versions, [canonical]: emptyVersion() } });
    setActive(canonical);
  };
  const remove = (l: string) => {
    const languages = draft.languages.filter((x) => x !== l);
    const versions = { ...draft.versions };
    delete versions[l];
    set({ ...draft, languages, versions, defaultLanguage: draft.defaultLanguage === l ? languages[0]! : draft.defaultLanguage });
    setActive(languages[0]!);
  };
  const onTabKey = (e: KeyboardEvent, i: number) => {
    const n = draft.languages.length;
    const to = e.key === 'ArrowRight' ? (i + 1) % n : e.key === 'ArrowLeft' ? (i - 1 + n) % n : e.key === 'Home' ? 0 : e.key === 'End' ? n - 1 : -1;
    if (to < 0) return;
    e.preventDefault();
    setActive(draft.languages[to]!);
    tabs.current[to]?.focus();
  };
  return (
    <div className="compose-content">
      <div className="row">
        <div className="field">
          <label htmlFor={`${id}-new`}>{t('compose.language.add')}</label>
          <input id={`${id}-new`} value={newLanguage} placeholder="fr-CA" spellCheck={false} aria-invalid={languageError ? true : undefined} aria-describedby={languageError ? `${id}-new-error` : undefined} onChange={(e) => setNewLanguage(e.target.value)} />
          {languageError && (
            <p className="field-error" id={`${id}-new-error`}>
              {languageError}
            </p>
          )}
        </div>
        <button type="button" className="secondary" onClick={add}>
          {t('compose.language.addButton')}
        </button>
        {draft.languages.length > 1 && (
          <div className="field">
            <label htmlFor={`${id}-default`}>{t('compose.language.default')}</label>
            <select id={`${id}-default`} value={draft.defaultLanguage} aria-invalid={fieldError('/defaultLanguage') ? true : undefined} onChange={(e) => set({ ...draft, defaultLanguage: e.target.value })}>
              {draft.languages.map((l) => (
                <option key={l} value={l}>
                  {l}
                </option>
              ))}
            </select>
            {fieldError('/defaultLanguage') && <p className="field-error">{fieldError('/defaultLanguage')}</p>}
          </div>
        )}
      </div>
      <div role="tablist" aria-label={t('compose.languages')} className="tabs">
        {draft.languages.map((l, i) => (
          <button
            key={l}
            type="button"
            role="tab"
            id={`${id}-tab-${l}`}
            aria-selected={l === active}
            aria-controls={`${id}-panel`}
            tabIndex={l === active ? 0 : -1}
            ref={(el) => {
              tabs.current[i] = el;
            }}
            className={hasError(fieldError, l) ? 'tab tab-error' : 'tab'}
            onClick={() => setActive(l)}
            onKeyDown={(e) => onTabKey(e, i)}
          >
            {l}
            {l === draft.defaultLanguage && draft.languages.length > 1 ? ` (${t('compose.language.isDefault')})` : ''}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`${id}-panel`} aria-labelledby={`${id}-tab-${active}`} className="tab-panel">
        <VersionEditor key={active} language={active} version={version} setVersion={setVersion} fieldError={fieldError} />
        {draft.languages.length > 1 && (
          <button type="button" className="secondary" onClick={() => remove(active)}>
            {t('compose.language.remove', { language: active })}
          </button>
        )}
      </div>
    </div>
  );
}

function hasError(fieldError: FieldError, language: string): boolean {
  return ['title', 'body', 'image', 'icon', 'url'].some((f) => fieldError(`/content/${language}/${f}`)) || fieldError(`/content/${language}`) !== undefined;
}

function VersionEditor({ language, version, setVersion, fieldError }: { language: string; version: VersionDraft; setVersion: (v: VersionDraft) => void; fieldError: FieldError }) {
  const { t } = useI18n();
  const id = useId();
  // Where the last text field's cursor was, for emoji and variables.
  const last = useRef<{ field: 'title' | 'body'; el: HTMLInputElement | HTMLTextAreaElement | null }>({ field: 'title', el: null });
  const at = (f: string) => fieldError(`/content/${language}/${f}`);
  const insert = (text: string) => {
    const { field, el } = last.current;
    const value = version[field];
    const start = el?.selectionStart ?? value.length;
    const end = el?.selectionEnd ?? value.length;
    setVersion({ ...version, [field]: value.slice(0, start) + text + value.slice(end) });
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(start + text.length, start + text.length);
    });
  };
  const track = (field: 'title' | 'body') => (e: { currentTarget: HTMLInputElement | HTMLTextAreaElement }) => {
    last.current = { field, el: e.currentTarget };
  };
  const bodyError = at('body');
  return (
    <div className="version">
      <Field label={t('compose.title')} value={version.title} error={at('title')} hint={t('compose.liquidHint')} onChange={(e) => setVersion({ ...version, title: e.target.value })} onFocus={track('title')} onSelect={track('title')} spellCheck />
      <div className="field">
        <label htmlFor={`${id}-body`}>{t('compose.body')}</label>
        <textarea id={`${id}-body`} rows={3} value={version.body} aria-invalid={bodyError ? true : undefined} aria-describedby={bodyError ? `${id}-body-error` : undefined} onChange={(e) => setVersion({ ...version, body: e.target.value })} onFocus={track('body')} onSelect={track('body')} />
        {bodyError && (
          <p className="field-error" id={`${id}-body-error`}>
            {bodyError}
          </p>
        )}
      </div>
      <div className="row insert-row">
        <EmojiPicker label={t('compose.emoji')} onPick={insert} />
        <div className="field">
          <label htmlFor={`${id}-variable`}>{t('compose.variable')}</label>
          <select
            id={`${id}-variable`}
            value=""
            onChange={(e) => {
              if (e.target.value) insert(e.target.value);
            }}
          >
            <option value="">{t('compose.variable.choose')}</option>
            {VARIABLES.map((v) => (
              <option key={v} value={v}>
                {v}
              </option>
            ))}
          </select>
        </div>
      </div>
      <div className="row">
        <Field label={t('compose.image')} value={version.image} error={at('image')} placeholder="https://" onChange={(e) => setVersion({ ...version, image: e.target.value })} />
        <Field label={t('compose.icon')} value={version.icon} error={at('icon')} placeholder="https://" onChange={(e) => setVersion({ ...version, icon: e.target.value })} />
        <Field label={t('compose.url')} value={version.url} error={at('url')} placeholder="https://" onChange={(e) => setVersion({ ...version, url: e.target.value })} />
      </div>
      <fieldset>
        <legend>{t('compose.actions')}</legend>
        {version.actions.map((a, i) => (
          <div className="row" key={i}>
            <Field label={t('compose.action.title', { n: i + 1 })} value={a.title} error={at(`actions/${i}/title`)} onChange={(e) => setVersion({ ...version, actions: version.actions.map((x, j) => (j === i ? { ...x, title: e.target.value } : x)) })} />
            <Field label={t('compose.action.url', { n: i + 1 })} value={a.url} error={at(`actions/${i}/url`)} placeholder="https://" onChange={(e) => setVersion({ ...version, actions: version.actions.map((x, j) => (j === i ? { ...x, url: e.target.value } : x)) })} />
            <button type="button" className="secondary" onClick={() => setVersion({ ...version, actions: version.actions.filter((_, j) => j !== i) })}>
              {t('compose.action.remove', { n: i + 1 })}
            </button>
          </div>
        ))}
        {version.actions.length < MAX_ACTIONS && (
          <button type="button" className="secondary" onClick={() => setVersion({ ...version, actions: [...version.actions, { action: `action-${1 + Math.max(0, ...version.actions.map((x) => Number(x.action.split('-')[1]) || 0))}`, title: '', url: '' }] })}>
            {t('compose.action.add')}
          </button>
        )}
      </fieldset>
    </div>
  );
}
