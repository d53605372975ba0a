/**
 * What one tracked event may hold. Each limit is named for the refusal it causes
 * (docs/errors.md) and explained: an event is stored as sent and kept for the
 * retention, so every byte it may carry is paid for by every user it is about.
 */

/** Events in one POST /track: a page of a server's backlog, one multi-row insert. */
export const MAX_EVENTS_PER_REQUEST = 1_000;

/**
 * bytes; a track request's own body limit: 1,000 events of about a kilobyte each. The
 * API's bodyLimit (64 KB) is sized for a notification and would hold a tenth of a page.
 */
export const MAX_TRACK_BODY_BYTES = 1_048_576;

/**
 * Event names: a letter, then letters, digits and `_ . : -`, 64 at most (`viewed_item`,
 * `checkout.started`). Names are what segments and journeys match on, so they are
 * identifiers, not free text.
 */
export const EVENT_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_.:-]{0,63}$/;

/**
 * Property keys: identifiers of 64 characters at most, so that a template can name
 * them (`{{ event.price }}`) and a filter can test them without quoting.
 */
export const PROPERTY_KEY_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** Properties of one event; more is a record, which belongs in the user's attributes or the site's own store. */
export const MAX_PROPERTIES = 50;

/** UTF-16 code units of one string property (a title, a URL, a SKU), not a document. */
export const MAX_PROPERTY_STRING_LENGTH = 1_024;

/** bytes of an event's properties as stored (JSON, UTF-8): 8 KB, at most 50 keys of a few values. */
export const MAX_PROPERTIES_BYTES = 8_192;

/** The sender's event id: what makes a retried event count once. A UUID or a ULID fits. */
export const EVENT_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/** A user id, as subscriptions take it (src/subscriptions/subscription-input.ts). */
export const MAX_USER_ID_LENGTH = 256;

/**
 * ms; how far in the future an event's `time` may be: device and server clocks drift
 * (NTP keeps servers within a second; phones and laptops are often off by a minute or
 * two). Later than this is a wrong clock or a wrong field, and is refused.
 */
export const CLOCK_SKEW_ALLOWANCE = 5 * 60_000;

/** RFC 3339 §5.6 date-time (the `T` and `Z` in either case, as §5.6 allows). */
export const RFC3339_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:[Zz]|([+-]\d{2}:\d{2}))$/;
