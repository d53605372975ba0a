/**
 * The limits of campaign content. A campaign's templates run once per recipient (or per
 * group of recipients whose rendering is the same) inside a delivery worker, so these keep
 * one hostile or careless template from stalling the worker or filling its memory. They are
 * documented in docs/campaigns-content.md; changing one changes what a saved campaign may be.
 */

/** Language versions in one content: more than any app ships, few enough to compile at save in milliseconds. */
export const MAX_LANGUAGES = 64;

/**
 * Characters of a template's source, per field. Twice the rendered limit of the field in
 * MessageContent (title 1,000, body 4,000) leaves room for tags and filters; a URL
 * template may hold Liquid around a 2,048-character URL.
 */
export const MAX_TITLE_TEMPLATE = 2_000;
export const MAX_BODY_TEMPLATE = 8_000;
export const MAX_URL_TEMPLATE = 4_096;
export const MAX_ACTION_TITLE_TEMPLATE = 200;

/**
 * liquidjs `parseLimit`: characters parsed in one parse() call. Every field is parsed on
 * its own and is no longer than MAX_BODY_TEMPLATE; the limit is a second fence in case a
 * caller skips the schema.
 */
export const PARSE_LIMIT = 16_384;

/**
 * liquidjs `renderLimit`, in ms, for all the fields of one recipient together (they share
 * one budget). It is wall-clock time, so it must be well above what an honest render takes
 * on a busy machine: at 50 ms, one recipient in 20,000 of a two-variable template was cut
 * in a bench run on two loaded cores (a GC pause or a descheduled thread). It must also
 * stay below what the memory limit alone allows an empty loop (a million iterations, about
 * 250 ms on Node 24 here), or a loop that renders nothing would never be cut by time. A
 * notification renders in microseconds; 100 ms lets a worker get through a page of hostile
 * renders in seconds (MAX_LIMIT_CUTS below), not hours. liquidjs checks it before each node
 * it renders, so a render may overrun it by one node's work.
 */
export const RENDER_LIMIT_MS = 100;

/**
 * liquidjs `memoryLimit`: what liquidjs counts as allocated (characters a string filter
 * builds, items of a range or an array filter, and the text a `capture` keeps, which this
 * module adds) for one recipient's fields together. The largest message is ~6,000
 * characters; a million leaves room for honest loops and cuts string doubling at its 20th
 * step.
 */
export const MEMORY_LIMIT = 1_000_000;

/**
 * Items a `for` or `tablerow` loop may walk over a literal range (`(1..N)`), checked when
 * the template is saved: a notification has no use for more, and a huge literal range is
 * refused with its line and column instead of being cut at every render.
 */
export const MAX_LITERAL_LOOP = 1_000;

/**
 * A recipient whose render is cut by a limit costs up to RENDER_LIMIT_MS; after this many
 * cuts of the same language version, in more than half of its renders, one ContentRenderer
 * fails that version at once for the rest of its recipients instead of spending the budget
 * again on each.
 */
export const MAX_LIMIT_CUTS = 3;
