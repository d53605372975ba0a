import { createHash } from 'node:crypto';
import type { AudienceUser, Filter } from '../audience/filter/index.ts';
import { getCampaignSettings } from '../campaigns/app-settings.ts';
import { compileContent, render, type CampaignContent } from '../campaigns/content/index.ts';
import { effectiveQuietHours, nextWallTime, parseTimeOfDay, quietRelease, resolveZone } from '../campaigns/timing/index.ts';
import { storedQuietHours } from '../campaigns/user-quiet-hours.ts';
import type { Context } from '../context.ts';
import { ApiError } from '../errors/api-error.ts';
import { beforeEventTime } from './event-time.ts';
import { JOURNEY_LIMITS, type JourneyDefinition, type Step } from './journey-definition.ts';
import { versionDefinition } from './journeys.ts';
import { enterList, nextPosition, stepAt } from './positions.ts';
import { parseSimulation, SimulationError } from './simulation-input.ts';
import { factsMatch, filterEventNames, storedFacts, type TriggerEvent } from './user-facts.ts';

/** Categories that quiet hours never hold, as for a real run (send-step.ts). */
const NOT_HELD = new Set(['security', 'civic']);

export interface SimulatedEntry {
  at: string;
  step: string | null;
  what: string;
  detail?: Record<string, unknown>;
}

export interface Simulation {
  journeyId: string;
  version: number;
  timeline: SimulatedEntry[];
  /** How the run ended (`completed`, `exit_event:purchase`, ...), or null when it had not by `until`. */
  endedBy: string | null;
}

/** The user a simulation runs: facts for filters, the render context's user, and what holds a send. */
interface SimUser {
  facts: AudienceUser;
  render: { id: string; language: string | null; timezone: string | null; country: string | null; attributes: Record<string, unknown> };
  quietHours: ReturnType<typeof storedQuietHours>;
  /** Categories the user turned off. */
  off: Set<string>;
}

function filtersOf(def: JourneyDefinition): Filter[] {
  const out: Filter[] = [];
  if (def.trigger.where) out.push(def.trigger.where);
  if (def.exit.filter) out.push(def.exit.filter);
  const walk = (steps: Step[]) => {
    for (const s of steps) {
      if ('branch' in s) {
        out.push(s.branch.filter);
        walk(s.branch.then);
        walk(s.branch.else);
      } else if ('waitFor' in s) {
        walk(s.waitFor.matched);
        walk(s.waitFor.timedOut);
      } else if ('split' in s) s.split.paths.forEach((p) => walk(p.steps));
    }
  };
  walk(def.steps);
  return out;
}

async function simUser(ctx: Context, appId: string, def: JourneyDefinition, input: ReturnType<typeof parseSimulation>, now: number): Promise<SimUser> {
  const db = ctx.store.db;
  if (input.userId !== undefined) {
    const row = await db.selectFrom('users').selectAll().where('app_id', '=', appId).where('external_id', '=', input.userId).executeTakeFirst();
    if (!row) throw new ApiError('user_not_found', `No user ${input.userId} in this app`);
    const names = new Set<string>();
    for (const f of filtersOf(def)) filterEventNames(f, names);
    const facts = (await storedFacts(db, appId, Number(row.seq), names))!;
    const prefs = await db.selectFrom('user_preferences').select(['category', 'enabled']).where('user_seq', '=', row.seq).execute();
    return {
      facts,
      render: { id: row.external_id, language: row.language, timezone: row.timezone, country: row.country, attributes: JSON.parse(row.attributes) as Record<string, unknown> },
      quietHours: storedQuietHours(row.quiet_hours),
      off: new Set(prefs.filter((p) => !p.enabled).map((p) => p.category)),
    };
  }
  const patch = input.user!;
  const attributes: AudienceUser['attributes'] = {};
  const plain: Record<string, unknown> = {};
  for (const [k, a] of patch.attributes) {
    if (a === null) continue;
    attributes[k] = { type: a.type, value: a.value };
    plain[k] = a.value;
  }
  const language = patch.language ?? null;
  const timezone = patch.timezone ?? null;
  const country = patch.country ?? null;
  const facts: AudienceUser = { externalId: 'simulated', language, country, timezone, lat: null, lon: null, createdAt: now, lastSeenAt: null, sessionCount: 0, attributes, events: [], subscriptions: [] };
  return { facts, render: { id: 'simulated', language, timezone, country, attributes: plain }, quietHours: null, off: new Set() };
}

