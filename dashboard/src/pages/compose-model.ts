/**
 * What the Compose page edits, and the createCampaign body it becomes
 * (src/campaigns/campaign-input.ts). Kept apart from the components so the page's pieces
 * share one shape.
 */
import type { Campaign } from './campaign-types.ts';

export interface ActionDraft {
  action: string;
  title: string;
  url: string;
}
export interface VersionDraft {
  title: string;
  body: string;
  image: string;
  icon: string;
  url: string;
  actions: ActionDraft[];
}
export type ScheduleKind = 'now' | 'at' | 'localTime' | 'intelligent' | 'recurring';
export interface ScheduleDraft {
  kind: ScheduleKind;
  /** `at`: a datetime-local value, in the operator's zone. */
  at: string;
  date: string;
  time: string;
  whenPassed: 'send_now' | 'skip';
  within: string;
  fallback: string;
  cron: string;
  timezone: string;
}
export interface VariantDraft {
  id: string;
  weight: string;
  /** Empty: the campaign's own content; otherwise the title of the default language's version. */
  title: string;
}
export interface AudienceDraft {
  kind: 'segment' | 'filter';
  segment: string;
  exclude: string;
}
export interface Draft {
  name: string;
  category: string;
  languages: string[];
  defaultLanguage: string;
  versions: Record<string, VersionDraft>;
  strict: boolean;
  audience: AudienceDraft;
  schedule: ScheduleDraft;
  throttle: string;
  ignoreCaps: boolean;
  variants: VariantDraft[];
  holdout: string;
}

export function emptyVersion(): VersionDraft {
  return { title: '', body: '', image: '', icon: '', url: '', actions: [] };
}

export function newDraft(): Draft {
  return {
    name: '',
    category: '',
    languages: ['en'],
    defaultLanguage: 'en',
    versions: { en: emptyVersion() },
    strict: false,
    audience: { kind: 'segment', segment: '', exclude: '' },
    schedule: { kind: 'now', at: '', date: '', time: '09:00', whenPassed: 'send_now', within: '24h', fallback: '10:00', cron: '0 9 * * MON', timezone: 'Europe/Paris' },
    throttle: '',
    ignoreCaps: false,
    variants: [],
    holdout: '',
  };
}

/** A version as the API takes it: empty fields left out, actions numbered. */
export function versionBody(v: VersionDraft): Record<string, unknown> {
  const out: Record<string, unknown> = { title: v.title };
  for (const k of ['body', 'image', 'icon', 'url'] as const) if (v[k] !== '') out[k] = v[k];
  if (v.actions.length > 0) out.actions = v.actions.map((a) => ({ action: a.action, title: a.title, ...(a.url ? { url: a.url } : {}) }));
  return out;
}

export function contentBody(d: Draft): Record<string, Record<string, unknown>> {
  return Object.fromEntries(d.languages.map((l) => [l, versionBody(d.versions[l] ?? emptyVersion())]));
}

/** A number field as the API takes it: a number when it is one, else the text (refused with a pointer, not coerced). */
function num(s: string): number | string {
  return s.trim() !== '' && Number.isFinite(Number(s)) ? Number(s) : s;
}

function scheduleBody(s: ScheduleDraft): unknown {
  switch (s.kind) {
    case 'now':
      return undefined;
    case 'at':
      return { at: s.at ? new Date(s.at).toISOString() : '' };
    case 'localTime':
      return { localTime: { date: s.date, time: s.time, whenPassed: s.whenPassed } };
    case 'intelligent':
      return { intelligent: { within: s.within, fallback: s.fallback } };
    case 'recurring':
      return { recurring: { cron: s.cron, timezone: s.timezone } };
  }
}

/** The audience the API takes, `filter` from the builder when the draft uses one. */
export function audienceBody(a: AudienceDraft, filter: unknown): Record<string, unknown> {
  return { ...(a.kind === 'segment' ? { segment: a.segment } : { filter }), ...(a.exclude ? { exclude: { segment: a.exclude } } : {}) };
}

/** The createCampaign (and updateCampaign) body of a draft. */
export function campaignBody(d: Draft, filter: unknown): Record<string, unknown> {
  const schedule = scheduleBody(d.schedule);
  const body: Record<string, unknown> = {
    name: d.name,
    audience: audienceBody(d.audience, filter),
    content: contentBody(d),
    ...(d.languages.length > 1 ? { defaultLanguage: d.defaultLanguage } : {}),
    ...(d.category ? { category: d.category } : {}),
    ...(d.strict ? { strict: true } : {}),
    ...(schedule !== undefined ? { schedule } : {}),
    ...(d.throttle ? { throttle: { perMinute: num(d.throttle) } } : {}),
    ...(d.ignoreCaps ? { capping: { ignore: true } } : {}),
  };
  if (d.variants.length > 0) {
    body.variants = {
      split: d.variants.map((v) => ({
        id: v.id,
        weight: num(v.weight),
        ...(v.title ? { content: { ...contentBody(d), [d.defaultLanguage]: { ...versionBody(d.versions[d.defaultLanguage] ?? emptyVersion()), title: v.title } } } : {}),
      })),
      ...(d.holdout ? { holdout: num(d.holdout) } : {}),
    };
  }
  return body;
}

/** What previewCampaign answers (src/http/routes/campaign-preview.schemas.ts). */
export interface RenderedContent {
  title: string;
  body?: string;
  image?: string;
  icon?: string;
  url?: string;
  actions?: { action: string; title: string; url?: string }[];
}
export type PreviewVersion = { ok: true; content: RenderedContent } | { ok: false; detail: string; pointer: string; line?: number; column?: number };
export interface Preview {
  user: { id: string; language: string | null; timezone: string | null; country: string | null };
  language: string;
  defaultLanguage: string;
  versions: Record<string, PreviewVersion>;
}

declare module '../api/types.ts' {
  interface Answers {
    previewCampaign: Preview;
    createCampaign: Campaign;
    updateCampaign: Campaign;
    launchCampaign: Campaign;
    testCampaign: { notificationId: string; subscriptions: number };
  }
}
