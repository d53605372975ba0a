import { parseDuration } from '../audience/filter/index.ts';
import { EVENT_NAME } from '../audience/filter/fields.ts';
import { validateUser, type UserPatch } from '../audience/users/validate-user.ts';
import { ApiError } from '../errors/api-error.ts';
import { JOURNEY_LIMITS } from './journey-definition.ts';
import { fragment } from './journey-error.ts';

/** What a simulation may be asked (docs/journeys.md#simulation). */
export const SIMULATION_LIMITS = {
  /** Events given to happen during the run: a story, not a replay of a user's history. */
  maxEvents: 100,
  /** The virtual clock runs at most this far (a year, the longest wait a journey may have). */
  maxUntilMs: JOURNEY_LIMITS.maxWaitMs,
  /** How far the clock runs when `until` is not given. */
  defaultUntil: '30d',
} as const;

/** A simulation request as checked: offsets in ms from the start. */
export interface SimulationInput {
  userId?: string;
  user?: UserPatch;
  events: { name: string; offset: number; properties: Record<string, unknown> }[];
  trigger?: { name?: string; properties: Record<string, unknown> };
  version?: number;
  untilMs: number;
}

/** A member of a simulation refused: `invalid_simulation` (400) with the pointer into the request body. */
export class SimulationError extends ApiError {
  constructor(pointer: string, detail: string) {
    super('invalid_simulation', `${pointer || '/'}: ${detail}`, { pointer: fragment(pointer) });
    this.name = 'SimulationError';
  }
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

function object(v: unknown, at: string, allowed: readonly string[]): Obj {
  if (!isObj(v)) throw new SimulationError(at, 'must be an object');
  for (const k of Object.keys(v)) if (!allowed.includes(k)) throw new SimulationError(`${at}/${k}`, `unknown member (expected ${allowed.join(', ')})`);
  return v;
}

function properties(v: unknown, at: string): Record<string, unknown> {
  if (v === undefined) return {};
  if (!isObj(v)) throw new SimulationError(at, 'must be an object of event properties');
  return v;
}

/** `+2h`, `+30m`, `+0m`: an offset from the simulation's start. */
function offset(v: unknown, at: string): number {
  if (typeof v !== 'string' || !v.startsWith('+')) throw new SimulationError(at, 'must be an offset from the start like "+2h", "+30m" or "+1d"');
  const ms = parseDuration(v.slice(1));
  if (ms === undefined) throw new SimulationError(at, 'must be an offset from the start like "+2h", "+30m" or "+1d"');
  return ms;
}

/** Checks a simulation request body, or throws the first refusal with a pointer into it. */
export function parseSimulation(input: unknown): SimulationInput {
  const body = object(input ?? {}, '', ['userId', 'user', 'events', 'trigger', 'version', 'until']);
  if ((body.userId === undefined) === (body.user === undefined)) throw new SimulationError('', 'give either userId (a stored user) or user (a made-up one)');
  const out: SimulationInput = { events: [], untilMs: parseDuration(SIMULATION_LIMITS.defaultUntil)! };
  if (body.userId !== undefined) {
    if (typeof body.userId !== 'string' || body.userId.length < 1 || body.userId.length > 256) throw new SimulationError('/userId', 'must be a user id of 1 to 256 characters');
    out.userId = body.userId;
  } else {
    const u = object(body.user, '/user', ['attributes', 'timezone', 'language', 'country']);
    if (u.attributes !== undefined && !isObj(u.attributes)) throw new SimulationError('/user/attributes', 'must be an object');
    try {
      out.user = validateUser(u as Parameters<typeof validateUser>[0]);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      // The users API's own check, its pointer moved under /user.
      const inner = (err.extra.errors as { pointer?: string }[] | undefined)?.[0]?.pointer;
      throw new SimulationError(`/user${inner ? inner.slice(1) : ''}`, err.message);
    }
  }
  if (body.events !== undefined) {
    if (!Array.isArray(body.events)) throw new SimulationError('/events', 'must be a list of events');
    if (body.events.length > SIMULATION_LIMITS.maxEvents) throw new SimulationError('/events', `at most ${SIMULATION_LIMITS.maxEvents} events`);
    body.events.forEach((e, i) => {
      const ev = object(e, `/events/${i}`, ['name', 'at', 'properties']);
      if (typeof ev.name !== 'string' || !EVENT_NAME.test(ev.name)) throw new SimulationError(`/events/${i}/name`, 'must be an event name (letters, digits, _ . $ : -, up to 128)');
      out.events.push({ name: ev.name, offset: offset(ev.at, `/events/${i}/at`), properties: properties(ev.properties, `/events/${i}/properties`) });
    });
  }
  if (body.trigger !== undefined) {
    const t = object(body.trigger, '/trigger', ['name', 'properties']);
    if (t.name !== undefined && (typeof t.name !== 'string' || !EVENT_NAME.test(t.name))) throw new SimulationError('/trigger/name', 'must be an event name');
    out.trigger = { ...(t.name !== undefined ? { name: t.name as string } : {}), properties: properties(t.properties, '/trigger/properties') };
  }
  if (body.version !== undefined) {
    if (!Number.isInteger(body.version) || (body.version as number) < 1) throw new SimulationError('/version', 'must be a version number (an integer from 1)');
    out.version = body.version as number;
  }
  if (body.until !== undefined) {
    const ms = parseDuration(body.until);
    if (ms === undefined || ms > SIMULATION_LIMITS.maxUntilMs) throw new SimulationError('/until', 'must be a duration like "30d", at most a year');
    out.untilMs = ms;
  }
  // Events in the order they happen; given at one instant, in the order given.
  out.events = out.events.map((e, i) => ({ e, i })).sort((a, b) => a.e.offset - b.e.offset || a.i - b.i).map((x) => x.e);
  return out;
}
