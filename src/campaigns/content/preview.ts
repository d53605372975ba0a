import { sql } from 'kysely';
import { countAudience, compileContext } from '../../audience/filter/index.ts';
import { audienceRows } from '../../audience/filter/sql/audience-query.ts';
import type { Context } from '../../context.ts';
import { ApiError } from '../../errors/api-error.ts';
import type { MessageContent } from '../../message/content.ts';
import { audienceFilter } from '../campaign-definition.ts';
import type { CampaignAudience } from '../campaign-input.ts';
import type { CampaignContent } from './campaign-content.ts';
import { compileContent } from './compile-content.ts';
import { pointerFragment } from './content-error.ts';
import type { RenderContext } from './render-context.ts';
import { render } from './render.ts';
import { renderUser } from './render-user.ts';
import { versionFor } from './version-for.ts';

/** What a preview is asked for: a campaign's content, and whose eyes to render it for. */
export interface PreviewInput {
  content: CampaignContent;
  defaultLanguage?: string | undefined;
  strict?: boolean | undefined;
  /** Where `random` draws from; the app's users when absent. */
  audience?: CampaignAudience | undefined;
  /** The user to render as (external id)... */
  userId?: string | undefined;
  /** ...or a user drawn at random from the audience. */
  random?: boolean | undefined;
}

export type PreviewVersion =
  | { ok: true; content: MessageContent }
  | { ok: false; detail: string; pointer: string; line?: number; column?: number };

export interface Preview {
  user: { id: string; language: string | null; timezone: string | null; country: string | null };
  /** The version this user gets (the lookup of pick-language.ts). */
  language: string;
  defaultLanguage: string;
  /** Every version, by its canonical tag, rendered for this user. */
  versions: Record<string, PreviewVersion>;
}

/**
 * The campaign's content as one real user would get it, with the renderer the sends use
 * (compileContent, then render per version): every version rendered with the user's data,
 * and the version their language picks. A template that does not compile is refused as
 * at save (`template_invalid` with pointer, line and column); one that fails for this
 * user (strict and a value missing, a rendered URL that is not one) is answered in its
 * version with the pointer, as the send would skip the user (`render_failed`).
 *
 * Nothing is stored, and nothing counts: the user's data is read, not changed.
 */
export async function previewContent(ctx: Context, appId: string, input: PreviewInput, random: () => number = Math.random): Promise<Preview> {
  if ((input.userId !== undefined) === (input.random === true)) {
    throw new ApiError('invalid_request', 'Give exactly one of userId (a user to render as) or random: true (a user of the audience)', { pointer: '#/userId' });
  }
  const compiled = compileContent(input.content, { defaultLanguage: input.defaultLanguage, strict: input.strict === true, defaultLanguagePointer: '/defaultLanguage' }, '/content');
  const db = ctx.store.db;
  const userId = input.userId ?? (await randomUser(ctx, appId, input.audience, random));
  const row = await db.selectFrom('users').select(['external_id', 'language', 'timezone', 'country', 'attributes']).where('app_id', '=', appId).where('external_id', '=', userId).executeTakeFirst();
  if (!row) throw new ApiError('user_not_found', `No user ${userId} in this app`, { pointer: '#/userId' });
  const app = await db.selectFrom('apps').select(['name', 'globals']).where('id', '=', appId).executeTakeFirstOrThrow();
  const user = renderUser(row);
  const context: RenderContext = { user, app: { name: app.name, globals: app.globals === null ? {} : (JSON.parse(app.globals) as Record<string, unknown>) } };

  // The request's own key for each canonical tag, so pointers name the body's members.
  const keyOf = new Map(Object.keys(input.content).map((k) => [Intl.getCanonicalLocales(k)[0]!, k]));
  const versions: Record<string, PreviewVersion> = {};
  for (const language of compiled.languages) {
    const result = render(compiled, language, context);
    if (result.ok) versions[language] = { ok: true, content: result.content };
    else versions[language] = { ok: false, detail: result.detail, pointer: pointerFragment(`/content/${keyOf.get(language) ?? language}${result.field}`), ...(result.at ? { line: result.at.line, column: result.at.column } : {}) };
  }
  return {
    user: { id: user.id, language: user.language, timezone: user.timezone, country: user.country },
    language: versionFor(compiled, user.language).language,
    defaultLanguage: compiled.defaultLanguage,
    versions,
  };
}

/**
 * A user of the audience (with at least one matching subscription, as a send counts them),
 * drawn uniformly: the audience's size, then the user at a random place in seq order.
 */
async function randomUser(ctx: Context, appId: string, audience: CampaignAudience | undefined, random: () => number): Promise<string> {
  const db = ctx.store.db;
  if (audience === undefined) {
    // No audience chosen yet: any user of the app.
    const { n } = await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).where('app_id', '=', appId).executeTakeFirstOrThrow();
    const row = Number(n) === 0 ? undefined : await db.selectFrom('users').select('external_id as id').where('app_id', '=', appId).orderBy('seq').limit(1).offset(place(Number(n), random)).executeTakeFirst();
    if (!row) throw new ApiError('user_not_found', 'No user in this app to render as', { pointer: '#/random' });
    return row.id;
  }
  const filter = await audienceFilter(ctx, appId, audience);
  const opts = { now: ctx.now(), caps: ctx.store.caps };
  const { users } = await countAudience(db, appId, filter, opts);
  const query = await compileContext(db, appId, opts);
  const row =
    users === 0
      ? undefined
      : await audienceRows(db, filter, query)
          .select(sql<string>`users.external_id`.as('id'))
          .groupBy(['users.seq', 'users.external_id'])
          .orderBy('users.seq')
          .limit(1)
          .offset(place(users, random))
          .executeTakeFirst();
  if (!row) throw new ApiError('user_not_found', 'No user of this audience to render as', { pointer: '#/audience' });
  return row.id;
}

/** A place in [0, n), uniformly. */
function place(n: number, random: () => number): number {
  return Math.min(n - 1, Math.floor(random() * n));
}
