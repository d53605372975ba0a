import type { Kysely } from 'kysely';
import { parseDuration, type Filter } from '../audience/filter/index.ts';
import { CHANNELS, type Channel } from '../audience/filter/types.ts';
import { EVENT_NAME, KEY, SEGMENT_ID } from '../audience/filter/fields.ts';
import { expandedFilter } from '../audience/segments/audience-filter.ts';
import { validateUser } from '../audience/users/validate-user.ts';
import { appCategories } from '../apps/categories.ts';
import { compileContent, type CampaignContent } from '../campaigns/content/index.ts';
import { parseTimeOfDay } from '../campaigns/timing/index.ts';
import { ApiError } from '../errors/api-error.ts';
import type { Database } from '../store/schema.ts';
import { JourneyError } from './journey-error.ts';
import { WEBHOOK_STEP_TIMEOUT } from './webhook-step.ts';
import { checkEndpointUrl, EndpointRejectedError } from '../transport/index.ts';

/**
 * A journey as validated and stored (journey_versions.definition): what a run follows.
 * Filters are stored expanded (segments they name are fixed at save, as for a
 * notification), durations as given and in ms.
 */
export interface JourneyDefinition {
  name: string;
  trigger: Trigger;
  steps: Step[];
  exit: { events: string[]; filter?: Filter };
  /** `never`: a user runs the journey once; `after`: again once this long has passed since their last run ended. */
  reentry: { mode: 'never' } | { mode: 'after'; after: string; ms: number };
  /** At most `max` runs started per user in any `per` (rolling). */
  limit?: { max: number; per: string; ms: number };
  /** What a send step does when it is due in the user's quiet hours, or when the app's caps hold it back. */
  sendRules: { quietHours: 'hold' | 'skip'; caps: 'hold' | 'skip' };
}

export type Trigger =
  | { event: string; where?: Filter; audience?: TriggerAudience; drop?: TriggerDrop; attributeChange?: undefined; segmentEntry?: undefined }
  | { attributeChange: string; where?: Filter; event?: undefined; audience?: undefined; drop?: undefined; segmentEntry?: undefined }
  /** A user starts matching a saved segment (segment-entry.ts); its filter is expanded at save, as every filter of a journey. */
  | { segmentEntry: string; segmentFilter: Filter; where?: undefined; event?: undefined; attributeChange?: undefined; audience?: undefined; drop?: undefined };

/**
 * An event about an item rather than a user (the merchant's `price_changed`): it starts a run
 * for each user who did `event` with the same `property` value within `within` (viewed that
 * sku in the last 30 days), except those who ever did `except` with it (bought it).
 */
export interface TriggerAudience {
  event: string;
  within: string;
  ms: number;
  property: string;
  except?: string;
}

/** Runs start only when the trigger event's `to` is at least `atLeastPercent` below its `from`: (from - to) / from. */
export interface TriggerDrop {
  from: string;
  to: string;
  atLeastPercent: number;
}

export type Step =
  | { wait: { duration: string; ms: number } | { until: string; localTime: boolean } | { untilEventTime: string; before: string; beforeMs: number } }
  | { waitFor: { event: string; within: string; ms: number; matched: Step[]; timedOut: Step[] } }
  | { branch: { filter: Filter; then: Step[]; else: Step[] } }
  | { split: { paths: { weight: number; steps: Step[] }[] } }
  | { send: { content: CampaignContent; defaultLanguage?: string; strict?: boolean; category?: string; ttl?: number; urgency?: 'very-low' | 'low' | 'normal' | 'high'; channels?: Channel[] } }
  | { update: { attributes: Record<string, string | number | boolean | null> } }
  | { webhook: { url: string; timeoutMs?: number } };

export const JOURNEY_LIMITS = {
  /** Steps in the whole tree, nested ones included: a journey people can still read. */
  maxSteps: 100,
  maxDepth: 8,
  maxSplitPaths: 8,
  maxExitEvents: 20,
  maxRunsLimit: 1_000,
  /** A wait or a waitFor of at most a year: a timer longer than that is a mistake. */
  maxWaitMs: 366 * 86_400_000,
} as const;

const STEP_KINDS = ['wait', 'waitFor', 'branch', 'split', 'send', 'update', 'webhook'] as const;
const URGENCIES = ['very-low', 'low', 'normal', 'high'];

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

