import { Type, type Static } from '@sinclair/typebox';
import { AudienceFilter } from '../../message/target.ts';

/** A segment as it is asked for: a name for people, and the filter that says who is in it (docs/audience.md). */
export const SegmentInput = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    filter: AudienceFilter,
  },
  { additionalProperties: false },
);
export type SegmentInput = Static<typeof SegmentInput>;

/** A change of a segment: its name, its filter, or both. */
export const SegmentPatch = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    filter: Type.Optional(AudienceFilter),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type SegmentPatch = Static<typeof SegmentPatch>;
