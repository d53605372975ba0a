import { Type, type Static } from '@sinclair/typebox';
import { ERRORS } from '../../errors/catalogue.ts';
import { MAX_EVENTS_PER_REQUEST } from '../../audience/events/limits.ts';

/**
 * Schemas of POST /v1/apps/{appId}/track (track.ts). They hold the request's shape (JSON
 * types, known fields); the limits on names, properties and times are checked event by
 * event (src/audience/events/check-event.ts), so that one bad event is refused alone.
 */

export const TrackEvent = Type.Object(
  {
    userId: Type.String({ description: 'The site’s id of the user who did it (1 to 256 characters); a user not yet known is created' }),
    name: Type.String({ description: 'What happened: a letter, then letters, digits and _ . : - (64 at most), e.g. viewed_item; refused alone as invalid_event_name otherwise' }),
    properties: Type.Optional(
      Type.Record(Type.String(), Type.Unknown(), {
        description:
          'A flat object of strings (1,024 characters at most), numbers, booleans and nulls; keys are identifiers of 64 characters at most; at most 50 keys and 8 KB of JSON. Refused alone as invalid_event_property or event_properties_too_large otherwise',
      }),
    ),
    time: Type.Optional(Type.String({ description: 'RFC 3339 date-time of when it happened; now when absent. At most 5 minutes ahead of the server (event_in_future) and not older than the retention (event_expired)' })),
    id: Type.Optional(Type.String({ description: 'Your id for the event (1 to 128 of A-Z a-z 0-9 . _ : -): an event with an id already stored counts once, as a duplicate' })),
  },
  { additionalProperties: false },
);

export const TrackBody = Type.Object(
  {
    userIdHash: Type.Optional(Type.String({ pattern: '^[0-9a-fA-F]{64}$', description: "With the publishable key: hex HMAC-SHA-256 of the events' userId under the app's identity secret, made by your server; every event must then be for that one user" })),
    events: Type.Array(TrackEvent, { minItems: 1, maxItems: MAX_EVENTS_PER_REQUEST }),
  },
  { additionalProperties: false },
);
export type TrackBody = Static<typeof TrackBody>;

export const TrackResult = Type.Object({
  accepted: Type.Integer({ description: 'Events stored now' }),
  duplicates: Type.Integer({ description: 'Events whose id was already stored, or came twice in this request' }),
  refused: Type.Array(
    Type.Object({
      index: Type.Integer({ description: 'Position of the event in `events`' }),
      code: Type.String({ enum: Object.keys(ERRORS), description: 'Why, as an error code of the catalogue (docs/errors.md)' }),
      pointer: Type.String({ description: 'RFC 6901 JSON pointer to the field, as a URI fragment (#/events/3/name)' }),
    }),
    { description: 'Events left out; the others were stored' },
  ),
});