function object(v: unknown, at: string, allowed: readonly string[]): Obj {
  if (!isObj(v)) throw new JourneyError(at, 'must be an object');
  for (const k of Object.keys(v)) if (!allowed.includes(k)) throw new JourneyError(`${at}/${k}`, `unknown member (expected ${allowed.join(', ')})`);
  return v;
}

function eventName(v: unknown, at: string): string {
  if (typeof v !== 'string' || !EVENT_NAME.test(v)) throw new JourneyError(at, 'must be an event name (letters, digits, _ . $ : -, up to 128)');
  return v;
}

function duration(v: unknown, at: string): number {
  const ms = parseDuration(v);
  if (ms === undefined) throw new JourneyError(at, 'must be a duration like "30m", "1h", "2d" or "1w"');
  if (ms > JOURNEY_LIMITS.maxWaitMs) throw new JourneyError(at, 'must be at most a year');
  return ms;
}

interface Checker {
  db: Kysely<Database>;
  appId: string;
  /** Webhook steps may call http: and private addresses (allowPrivateEndpoints, as webhook endpoints). */
  allowPrivateUrls: boolean;
  categories: string[];
  count: number;
}

/**
 * Checks a journey body (parsed JSON) and returns it in its stored form, or throws the first
 * refusal with a JSON pointer into the body: `invalid_journey`, or the filter language's
 * and the content's own codes (`invalid_filter`, `unknown_segment`, `template_invalid`...).
 */
export async function validateJourney(db: Kysely<Database>, appId: string, input: unknown, opts: { allowPrivateUrls?: boolean } = {}): Promise<JourneyDefinition> {
  const body = object(input, '', ['name', 'trigger', 'steps', 'exit', 'reentry', 'limit', 'sendRules']);
  if (typeof body.name !== 'string' || body.name.length < 1 || body.name.length > 200) throw new JourneyError('/name', 'must be a string of 1 to 200 characters');
  const c: Checker = { db, appId, allowPrivateUrls: opts.allowPrivateUrls === true, categories: await appCategories(db, appId), count: 0 };
  const trigger = await checkTrigger(c, body.trigger);
  if (!Array.isArray(body.steps) || body.steps.length === 0) throw new JourneyError('/steps', 'must be a list of at least one step');
  const steps = await checkSteps(c, body.steps, '/steps', 1);
  const exit = await checkExit(c, body.exit);
  let reentry: JourneyDefinition['reentry'] = { mode: 'never' };
  if (body.reentry !== undefined && body.reentry !== 'never') {
    const r = object(body.reentry, '/reentry', ['after']);
    reentry = { mode: 'after', after: String(r.after), ms: duration(r.after, '/reentry/after') };
  }
  let limit: JourneyDefinition['limit'];
  if (body.limit !== undefined) {
    const l = object(body.limit, '/limit', ['max', 'per']);
    if (!Number.isInteger(l.max) || (l.max as number) < 1 || (l.max as number) > JOURNEY_LIMITS.maxRunsLimit) throw new JourneyError('/limit/max', `must be an integer from 1 to ${JOURNEY_LIMITS.maxRunsLimit}`);
    limit = { max: l.max as number, per: String(l.per), ms: duration(l.per, '/limit/per') };
  }
  const sendRules: JourneyDefinition['sendRules'] = { quietHours: 'hold', caps: 'skip' };
  if (body.sendRules !== undefined) {
    const s = object(body.sendRules, '/sendRules', ['quietHours', 'caps']);
    for (const k of ['quietHours', 'caps'] as const) {
      if (s[k] === undefined) continue;
      if (s[k] !== 'hold' && s[k] !== 'skip') throw new JourneyError(`/sendRules/${k}`, 'must be "hold" or "skip"');
      sendRules[k] = s[k];
    }
  }
  return { name: body.name, trigger, steps, exit, reentry, ...(limit ? { limit } : {}), sendRules };
}

