import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';
import { prepared } from '../store/prepared.ts';

export interface Channel {
  /** SHA-256 of the uaid (hashUaid): the uaid itself is a credential and is never stored. */
  uaidHash: string;
  channelId: string;
  /** base64url key of a restricted subscription (RFC 8292 §4.2), or null. */
  appServerKey: string | null;
  /** ms; set once the user agent unsubscribed. */
  unregisteredAt: number | null;
}

export interface RegisterInput {
  /** SHA-256 of the uaid (hashUaid): the uaid itself is a credential and is never stored. */
  uaidHash: string;
  channelId: string;
  tokenHash: string;
  appServerKey: string | null;
  now: number;
}

const channelByToken = prepared((db, $: { tokenHash: string }) => db.selectFrom('push_channels').select(['uaid_hash', 'channel_id', 'app_server_key', 'unregistered_at']).where('token_hash', '=', $.tokenHash));

/** uaids and their subscriptions (channels), on the shared Kysely store. */
export class ChannelStore {
  constructor(private readonly db: Kysely<Database>) {}

  /** Records a reconnect of a known uaid; false when the uaid is unknown. */
  async touchUaid(uaidHash: string, now: number): Promise<boolean> {
    const result = await this.db.updateTable('push_uaids').set({ connected_at: now }).where('uaid_hash', '=', uaidHash).executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Subscriptions of the uaid that are still active. */
  async activeCount(uaidHash: string): Promise<number> {
    const row = await this.db
      .selectFrom('push_channels')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('uaid_hash', '=', uaidHash)
      .where('unregistered_at', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /**
   * Creates the subscription, and the uaid on its first one (a uaid that never
   * subscribes is never stored, as in autopush). Registering a channelID again gives it
   * a new endpoint and drops messages for the old one: the browser made new keys, so
   * they could not be decrypted.
   */
  async register(input: RegisterInput): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('push_uaids')
        .values({ uaid_hash: input.uaidHash, created_at: input.now, connected_at: input.now })
        .onConflict((oc) => oc.column('uaid_hash').doNothing())
        .execute();
      await trx
        .deleteFrom('push_messages')
        .where('uaid_hash', '=', input.uaidHash)
        .where('channel_id', '=', input.channelId)
        .execute();
      await trx
        .insertInto('push_channels')
        .values({
          uaid_hash: input.uaidHash,
          channel_id: input.channelId,
          token_hash: input.tokenHash,
          app_server_key: input.appServerKey,
          created_at: input.now,
          unregistered_at: null,
        })
        .onConflict((oc) =>
          oc.columns(['uaid_hash', 'channel_id']).doUpdateSet({
            token_hash: input.tokenHash,
            app_server_key: input.appServerKey,
            created_at: input.now,
            unregistered_at: null,
          }),
        )
        .execute();
    });
  }

  /** Marks the subscription gone (410 from now on) and drops its pending messages. */
  async unregister(uaidHash: string, channelId: string, now: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('push_channels')
        .set({ unregistered_at: now })
        .where('uaid_hash', '=', uaidHash)
        .where('channel_id', '=', channelId)
        .where('unregistered_at', 'is', null)
        .execute();
      await trx.deleteFrom('push_messages').where('uaid_hash', '=', uaidHash).where('channel_id', '=', channelId).execute();
    });
  }

  async findByTokenHash(tokenHash: string): Promise<Channel | undefined> {
    const row = await channelByToken.first(this.db, { tokenHash });
    if (!row) return undefined;
    return { uaidHash: row.uaid_hash, channelId: row.channel_id, appServerKey: row.app_server_key, unregisteredAt: row.unregistered_at };
  }

  /** Forgets subscriptions unsubscribed before `before` (their endpoints answer 404 afterwards). */
  async deleteUnregisteredBefore(before: number): Promise<number> {
    const result = await this.db.deleteFrom('push_channels').where('unregistered_at', '<=', before).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
