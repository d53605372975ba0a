/**
 * The limits of one audience filter. A filter is compiled to one SQL statement that runs
 * for every fan-out and every size estimate of a campaign; these keep it small enough to
 * plan quickly and to run under a second on a million users.
 */

/** Nesting of and/or/not, a leaf counting as 1: deep enough for any filter people write, shallow enough that neither the validator nor the SQL planner recurses far. */
export const MAX_FILTER_DEPTH = 8;

/** Nodes of the whole filter, its segments expanded: each leaf is a semi-join, and planners slow down past a hundred or so. */
export const MAX_FILTER_NODES = 100;

/** Values of one `in` / `not_in`: a list longer than this belongs in an attribute or tag of its own. */
export const MAX_IN_VALUES = 1_000;

/**
 * Parameters of the whole filter (in-lists and all other values). SQLite binds at most
 * 32,766 parameters to a statement (SQLITE_MAX_VARIABLE_NUMBER) and PostgreSQL 65,535;
 * this leaves room for the rest of the query.
 */
export const MAX_FILTER_VALUES = 10_000;

/** Characters of one string value: longer values are not what segments compare. */
export const MAX_STRING_LENGTH = 1_024;

/** Properties in one event's `where`. */
export const MAX_WHERE_PROPERTIES = 16;

/** A duration of at most ten years: events are not kept longer, and now minus it stays a valid time. */
export const MAX_DURATION_MS = 3_650 * 86_400_000;

/** A count compared of at most a million events per user. */
export const MAX_EVENT_COUNT = 1_000_000;

/** Half the Earth's circumference: beyond it every point is within the radius (and the distance test would wrap). */
export const MAX_RADIUS_KM = 20_000;

/** Segments referring to segments: how deep the expansion may go before it is refused. */
export const MAX_SEGMENT_DEPTH = MAX_FILTER_DEPTH;