async function checkTrigger(c: Checker, v: unknown): Promise<Trigger> {
  if (isObj(v) && 'segmentEntry' in v) return checkSegmentEntry(c, object(v, '/trigger', ['segmentEntry']));
  const t = object(v, '/trigger', ['event', 'where', 'attributeChange', 'audience', 'drop']);
  if (t.attributeChange !== undefined) {
    if (t.event !== undefined) throw new JourneyError('/trigger', 'has either event or attributeChange');
    if (t.audience !== undefined || t.drop !== undefined) throw new JourneyError(t.audience !== undefined ? '/trigger/audience' : '/trigger/drop', 'goes with an event trigger');
    if (typeof t.attributeChange !== 'string' || !KEY.test(t.attributeChange)) throw new JourneyError('/trigger/attributeChange', 'must be an attribute key');
    if (t.where === undefined) return { attributeChange: t.attributeChange };
    return { attributeChange: t.attributeChange, where: await expandedFilter(c.db, c.appId, t.where, '/trigger/where') };
  }
  const event = eventName(t.event, '/trigger/event');
  const out: Trigger = { event };
  if (t.audience !== undefined) out.audience = checkAudience(t.audience);
  if (t.drop !== undefined) out.drop = checkDrop(t.drop);
  if (t.where !== undefined) out.where = await expandedFilter(c.db, c.appId, t.where, '/trigger/where');
  return out;
}

/**
 * `{"segmentEntry": "seg_..."}`: the segment must be one of the app's (a segment of another
 * app is no segment here, as in every filter). Its filter is expanded now, as a filter that
 * names a segment is: a later change of the segment does not change the journey's version.
 */
async function checkSegmentEntry(c: Checker, t: Obj): Promise<Trigger> {
  if (typeof t.segmentEntry !== 'string' || !SEGMENT_ID.test(t.segmentEntry)) throw new JourneyError('/trigger/segmentEntry', 'must be a segment id (seg_...)');
  const found = await c.db.selectFrom('segments').select('id').where('app_id', '=', c.appId).where('id', '=', t.segmentEntry).executeTakeFirst();
  if (!found) throw new ApiError('unknown_segment', `No segment ${t.segmentEntry} in this app`, { pointer: '#/trigger/segmentEntry' });
  return { segmentEntry: t.segmentEntry, segmentFilter: await expandedFilter(c.db, c.appId, { segment: t.segmentEntry }, '/trigger/segmentEntry') };
}

function propertyKey(v: unknown, at: string): string {
  if (typeof v !== 'string' || !KEY.test(v)) throw new JourneyError(at, 'must be the name of an event property');
  return v;
}

function checkAudience(v: unknown): TriggerAudience {
  const a = object(v, '/trigger/audience', ['event', 'within', 'property', 'except']);
  const out: TriggerAudience = {
    event: eventName(a.event, '/trigger/audience/event'),
    within: String(a.within),
    ms: duration(a.within, '/trigger/audience/within'),
    property: propertyKey(a.property, '/trigger/audience/property'),
  };
  if (a.except !== undefined) out.except = eventName(a.except, '/trigger/audience/except');
  return out;
}

function checkDrop(v: unknown): TriggerDrop {
  const d = object(v, '/trigger/drop', ['from', 'to', 'atLeastPercent']);
  const from = propertyKey(d.from, '/trigger/drop/from');
  const to = propertyKey(d.to, '/trigger/drop/to');
  const p = d.atLeastPercent;
  if (typeof p !== 'number' || !Number.isFinite(p) || p <= 0 || p > 100) throw new JourneyError('/trigger/drop/atLeastPercent', 'must be a number above 0 and at most 100');
  return { from, to, atLeastPercent: p };
}

async function checkExit(c: Checker, v: unknown): Promise<JourneyDefinition['exit']> {
  if (v === undefined) return { events: [] };
  const e = object(v, '/exit', ['events', 'filter']);
  const events: string[] = [];
  if (e.events !== undefined) {
    if (!Array.isArray(e.events) || e.events.length > JOURNEY_LIMITS.maxExitEvents) throw new JourneyError('/exit/events', `must be a list of at most ${JOURNEY_LIMITS.maxExitEvents} event names`);
    e.events.forEach((n, i) => events.push(eventName(n, `/exit/events/${i}`)));
  }
  if (e.filter === undefined) return { events };
  return { events, filter: await expandedFilter(c.db, c.appId, e.filter, '/exit/filter') };
}

