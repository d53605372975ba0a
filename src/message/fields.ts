import { Type } from '@sinclair/typebox';

/** Field schemas shared by the message model and the API's request schemas. */
export const Url = (description: string) => Type.String({ minLength: 1, maxLength: 2048, description });

/**
 * What a notification may link to or load: an `https:` URL (`http:` for the operator's
 * own tests), or a path on the site, which the service worker resolves against its own
 * origin. A `javascript:`, `data:` or `file:` URL in a notification would run or open
 * whatever a sender put there on a click; `//host` (scheme-relative) is refused as
 * ambiguous. No controls or spaces: they are not part of a URL.
 */
export const LINK_PATTERN = '^(?:[Hh][Tt][Tt][Pp][Ss]?://|/(?!/))[^\\u0000-\\u0020\\u007f]*$';
export const LINK_RULE = 'must be an https: (or http:) URL, or a path on the site such as /orders/1';
export const LinkUrl = (description: string) => Type.String({ minLength: 1, maxLength: 2048, pattern: LINK_PATTERN, description: `${description}; https:, http: or a path on the site` });
export const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });

// TypeBox compiles a Record's key schema to a catch-all pattern and drops its length
// limits, so the key rule is a pattern of its own: 1 to 64 characters. Records of tags
// repeat it as `propertyNames`: the OpenAPI document keeps that keyword, while it turns a
// Record's patternProperties into additionalProperties and loses the key rule.
export const TagKey = Type.String({ pattern: '^[^\\u0000]{1,64}$' });
