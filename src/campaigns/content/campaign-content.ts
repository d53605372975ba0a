import { Type, type Static } from '@sinclair/typebox';
import { messageContentFields } from '../../message/content.ts';
import { LinkUrl } from '../../message/fields.ts';
import { MAX_ACTION_TITLE_TEMPLATE, MAX_BODY_TEMPLATE, MAX_LANGUAGES, MAX_TITLE_TEMPLATE, MAX_URL_TEMPLATE } from './limits.ts';

const LIQUID = 'Liquid allowed: docs/campaigns-content.md';

// A URL field's template is a string until it is rendered: `https://shop.example/{{ x }}`
// is not yet a URL, so the URL rule (https:, http: or a site path) is checked on the
// rendered value, per recipient. No controls but tab and newline even in the source.
const urlTemplate = (description: string) =>
  Type.String({ minLength: 1, maxLength: MAX_URL_TEMPLATE, pattern: '^[^\\u0000-\\u0008\\u000b-\\u001f\\u007f]*$', description: `${description}; ${LIQUID}; must render to an https:, http: or site-path URL` });

/** One action button; its title and URL may hold Liquid. */
export const TemplatedAction = Type.Object(
  {
    action: Type.String({ minLength: 1, maxLength: 64 }),
    title: Type.String({ minLength: 1, maxLength: MAX_ACTION_TITLE_TEMPLATE, description: `Button label; ${LIQUID}; at most 100 characters once rendered` }),
    url: Type.Optional(urlTemplate('Opened when this action is chosen')),
    icon: Type.Optional(LinkUrl('Action icon URL')),
  },
  { additionalProperties: false },
);
export type TemplatedAction = Static<typeof TemplatedAction>;

/**
 * MessageContent with Liquid allowed in title, body, url, icon, image and the actions'
 * titles and URLs. The other fields are taken as they are, under MessageContent's rules.
 */
export const TemplatedMessage = Type.Object(
  {
    ...messageContentFields,
    title: Type.String({ minLength: 1, maxLength: MAX_TITLE_TEMPLATE, description: `${LIQUID}; 1 to 1,000 characters once rendered` }),
    body: Type.Optional(Type.String({ maxLength: MAX_BODY_TEMPLATE, description: `${LIQUID}; at most 4,000 characters once rendered` })),
    url: Type.Optional(urlTemplate('Opened on click (Declarative Web Push `navigate`)')),
    icon: Type.Optional(urlTemplate('Icon image URL')),
    image: Type.Optional(urlTemplate('Large image URL')),
    actions: Type.Optional(Type.Array(TemplatedAction, { maxItems: 4 })),
  },
  { additionalProperties: false, description: 'One language version of a campaign message' },
);
export type TemplatedMessage = Static<typeof TemplatedMessage>;

/**
 * `{"en": {...}, "fr": {...}, "fr-CA": {...}}`: a campaign's message per language, keyed by
 * BCP 47 tag (RFC 5646). The keys are checked for well-formedness and duplicates (`fr-ca`
 * and `fr-CA` are one language) by compileContent, which answers invalid_content_language.
 */
export const CampaignContent = Type.Record(Type.String({ pattern: '^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$' }), TemplatedMessage, {
  minProperties: 1,
  maxProperties: MAX_LANGUAGES,
  propertyNames: { pattern: '^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$', maxLength: 35 },
  description: 'The message per language (BCP 47 tag); each user gets the best match of their language: docs/campaigns-content.md#languages',
});
export type CampaignContent = Static<typeof CampaignContent>;
