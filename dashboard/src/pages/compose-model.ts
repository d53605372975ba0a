/**
 * What the Compose page edits, and the createCampaign body it becomes
 * (src/campaigns/campaign-input.ts). Kept apart from the components so the page's pieces
 * share one shape.
 */
import type { Campaign, SavedSchedule, SavedVersion } from './campaign-types.ts';

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
/** A variant's own title and body in one language; empty: the campaign's own. */
export interface VariantText {
  title: string;
  body: string;
}
export interface VariantDraft {
  id: string;
  weight: string;
  /** Per language of the campaign; a language without one sends the campaign's version as it is. */
  texts: Record<string, VariantText>;
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
        ...(variantContent(d, v) ?? {}),
      })),
      ...(d.holdout ? { holdout: num(d.holdout) } : {}),
    };
  }
  return body;
}

/** A saved version as the editor holds it. */
function versionDraft(v: SavedVersion | undefined): VersionDraft {
  if (!v) return emptyVersion();
  return { title: v.title, body: v.body ?? '', image: v.image ?? '', icon: v.icon ?? '', url: v.url ?? '', actions: (v.actions ?? []).map((a) => ({ action: a.action, title: a.title, url: a.url ?? '' })) };
}

/** A `datetime-local` value, in the operator's zone, of an instant. */
function localInput(iso: string): string {
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function scheduleDraft(s: SavedSchedule | undefined): ScheduleDraft {
  const out = newDraft().schedule;
  if (!s) return out;
  if ('at' in s) return { ...out, kind: 'at', at: localInput(s.at) };
  if ('localTime' in s) return { ...out, kind: 'localTime', date: s.localTime.date, time: s.localTime.time, whenPassed: s.localTime.whenPassed ?? 'send_now' };
  if ('intelligent' in s) return { ...out, kind: 'intelligent', within: s.intelligent.within, fallback: s.intelligent.fallback };
  return { ...out, kind: 'recurring', cron: s.recurring.cron, timezone: s.recurring.timezone };
}

/**
 * A saved campaign as the Compose page edits it (reopening a draft): its versions, and
 * each variant's title and body where they differ from the campaign's version in that
 * language. `campaignBody` of the result is the campaign as saved, members Compose does not
 * edit (ttl, urgency, conversion) aside: a PATCH leaves those as they are.
 */
export function draftFromCampaign(c: Campaign): Draft {
  const content = c.content ?? {};
  const languages = Object.keys(content).length > 0 ? Object.keys(content) : ['en'];
  const versions = Object.fromEntries(languages.map((l) => [l, versionDraft(content[l])]));
  const texts = (own: Record<string, SavedVersion> | undefined): Record<string, VariantText> =>
    Object.fromEntries(
      languages.flatMap((l) => {
        const v = own?.[l];
        if (!v) return [];
        const title = v.title !== versions[l]!.title ? v.title : '';
        const body = (v.body ?? '') !== versions[l]!.body ? (v.body ?? '') : '';
        return title || body ? [[l, { title, body }]] : [];
      }),
    );
  const a = c.audience ?? {};
  return {
    ...newDraft(),
    name: c.name,
    category: c.category ?? '',
    languages,
    defaultLanguage: c.defaultLanguage ?? languages[0]!,
    versions,
    strict: c.strict ?? false,
    audience: { kind: a.filter !== undefined ? 'filter' : 'segment', segment: a.segment ?? '', exclude: a.exclude?.segment ?? '' },
    schedule: scheduleDraft(c.schedule),
    throttle: c.throttle ? String(c.throttle.perMinute) : '',
    ignoreCaps: c.capping?.ignore ?? false,
    variants: (c.variants?.split ?? []).map((v) => ({ id: v.id, weight: String(v.weight), texts: texts(v.content) })),
    holdout: c.variants?.holdout !== undefined ? String(c.variants.holdout) : '',
  };
}

/** A variant's text in a language, empty when it has none of its own. */
export function variantText(v: VariantDraft, language: string): VariantText {
  return v.texts[language] ?? { title: '', body: '' };
}

/**
 * A variant's `content`: every language of the campaign, each the campaign's version with
 * the variant's own title and body where it has them; none when it has none in any language.
 */
function variantContent(d: Draft, v: VariantDraft): { content: Record<string, Record<string, unknown>> } | undefined {
  if (!d.languages.some((l) => variantText(v, l).title !== '' || variantText(v, l).body !== '')) return undefined;
  return {
    content: Object.fromEntries(
      d.languages.map((l) => {
        const own = variantText(v, l);
        return [l, { ...versionBody(d.versions[l] ?? emptyVersion()), ...(own.title ? { title: own.title } : {}), ...(own.body ? { body: own.body } : {}) }];
      }),
    ),
  };
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
