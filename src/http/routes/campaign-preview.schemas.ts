import { Type, type Static } from '@sinclair/typebox';
import { CampaignAudience } from '../../campaigns/campaign-input.ts';
import { CampaignContent } from '../../campaigns/content/index.ts';
import { MessageContent } from '../../message/content.ts';

/** Schemas of the campaign preview route (campaign-preview.ts). */

export const PreviewBody = Type.Object(
  {
    content: CampaignContent,
    defaultLanguage: Type.Optional(Type.String({ maxLength: 35, description: 'as for a campaign: the version for users whose language has none' })),
    strict: Type.Optional(Type.Boolean({ description: 'as for a campaign: a missing value fails the render instead of rendering blank' })),
    audience: Type.Optional(CampaignAudience),
    userId: Type.Optional(Type.String({ minLength: 1, maxLength: 256, description: 'the user to render as (external id)' })),
    random: Type.Optional(Type.Literal(true, { description: 'render as a user drawn at random from `audience` (the app’s users without one)' })),
  },
  { additionalProperties: false, description: 'A campaign’s content and whose eyes to see it with: exactly one of userId or random' },
);
export type PreviewBody = Static<typeof PreviewBody>;

const Version = Type.Union([
  Type.Object({ ok: Type.Literal(true), content: MessageContent }),
  Type.Object({
    ok: Type.Literal(false),
    detail: Type.String({ description: 'why this user’s render fails: a send would skip them as render_failed' }),
    pointer: Type.String({ description: 'RFC 6901 pointer into the body, as a URI fragment (#/content/fr/title)' }),
    line: Type.Optional(Type.Integer()),
    column: Type.Optional(Type.Integer()),
  }),
]);

export const Preview = Type.Object({
  user: Type.Object({
    id: Type.String(),
    language: Type.Union([Type.String(), Type.Null()]),
    timezone: Type.Union([Type.String(), Type.Null()]),
    country: Type.Union([Type.String(), Type.Null()]),
  }),
  language: Type.String({ description: 'the version this user gets: their language, else its base language, else the default (docs/campaigns-content.md#languages)' }),
  defaultLanguage: Type.String(),
  versions: Type.Record(Type.String(), Version, { description: 'every version, by its canonical language tag, rendered for this user' }),
});
