import { Type, type Static } from '@sinclair/typebox';
import { Id } from '../message/fields.ts';

/**
 * TypeBox schemas shared by the routes: one definition gives validation, the TypeScript
 * type (`Static<>`) and the OpenAPI document. Each route file's own schemas sit beside it
 * (routes/apps.schemas.ts, ...).
 */
export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    code: Type.String({ description: 'Stable error code; see /docs/errors' }),
    instance: Type.Optional(Type.String()),
  },
  { $id: 'Problem', additionalProperties: true, description: 'RFC 9457 problem details' },
);

export const AppParams = Type.Object({ appId: Id });
export const AppItemParams = Type.Object({ appId: Id, id: Id });
export type AppParams = Static<typeof AppParams>;
export type AppItemParams = Static<typeof AppItemParams>;