/** The step's timer as a real run would set it on entry (run-engine.ts `entry`). */
function entry(step: Step, now: number, event: TriggerEvent, zone: string): { dueAt: number; waitingFor: string | null; end?: string } {
  if ('wait' in step) {
    const w = step.wait;
    if ('ms' in w) return { dueAt: now + w.ms, waitingFor: null };
    if ('untilEventTime' in w) {
      const value = event.properties[w.untilEventTime];
      const at = typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) : NaN;
      if (!Number.isSafeInteger(at) || at - now > JOURNEY_LIMITS.maxWaitMs) return { dueAt: now, waitingFor: null, end: `event_time_missing:${w.untilEventTime}` };
      return { dueAt: Math.max(now, beforeEventTime(at, w.before, w.beforeMs, zone)), waitingFor: null };
    }
    return { dueAt: nextWallTime(now + 1, parseTimeOfDay(w.until)!, w.localTime ? zone : 'UTC'), waitingFor: null };
  }
  if ('waitFor' in step) return { dueAt: now + step.waitFor.ms, waitingFor: step.waitFor.event };
  return { dueAt: now, waitingFor: null };
}

/**
 * Runs one user through a journey on a virtual clock from now (docs/journeys.md#simulation):
 * the steps as a run would take them, the given events at their offsets, and each send
 * step's content rendered for the user, as a preview. It only reads: nothing is sent,
 * stored or queued, and the clock is the simulation's own. Caps, which depend on what
 * else the user is sent meanwhile, are not applied.
 */
