import { Type, type Static } from '@sinclair/typebox';
import { SegmentInput, SegmentPatch } from '../../audience/segments/segment-input.ts';
import { CHANNELS } from '../../audience/filter/index.ts';
import { AudienceFilter } from '../../message/target.ts';

/** Schemas of the segment and audience estimate routes (segments.ts). */

export const SegmentBody = SegmentInput;
export type SegmentBody = Static<typeof SegmentBody>;
export const SegmentPatchBody = SegmentPatch;
export type SegmentPatchBody = Static<typeof SegmentPatchBody>;

export const EstimateBody = Type.Object({ filter: AudienceFilter }, { additionalProperties: false });
export type EstimateBody = Static<typeof EstimateBody>;

export const AudienceSize = Type.Object(
  {
    users: Type.Integer({ description: 'Users with at least one matching subscription, each once' }),
    subscriptions: Type.Integer({ description: 'Matching subscriptions: what a send to this audience targets' }),
    byChannel: Type.Object(Object.fromEntries(CHANNELS.map((c) => [c, Type.Integer()]))),
  },
  { description: 'The exact size of an audience now, on the server’s clock' },
);

const SegmentFields = {
  id: Type.String({ description: 'seg_...' }),
  name: Type.String(),
  filter: Type.Unknown({ description: 'The filter as saved, its segment references kept (docs/audience.md)' }),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
};
export const Segment = Type.Object(SegmentFields);
export const SegmentWithSize = Type.Object({ ...SegmentFields, size: AudienceSize });

export const SegmentListQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);
// Optional to clients; the schema's default (100) fills it in before the handler runs.
export type SegmentListQuery = Static<typeof SegmentListQuery> & { limit: number };

export const SegmentPage = Type.Object({ data: Type.Array(Segment), next: Type.Union([Type.String(), Type.Null()]) });