/** A send's channels: the filter language's channel names (`{"channel": "webpush"}`), each once, at least one. */
function checkChannels(v: unknown, at: string): void {
  if (!Array.isArray(v) || v.length === 0) throw new JourneyError(at, `must be a list of at least one of ${CHANNELS.join(', ')}`);
  v.forEach((ch, i) => {
    if (!CHANNELS.includes(ch as Channel)) throw new JourneyError(`${at}/${i}`, `must be one of ${CHANNELS.join(', ')}`);
    if (v.indexOf(ch) !== i) throw new JourneyError(`${at}/${i}`, 'is given twice');
  });
}

async function checkSteps(c: Checker, list: unknown, at: string, depth: number): Promise<Step[]> {
  if (list === undefined) return [];
  if (!Array.isArray(list)) throw new JourneyError(at, 'must be a list of steps');
  if (depth > JOURNEY_LIMITS.maxDepth) throw new JourneyError(at, `steps nest at most ${JOURNEY_LIMITS.maxDepth} deep`);
  const out: Step[] = [];
  for (let i = 0; i < list.length; i++) out.push(await checkStep(c, list[i], `${at}/${i}`, depth));
  return out;
}

async function checkStep(c: Checker, v: unknown, at: string, depth: number): Promise<Step> {
  if (!isObj(v) || Object.keys(v).length !== 1) throw new JourneyError(at, `must be an object with one member, the step's kind: ${STEP_KINDS.join(', ')}`);
  if (++c.count > JOURNEY_LIMITS.maxSteps) throw new JourneyError(at, `a journey has at most ${JOURNEY_LIMITS.maxSteps} steps`);
  const kind = Object.keys(v)[0]!;
  const here = `${at}/${kind}`;
  switch (kind) {
    case 'wait': {
      const w = object(v.wait, here, ['duration', 'until', 'localTime', 'untilEventTime', 'before']);
      if (w.untilEventTime !== undefined) {
        if (w.duration !== undefined || w.until !== undefined || w.localTime !== undefined) throw new JourneyError(here, 'has one of duration, until (with localTime) or untilEventTime (with before)');
        if (typeof w.untilEventTime !== 'string' || !KEY.test(w.untilEventTime)) throw new JourneyError(`${here}/untilEventTime`, 'must be the name of a property of the trigger event');
        const before = w.before === undefined ? 0 : duration(w.before, `${here}/before`);
        return { wait: { untilEventTime: w.untilEventTime, before: w.before === undefined ? '0m' : String(w.before), beforeMs: before } };
      }
      if (w.before !== undefined) throw new JourneyError(`${here}/before`, 'goes with untilEventTime');
      if (w.duration !== undefined) {
        if (w.until !== undefined || w.localTime !== undefined) throw new JourneyError(here, 'has either duration or until (with localTime)');
        return { wait: { duration: String(w.duration), ms: duration(w.duration, `${here}/duration`) } };
      }
      if (parseTimeOfDay(w.until) === undefined) throw new JourneyError(`${here}/until`, 'must be a time of day "HH:MM" (or give duration)');
      if (w.localTime !== undefined && typeof w.localTime !== 'boolean') throw new JourneyError(`${here}/localTime`, 'must be true or false');
      return { wait: { until: w.until as string, localTime: w.localTime !== false } };
    }
    case 'waitFor': {
      const w = object(v.waitFor, here, ['event', 'within', 'matched', 'timedOut']);
      return {
        waitFor: {
          event: eventName(w.event, `${here}/event`),
          within: String(w.within),
          ms: duration(w.within, `${here}/within`),
          matched: await checkSteps(c, w.matched, `${here}/matched`, depth + 1),
          timedOut: await checkSteps(c, w.timedOut, `${here}/timedOut`, depth + 1),
        },
      };
    }
    case 'branch': {
      const b = object(v.branch, here, ['filter', 'then', 'else']);
      if (b.filter === undefined) throw new JourneyError(`${here}/filter`, 'is required');
      return { branch: { filter: await expandedFilter(c.db, c.appId, b.filter, `${here}/filter`), then: await checkSteps(c, b.then, `${here}/then`, depth + 1), else: await checkSteps(c, b.else, `${here}/else`, depth + 1) } };
    }
    case 'split': {
      const s = object(v.split, here, ['paths']);
      if (!Array.isArray(s.paths) || s.paths.length < 2 || s.paths.length > JOURNEY_LIMITS.maxSplitPaths) throw new JourneyError(`${here}/paths`, `must be a list of 2 to ${JOURNEY_LIMITS.maxSplitPaths} paths`);
      const paths = [];
      for (let i = 0; i < s.paths.length; i++) {
        const p = object(s.paths[i], `${here}/paths/${i}`, ['weight', 'steps']);
        if (typeof p.weight !== 'number' || !Number.isFinite(p.weight) || p.weight <= 0 || p.weight > 1_000_000) throw new JourneyError(`${here}/paths/${i}/weight`, 'must be a positive number');
        paths.push({ weight: p.weight, steps: await checkSteps(c, p.steps, `${here}/paths/${i}/steps`, depth + 1) });
      }
      return { split: { paths } };
    }
    case 'send': {
      const s = object(v.send, here, ['content', 'defaultLanguage', 'strict', 'category', 'ttl', 'urgency', 'channels']);
      if (s.defaultLanguage !== undefined && typeof s.defaultLanguage !== 'string') throw new JourneyError(`${here}/defaultLanguage`, 'must be a language tag');
      if (s.strict !== undefined && typeof s.strict !== 'boolean') throw new JourneyError(`${here}/strict`, 'must be true or false');
      if (s.content === undefined) throw new JourneyError(`${here}/content`, 'is required');
      compileContent(s.content as CampaignContent, { defaultLanguage: s.defaultLanguage as string | undefined, strict: s.strict as boolean | undefined, defaultLanguagePointer: `${here}/defaultLanguage` }, `${here}/content`);
      if (s.category !== undefined && (typeof s.category !== 'string' || !c.categories.includes(s.category))) throw new JourneyError(`${here}/category`, `must be one of the app's categories: ${c.categories.join(', ')}`);
      if (s.ttl !== undefined && (!Number.isInteger(s.ttl) || (s.ttl as number) < 0 || (s.ttl as number) > 2_419_200)) throw new JourneyError(`${here}/ttl`, 'must be whole seconds from 0 to 2419200 (28 days)');
      if (s.urgency !== undefined && !URGENCIES.includes(s.urgency as string)) throw new JourneyError(`${here}/urgency`, `must be one of ${URGENCIES.join(', ')}`);
      if (s.channels !== undefined) checkChannels(s.channels, `${here}/channels`);
      return { send: s as Extract<Step, { send: unknown }>['send'] };
    }
    case 'update': {
      const u = object(v.update, here, ['attributes']);
      if (!isObj(u.attributes) || Object.keys(u.attributes).length === 0) throw new JourneyError(`${here}/attributes`, 'must be an object of at least one attribute');
      try {
        validateUser({ attributes: u.attributes as Record<string, string> });
      } catch (err) {
        if (err instanceof ApiError) throw new JourneyError(`${here}/attributes`, err.message);
        throw err;
      }
      return { update: { attributes: u.attributes as Record<string, string | number | boolean | null> } };
    }
    case 'webhook': {
      const w = object(v.webhook, here, ['url', 'timeoutMs']);
      if (typeof w.url !== 'string') throw new JourneyError(`${here}/url`, 'must be an https URL');
      let url: string;
      try {
        // The webhook endpoints' rule (src/webhooks/webhook-url.ts); the transport checks each address it connects to again.
        url = checkEndpointUrl(w.url, { allowPrivate: c.allowPrivateUrls }).href;
      } catch (err) {
        if (err instanceof EndpointRejectedError) throw new ApiError('webhook_url_rejected', `url: ${err.message}`, { reason: err.reason, pointer: `#${here}/url` });
        throw err;
      }
      const { min, max } = WEBHOOK_STEP_TIMEOUT;
      if (w.timeoutMs !== undefined && (!Number.isInteger(w.timeoutMs) || (w.timeoutMs as number) < min || (w.timeoutMs as number) > max)) throw new JourneyError(`${here}/timeoutMs`, `must be whole ms from ${min} to ${max}`);
      return { webhook: { url, ...(w.timeoutMs !== undefined ? { timeoutMs: w.timeoutMs as number } : {}) } };
    }
    default:
      throw new JourneyError(`${at}/${kind}`, `unknown step kind (expected ${STEP_KINDS.join(', ')})`);
  }
}
