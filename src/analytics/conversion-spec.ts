import { Type, type Static } from '@sinclair/typebox';
import { ApiError } from '../errors/api-error.ts';
import { EVENT_NAME_PATTERN } from '../audience/events/limits.ts';

/** Most conversion events one campaign or notification may name. */
export const MAX_CONVERSION_EVENTS = 4;
/** h; a conversion counts this long after the click or display, unless the sender says otherwise. */
export const DEFAULT_CONVERSION_WINDOW_HOURS = 72;
/** h; 30 days: past that, a purchase owes little to the notification. */
export const MAX_CONVERSION_WINDOW_HOURS = 720;

/**
 * `conversion` of a campaign or a notification (docs/analytics.md): the custom events
 * (`POST .../track`) that count as its conversions, and how long after a click or a display
 * they count. Shape only: `checkConversion` says what is wrong with the values, with a code.
 */
export const ConversionSpec = Type.Object(
  {
    events: Type.Array(Type.String(), { description: `1 to ${MAX_CONVERSION_EVENTS} custom event names (as sent to /track)` }),
    windowHours: Type.Optional(Type.Integer({ description: `h after the click (direct) or the display (influenced) that a conversion event counts; ${DEFAULT_CONVERSION_WINDOW_HOURS} when absent, at most ${MAX_CONVERSION_WINDOW_HOURS}` })),
  },
  { additionalProperties: false, description: 'what counts as a conversion of it, and for how long' },
);
export type ConversionSpec = Static<typeof ConversionSpec>;

/** A conversion spec as stored: checked, the window filled in. */
export interface Conversion {
  events: string[];
  windowHours: number;
}

/**
 * Checks a conversion spec; `pointer` is where it sits in the body (`/conversion`).
 *
 * @throws ApiError `invalid_conversion` with the RFC 6901 pointer of the member at fault.
 */
export function checkConversion(spec: ConversionSpec, pointer = '/conversion'): Conversion {
  const refuse = (at: string, detail: string, extra: Record<string, unknown> = {}): never => {
    throw new ApiError('invalid_conversion', `${pointer}${at}: ${detail}`, { pointer: `#${pointer}${at}`, ...extra });
  };
  if (spec.events.length === 0) refuse('/events', 'names no event; give 1 to 4');
  if (spec.events.length > MAX_CONVERSION_EVENTS) refuse('/events', `names ${spec.events.length} events; at most ${MAX_CONVERSION_EVENTS}`, { limit: MAX_CONVERSION_EVENTS });
  const seen = new Set<string>();
  spec.events.forEach((name, i) => {
    if (!EVENT_NAME_PATTERN.test(name)) refuse(`/events/${i}`, `"${name.slice(0, 80)}" is not an event name (a letter, then up to 63 letters, digits, _ . : -)`);
    if (seen.has(name)) refuse(`/events/${i}`, `"${name}" is named twice`);
    seen.add(name);
  });
  const windowHours = spec.windowHours ?? DEFAULT_CONVERSION_WINDOW_HOURS;
  if (windowHours < 1 || windowHours > MAX_CONVERSION_WINDOW_HOURS) refuse('/windowHours', `${windowHours} h is outside 1 to ${MAX_CONVERSION_WINDOW_HOURS} (30 days)`, { limit: MAX_CONVERSION_WINDOW_HOURS });
  return { events: [...spec.events], windowHours };
}
