import type { Kysely } from 'kysely';
import type { Context } from '../context.ts';
import { ApiError } from '../errors/api-error.ts';
import type { Database } from '../store/schema.ts';
import { assertKnowledgeBase, type KnowledgeBase } from './assistant/index.ts';

export interface StoredKnowledgeBase {
  version: number;
  updatedAt: string;
  knowledgeBase: KnowledgeBase;
}

/**
 * Replaces the app's knowledge base, checked whole first (invalid_knowledge_base lists every
 * problem with its pointer; nothing is stored then). Each upload is a new version: the
 * matcher's index is cached per version, so the next reply is matched against this one.
 */
export async function putKnowledgeBase(ctx: Context, appId: string, body: unknown): Promise<StoredKnowledgeBase> {
  const kb = assertKnowledgeBase(body);
  const now = ctx.now();
  const text = JSON.stringify(kb);
  const version = await ctx.store.db.transaction().execute(async (tx) => {
    const app = await tx.selectFrom('apps').select('id').where('id', '=', appId).executeTakeFirst();
    if (!app) throw new ApiError('app_not_found', `No app ${appId}`);
    await tx
      .insertInto('assistant_knowledge_bases')
      .values({ app_id: appId, body: text, version: 1, updated_at: now })
      .onConflict((oc) => oc.column('app_id').doUpdateSet((eb) => ({ body: text, version: eb('assistant_knowledge_bases.version', '+', 1), updated_at: now })))
      .execute();
    const row = await tx.selectFrom('assistant_knowledge_bases').select('version').where('app_id', '=', appId).executeTakeFirstOrThrow();
    return row.version;
  });
  return { version, updatedAt: new Date(now).toISOString(), knowledgeBase: kb };
}

export async function getKnowledgeBase(ctx: Context, appId: string): Promise<StoredKnowledgeBase> {
  const row = await loadKnowledgeBase(ctx.store.db, appId);
  if (!row) throw new ApiError('knowledge_base_not_found', 'This app has no knowledge base yet: PUT one');
  return { version: row.version, updatedAt: new Date(row.updatedAt).toISOString(), knowledgeBase: row.knowledgeBase };
}

/** The app's knowledge base as stored, or undefined. */
export async function loadKnowledgeBase(db: Kysely<Database>, appId: string): Promise<{ version: number; updatedAt: number; knowledgeBase: KnowledgeBase } | undefined> {
  const row = await db.selectFrom('assistant_knowledge_bases').selectAll().where('app_id', '=', appId).executeTakeFirst();
  return row ? { version: row.version, updatedAt: row.updated_at, knowledgeBase: JSON.parse(row.body) as KnowledgeBase } : undefined;
}
