import { Type, type Static } from '@sinclair/typebox';
import { Id, TagKey } from './fields.ts';

/** Who a notification goes to: exactly one of these selectors. */
export const Target = Type.Union(
  [
    Type.Object({ subscriptionIds: Type.Array(Id, { minItems: 1, maxItems: 10_000 }) }, { additionalProperties: false }),
    Type.Object({ userIds: Type.Array(Type.String({ minLength: 1, maxLength: 256 }), { minItems: 1, maxItems: 10_000 }) }, { additionalProperties: false }),
    Type.Object({ tags: Type.Record(TagKey, Type.String({ maxLength: 256 }), { minProperties: 1, maxProperties: 10, additionalProperties: false, propertyNames: TagKey }) }, { additionalProperties: false }),
    Type.Object({ all: Type.Literal(true) }, { additionalProperties: false }),
  ],
  { description: 'Who a notification goes to: exactly one of these selectors' },
);
export type Target = Static<typeof Target>;
