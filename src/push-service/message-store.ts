import { sql, type Insertable, type Kysely, type SelectQueryBuilder } from 'kysely';
import { columnsOf, prepared } from '../store/prepared.ts';
import type { Database } from '../store/schema.ts';
import type { PushMessagesTable } from '../store/schema-push-service.ts';

/** A push message as the WebSocket side needs it. */
export interface PendingMessage {
  id: string;
  channelId: string;
  /** base64url of the encrypted body, or null for a push without payload. */
  data: string | null;
  encoding: string | null;
  /** The sender's reference (Carillon-Delivery header), reported with a failed ack. */
  deliveryRef: string | null;
  /** The hash of the endpoint token it was posted to: the reference holds only for that endpoint. */
  tokenHash: string | null;
}

export interface StoredMessage extends PendingMessage {
  /** SHA-256 of the uaid (hashUaid): the uaid itself is a credential and is never stored. */
  uaidHash: string;
  topic: string | null;
  urgency: string;
  createdAt: number;
  /** ms; RFC 8030 §5.2: created + TTL. */
  expiresAt: number;
}

type MessageRow = Insertable<PushMessagesTable>;

const MESSAGE_COLUMNS = ['id', 'uaid_hash', 'channel_id', 'topic', 'urgency', 'data', 'encoding', 'created_at', 'expires_at', 'delivery_ref'] as const;
const messageValues = ($: MessageRow) => columnsOf($, MESSAGE_COLUMNS);

const insertMessage = prepared((db, $: MessageRow) => db.insertInto('push_messages').values(messageValues($)));

/** RFC 8030 §5.4: a message with a topic replaces the pending one of the same subscription and topic. */
const replaceTopicMessage = prepared((db, $: MessageRow) =>
  db
    .insertInto('push_messages')
    .values(messageValues($))
    .onConflict((oc) =>
      oc
        .columns(['uaid_hash', 'channel_id', 'topic'])
        .where('topic', 'is not', null)
        .doUpdateSet({ id: $.id, urgency: $.urgency, data: $.data, encoding: $.encoding, created_at: $.created_at, expires_at: $.expires_at, delivery_ref: $.delivery_ref }),
    ),
);

const ackedMessage = prepared((db, $: { uaidHash: string; id: string }) => db.deleteFrom('push_messages').where('uaid_hash', '=', $.uaidHash).where('id', '=', $.id));

const pendingCount = prepared((db, $: { uaidHash: string }) =>
  db
    .selectFrom('push_messages')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('uaid_hash', '=', $.uaidHash),
);

function withUsage(query: SelectQueryBuilder<Database, 'push_messages', object>) {
  return query.select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.coalesce(eb.fn.sum<number>(eb.fn('length', ['data'])), sql.lit(0)).as('bytes')]);
}

const channelUsage = prepared((db, $: { uaidHash: string; channelId: string }) => withUsage(db.selectFrom('push_messages').where('uaid_hash', '=', $.uaidHash).where('channel_id', '=', $.channelId)));

/**
 * Push messages kept until acknowledged or expired (RFC 8030 §5.2: store and forward),
 * on the shared Kysely store so that a restart loses none.
 */
export class MessageStore {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Stores a message. With a topic it replaces the pending message of the same
   * subscription and topic (RFC 8030 §5.4), taking its place in the queue under its own
   * id, so an ack of the replaced one does not remove it.
   */
  async put(message: StoredMessage): Promise<void> {
    const row: MessageRow = {
      id: message.id,
      uaid_hash: message.uaidHash,
      channel_id: message.channelId,
      topic: message.topic,
      urgency: message.urgency,
      data: message.data,
      encoding: message.encoding,
      created_at: message.createdAt,
      expires_at: message.expiresAt,
      delivery_ref: message.deliveryRef,
    };
    await (message.topic === null ? insertMessage : replaceTopicMessage).affected(this.db, row);
  }

  /**
   * Unexpired messages of the uaid in delivery order, leaving out those already on the
   * wire (`exclude`) and those of subscriptions that were dropped meanwhile.
   */
  async pending(uaidHash: string, now: number, exclude: readonly string[], limit: number): Promise<PendingMessage[]> {
    let query = this.db
      .selectFrom('push_messages as m')
      .innerJoin('push_channels as c', (join) => join.onRef('c.uaid_hash', '=', 'm.uaid_hash').onRef('c.channel_id', '=', 'm.channel_id'))
      .select(['m.id', 'm.channel_id', 'm.data', 'm.encoding', 'm.delivery_ref', 'c.token_hash'])
      .where('m.uaid_hash', '=', uaidHash)
      .where('m.expires_at', '>', now)
      .where('c.unregistered_at', 'is', null);
    if (exclude.length > 0) query = query.where('m.id', 'not in', exclude);
    const rows = await query.orderBy('m.seq').limit(limit).execute();
    return rows.map((r) => ({ id: r.id, channelId: r.channel_id, data: r.data, encoding: r.encoding, deliveryRef: r.delivery_ref, tokenHash: r.token_hash }));
  }

  /** Removes acknowledged messages (RFC 8030 §6.2); ids of other uaids are ignored. */
  async deleteAcked(uaidHash: string, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    // One ack at a time is the common case (Firefox acks each message as it is shown).
    if (ids.length === 1) return void (await ackedMessage.affected(this.db, { uaidHash, id: ids[0]! }));
    await this.db.deleteFrom('push_messages').where('uaid_hash', '=', uaidHash).where('id', 'in', ids).execute();
  }

  /** Cancels a message by its resource id; false when it is not pending (any more). */
  async deleteById(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('push_messages').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** Drops messages whose TTL ran out (RFC 8030 §5.2). */
  async deleteExpired(now: number): Promise<number> {
    const result = await this.db.deleteFrom('push_messages').where('expires_at', '<=', now).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /** Pending messages of a uaid: the cap on what one browser can be made to hold. */
  async count(uaidHash: string): Promise<number> {
    return Number((await pendingCount.first(this.db, { uaidHash }))?.n ?? 0);
  }

  /**
   * What one subscription holds: its messages and their stored payload (base64url
   * characters, as the `data` column keeps them). Read through the uaid's index, so it
   * costs at most the uaid's pending cap in rows.
   */
  async channelUsage(uaidHash: string, channelId: string): Promise<StorageUsage> {
    const row = await channelUsage.first(this.db, { uaidHash, channelId });
    return { messages: Number(row?.n ?? 0), bytes: Number(row?.bytes ?? 0) };
  }

  /** What the push service holds in all. */
  async totalUsage(): Promise<StorageUsage> {
    return this.#usage(this.db.selectFrom('push_messages'));
  }

  async #usage(query: SelectQueryBuilder<Database, 'push_messages', object>): Promise<StorageUsage> {
    const row = await withUsage(query).executeTakeFirstOrThrow();
    return { messages: Number(row.n), bytes: Number(row.bytes) };
  }
}

export interface StorageUsage {
  messages: number;
  /** base64url characters of payload, what the store keeps on disk for them. */
  bytes: number;
}
