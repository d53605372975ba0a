import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { en, type MessageKey } from './en.ts';
import { fr } from './fr.ts';

export const LANGUAGES = { en: 'English', fr: 'Français' } as const;
export type Language = keyof typeof LANGUAGES;
const MESSAGES: Record<Language, Record<MessageKey, string>> = { en, fr };
/** Where the operator's choice is kept, across sessions of this browser. */
export const LANGUAGE_KEY = 'carillon.language';

/** The kept choice, else the browser's first language we have, else English. */
export function initialLanguage(): Language {
  const kept = localStorage.getItem(LANGUAGE_KEY);
  if (kept === 'en' || kept === 'fr') return kept;
  for (const tag of navigator.languages ?? [navigator.language]) {
    const base = tag.toLowerCase().split('-')[0];
    if (base === 'fr' || base === 'en') return base;
  }
  return 'en';
}

interface I18n {
  language: Language;
  /** The operator's locale for numbers and dates (the browser's when it is of the language, else the language). */
  locale: string;
  setLanguage(language: Language): void;
  t(key: MessageKey, vars?: Record<string, string | number>): string;
  number(n: number): string;
  date(iso: string): string;
}

const Context = createContext<I18n | undefined>(undefined);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [language, setState] = useState<Language>(initialLanguage);
  const setLanguage = useCallback((next: Language) => {
    localStorage.setItem(LANGUAGE_KEY, next);
    setState(next);
  }, []);
  const value = useMemo<I18n>(() => {
    // Numbers and dates follow the browser's locale when it is of the UI's language (fr-CA), else the UI's language.
    const browser = navigator.language || language;
    const locale = browser.toLowerCase().startsWith(language) ? browser : language;
    const numbers = new Intl.NumberFormat(locale);
    const dates = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
    document.documentElement.lang = language;
    return {
      language,
      locale,
      setLanguage,
      t: (key, vars) => MESSAGES[language][key].replace(/\{(\w+)\}/g, (_, name: string) => String(vars?.[name] ?? `{${name}}`)),
      number: (n) => numbers.format(n),
      date: (iso) => dates.format(new Date(iso)),
    };
  }, [language, setLanguage]);
  return <Context.Provider value={value}>{children}</Context.Provider>;
}

export function useI18n(): I18n {
  const value = useContext(Context);
  if (!value) throw new Error('useI18n outside I18nProvider');
  return value;
}
