import type { Generated } from 'kysely';

/** The tables of Carillon's own RFC 8030 push service (migrations 002 and 008, src/push-service/); part of `Database` in schema.ts. */

/** A user agent known to Carillon's own push service (src/push-service/). */
export interface PushUaidsTable {
  /**
   * SHA-256 (base64url) of the uaid, never the uaid: handed out in the WebSocket `hello`
   * reply, the uaid is the only credential of a browser's connection (migration 008).
   */
  uaid_hash: string;
  created_at: number;
  connected_at: number;
}

/** One push message subscription of a user agent: a `register` over the WebSocket. */
export interface PushChannelsTable {
  /** push_uaids.uaid_hash */
  uaid_hash: string;
  /** Lower-case UUID chosen by the user agent. */
  channel_id: string;
  /** SHA-256 of the endpoint token: the token is a bearer secret in the endpoint URL. */
  token_hash: string;
  /** base64url P-256 key of a restricted subscription (RFC 8292 §4), or null. */
  app_server_key: string | null;
  created_at: number;
  /** Set by `unregister`; the row stays so that pushes get 410 Gone rather than 404. */
  unregistered_at: number | null;
}

/** A push message stored until the user agent acknowledges it or its TTL runs out (RFC 8030 §5.2). */
export interface PushMessagesTable {
  /** Delivery order. */
  seq: Generated<number>;
  /** Random; the `version` on the WebSocket and the push message resource in `Location`. */
  id: string;
  /** push_uaids.uaid_hash */
  uaid_hash: string;
  channel_id: string;
  /** RFC 8030 §5.4: a newer message with the same topic replaces this one. */
  topic: string | null;
  urgency: string;
  /** base64url of the encrypted body, as sent on the WebSocket; null for a push without payload. */
  data: string | null;
  /** Content-Encoding of the body (aes128gcm), null without payload. */
  encoding: string | null;
  created_at: number;
  expires_at: number;
  /** The sender's reference (Carillon-Delivery header), handed back with an ack 101 or 102. */
  delivery_ref: string | null;
}
