import { Type } from '@sinclair/typebox';

/** Field schemas shared by the message model and the API's request schemas. */
export const Url = (description: string) => Type.String({ minLength: 1, maxLength: 2048, description });
export const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });

// TypeBox compiles a Record's key schema to a catch-all pattern and drops its length
// limits, so the key rule is a pattern of its own: 1 to 64 characters.
export const TagKey = Type.String({ pattern: '^[^\\u0000]{1,64}$' });
