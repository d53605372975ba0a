import { Type, type Static } from '@sinclair/typebox';
import { Id, TagKey } from './fields.ts';

/** A saved segment's id, as the audience filter language names it (src/audience/filter/fields.ts SEGMENT_ID). */
export const SegmentId = Type.String({ pattern: '^seg_[A-Za-z0-9_-]{1,64}$', description: 'A segment id (seg_...)' });

/**
 * An audience filter: free-form JSON here, checked by the filter language's own validator
 * (src/audience/filter/validate-filter.ts), which answers `invalid_filter` or
 * `filter_too_complex` with a pointer to the part at fault. A JSON schema of the language
 * would answer `invalid_request` at the first branch it could not match instead.
 */
export const AudienceFilter = Type.Unknown({
  description:
    'An audience filter: one JSON object of the kinds and, or, not, attribute, event, tag, channel, near or segment, e.g. {"and": [{"attribute": "plan", "op": "eq", "value": "pro"}, {"channel": "webpush"}]}. The language, its limits and its errors: docs/audience.md',
});

/** Who a notification goes to: exactly one of these selectors. */
export const Target = Type.Union(
  [
    Type.Object({ subscriptionIds: Type.Array(Id, { minItems: 1, maxItems: 10_000 }) }, { additionalProperties: false }),
    Type.Object({ userIds: Type.Array(Type.String({ minLength: 1, maxLength: 256 }), { minItems: 1, maxItems: 10_000 }) }, { additionalProperties: false }),
    Type.Object({ tags: Type.Record(TagKey, Type.String({ maxLength: 256 }), { minProperties: 1, maxProperties: 10, additionalProperties: false, propertyNames: TagKey }) }, { additionalProperties: false }),
    Type.Object({ all: Type.Literal(true) }, { additionalProperties: false }),
    Type.Object({ segment: SegmentId }, { additionalProperties: false, description: "A saved segment's subscriptions; its filter is fixed when the notification is accepted" }),
    Type.Object({ filter: AudienceFilter }, { additionalProperties: false, description: 'The subscriptions an audience filter matches (docs/audience.md)' }),
  ],
  { description: 'Who a notification goes to: exactly one of these selectors' },
);
export type Target = Static<typeof Target>;