export async function simulateJourney(ctx: Context, appId: string, journeyId: string, body: unknown): Promise<Simulation> {
  const input = parseSimulation(body);
  const db = ctx.store.db;
  const journey = await db.selectFrom('journeys').select(['id', 'version']).where('app_id', '=', appId).where('id', '=', journeyId).executeTakeFirst();
  if (!journey) throw new ApiError('journey_not_found', `No journey ${journeyId} in this app`);
  const version = input.version ?? Number(journey.version);
  const known = await db.selectFrom('journey_versions').select('version').where('journey_id', '=', journeyId).where('version', '=', version).executeTakeFirst();
  if (!known) throw new ApiError('journey_version_not_found', `Journey ${journeyId} has no version ${version}`, { version });
  const def = await versionDefinition(ctx, journeyId, version);
  const start = ctx.now();
  const end = start + input.untilMs;
  const user = await simUser(ctx, appId, def, input, start);
  const settings = await getCampaignSettings(ctx, appId);
  const zone = resolveZone(user.facts.timezone, settings.timezone);

  const expected = def.trigger.event ?? (def.trigger.segmentEntry !== undefined ? 'segmentEntry' : 'attributeChange');
  if (input.trigger?.name !== undefined && input.trigger.name !== expected) throw new SimulationError('/trigger/name', `this journey starts on ${expected}`);
  const triggerProps = input.trigger?.properties ?? (def.trigger.attributeChange ? { key: def.trigger.attributeChange, from: null, to: null } : def.trigger.segmentEntry !== undefined ? { segment: def.trigger.segmentEntry, via: 'simulation' } : {});
  const event: TriggerEvent = { name: expected, at: start, properties: triggerProps };
  if (def.trigger.event) user.facts.events.push({ name: event.name, at: start, properties: event.properties });

  const timeline: SimulatedEntry[] = [];
  let now = start;
  const log = (step: string | null, what: string, detail?: Record<string, unknown>) => timeline.push({ at: new Date(now).toISOString(), step, what, ...(detail ? { detail } : {}) });
  const done = (endedBy: string | null): Simulation => ({ journeyId, version, timeline, endedBy });
  const matches = (f: Filter) => factsMatch(f, user.facts, event, now);

  log(null, 'entered', { trigger: event.name, version });
  if (def.trigger.where && !matches(def.trigger.where)) {
    log(null, 'not_entered', { reason: 'the trigger’s where does not match this user and event' });
    return done(null);
  }
  const pending = [...input.events];
  let position = enterList(def, '/steps');
  let entered = false;
  let dueAt = now;
  let waitingFor: string | null = null;
  // A journey has no loops (at most 100 steps, each entered once): this bound is never met by a valid one.
  for (let guard = 0; guard < 10_000; guard++) {
    if (position === null) {
      log(null, 'completed');
      return done('completed');
    }
    const step = stepAt(def, position);
    if (!step) {
      log(position, 'exited', { reason: 'step_missing' });
      return done('step_missing');
    }
    if (!entered) {
      entered = true;
      const e = entry(step, now, event, zone);
      if (e.end) {
        log(position, 'exited', { reason: e.end });
        return done(e.end);
      }
      dueAt = e.dueAt;
      waitingFor = e.waitingFor;
      if (dueAt > now) log(position, 'waiting', { until: new Date(dueAt).toISOString(), ...(waitingFor ? { for: waitingFor } : {}) });
    }
    if (dueAt > now) {
      const next = pending[0];
      if (next && start + next.offset <= dueAt && start + next.offset <= end) {
        pending.shift();
        now = Math.max(now, start + next.offset);
        user.facts.events.push({ name: next.name, at: now, properties: next.properties });
        log(position, 'event', { name: next.name, ...(Object.keys(next.properties).length ? { properties: next.properties } : {}) });
        if (def.exit.events.includes(next.name)) {
          const reason = `exit_event:${next.name}`;
          log(position, 'exited', { reason });
          return done(reason);
        }
        if (waitingFor === next.name) {
          log(position, 'matched', { event: next.name });
          position = enterList(def, `${position}/waitFor/matched`);
          entered = false;
        }
        continue;
      }
      if (dueAt > end) {
        log(position, 'stopped', { reason: `the simulation ends ${new Date(end).toISOString()}, before the step is due` });
        return done(null);
      }
      now = dueAt;
    }
    if (def.exit.filter && matches(def.exit.filter)) {
      log(position, 'exited', { reason: 'exit_filter' });
      return done('exit_filter');
    }
    const here = position;
    const moveOn = (to: string | null) => {
      position = to;
      entered = false;
    };
    if ('wait' in step) {
      log(here, 'waited');
      moveOn(nextPosition(def, here));
    } else if ('waitFor' in step) {
      log(here, 'timed_out', { event: step.waitFor.event, within: step.waitFor.within });
      moveOn(enterList(def, `${here}/waitFor/timedOut`));
    } else if ('branch' in step) {
      const yes = matches(step.branch.filter);
      log(here, 'branch', { path: yes ? 'then' : 'else' });
      moveOn(enterList(def, `${here}/branch/${yes ? 'then' : 'else'}`));
    } else if ('split' in step) {
      const paths = step.split.paths;
      const total = paths.reduce((s, p) => s + p.weight, 0);
      // A draw fixed by the journey, the user and the step: the same simulation takes the same path.
      let draw = (createHash('sha256').update(`${journeyId}:${user.facts.externalId}:${here}`).digest().readUInt32BE(0) / 2 ** 32) * total;
      let i = 0;
      while (i < paths.length - 1 && draw >= paths[i]!.weight) draw -= paths[i++]!.weight;
      log(here, 'split', { path: i });
      moveOn(enterList(def, `${here}/split/paths/${i}/steps`));
    } else if ('update' in step) {
      for (const [k, v] of Object.entries(step.update.attributes)) {
        if (v === null) {
          delete user.facts.attributes[k];
          delete user.render.attributes[k];
        } else {
          user.facts.attributes[k] = { type: typeof v === 'number' ? 'number' : typeof v === 'boolean' ? 'boolean' : 'string', value: v };
          user.render.attributes[k] = v;
        }
      }
      log(here, 'updated', { attributes: step.update.attributes });
      moveOn(nextPosition(def, here));
    } else if ('webhook' in step) {
      // Nothing is called: the entry says what a run would send, and the run goes on as after a 2xx.
      log(here, 'would_call', { url: step.webhook.url, user: user.render.id, event: event.name });
      moveOn(nextPosition(def, here));
    } else {
      const send = step.send;
      const category = send.category ?? null;
      if (category !== null && user.off.has(category)) {
        log(here, 'skipped', { reason: 'suppressed', category });
        moveOn(nextPosition(def, here));
        continue;
      }
      if (category === null || !NOT_HELD.has(category)) {
        const window = effectiveQuietHours(settings.quietHours === null ? null : storedQuietHours(JSON.stringify(settings.quietHours)), user.quietHours);
        const release = window ? quietRelease(now, window, zone) : now;
        if (release > now) {
          if (def.sendRules.quietHours === 'skip') {
            log(here, 'skipped', { reason: 'quiet_hours' });
            moveOn(nextPosition(def, here));
          } else {
            log(here, 'held', { reason: 'quiet_hours', until: new Date(release).toISOString() });
            dueAt = release;
          }
          continue;
        }
      }
      // A stored user with no device on the step's channels is skipped, as a run skips them; a made-up one has none to look at.
      if (send.channels && input.userId !== undefined && !user.facts.subscriptions.some((s) => send.channels!.includes(s.channel as never))) {
        log(here, 'skipped', { reason: 'no_device', channels: send.channels });
        moveOn(nextPosition(def, here));
        continue;
      }
      const compiled = compileContent(send.content as CampaignContent, { defaultLanguage: send.defaultLanguage, strict: send.strict });
      const rendered = render(compiled, user.render.language, { user: user.render, event: { name: event.name, properties: event.properties }, app: { globals: settings.globals } });
      if (rendered.ok) log(here, 'sent', { language: rendered.language, ...(category !== null ? { category } : {}), ...(send.channels ? { channels: send.channels } : {}), ...rendered.content });
      else log(here, 'skipped', { reason: 'render_failed', detail: rendered.detail });
      moveOn(nextPosition(def, here));
    }
  }
  return done(null);
}
