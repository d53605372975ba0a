/**
 * Checks a push message request (RFC 8030 §5) the way the push service must before it
 * stores anything: headers, body size and coding, and VAPID (RFC 8292).
 *
 * Pure: the time and the subscription's key are arguments.
 */
import { encodeBase64url } from '../protocol/webpush/base64url.ts';
import { MAX_BODY_BYTES, WEBPUSH_HEADER_BYTES } from '../protocol/webpush/ece.ts';
import { ProtocolError } from '../protocol/webpush/errors.ts';
import { isUrgency, parseTtlHeader, validateTopic, type Urgency } from '../protocol/webpush/headers.ts';
import { P256_PUBLIC_KEY_BYTES } from '../protocol/webpush/keys.ts';
import { verifyVapidAuthorization } from '../protocol/webpush/vapid.ts';

/** The HTTP status and a short reason for a refused push request. */
export class PushRequestError extends Error {
  override name = 'PushRequestError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface PushRequestInput {
  headers: Record<string, string | string[] | undefined>;
  body: Buffer | undefined;
  /** The key a restricted subscription was made with (RFC 8292 §4.2), or null. */
  appServerKey: string | null;
  /** Origin of the push resource: the `aud` VAPID tokens must carry (RFC 8292 §2). */
  audience: string;
  /** s since the epoch, for VAPID `exp`. */
  now: number;
  /** s; TTLs above this are kept this long (RFC 8030 §5.2 lets the service shorten them). */
  maxTtl: number;
}

export interface AcceptedPush {
  /** s actually kept, echoed in the response's TTL header (RFC 8030 §5.2). */
  ttl: number;
  urgency: Urgency;
  topic: string | null;
  /** base64url of the body, ready for the WebSocket `data` field; null without payload. */
  data: string | null;
  encoding: 'aes128gcm' | null;
  /** The sender's reference for this message, handed back with a failed ack; null when none came. */
  deliveryRef: string | null;
}

/**
 * Carillon's own sender names the notification and subscription of each message in this
 * header, so that an ack 101 or 102 can be charged to them. The push service keeps it as
 * an opaque string; other senders do not send it.
 */
export const DELIVERY_REF_HEADER = 'carillon-delivery';
const DELIVERY_REF = /^[A-Za-z0-9._-]{1,160}$/;

// RFC 8188 §2.1: salt (16), rs (4), idlen (1) come first; RFC 8291 §4: the keyid is the
// sender's 65-byte P-256 key; then at least one record: a delimiter and the 16-byte tag.
const SALT_BYTES = 16;
const MIN_RECORD_SIZE = 18;
const MIN_BODY_BYTES = WEBPUSH_HEADER_BYTES + 1 + 16;

/**
 * Accepts or refuses a push request; throws PushRequestError with the status to answer.
 *
 * @example
 *   const push = checkPushRequest({ headers: req.headers, body, appServerKey, audience, now, maxTtl });
 */
export function checkPushRequest(input: PushRequestInput): AcceptedPush {
  const header = (name: string): string | undefined => {
    const value = input.headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const body = input.body ?? Buffer.alloc(0);
  // RFC 8030 §7.2: a push service need not accept more than 4096 octets of body.
  if (body.length > MAX_BODY_BYTES) throw new PushRequestError(413, `the body is ${body.length} bytes; at most ${MAX_BODY_BYTES} are accepted`);

  const ttlHeader = header('ttl');
  // RFC 8030 §5.2: "An application server MUST include the TTL header field".
  if (ttlHeader === undefined) throw new PushRequestError(400, 'the TTL header is required (RFC 8030 §5.2)');
  let ttl: number;
  let topic: string | null = null;
  try {
    ttl = Math.min(parseTtlHeader(ttlHeader), input.maxTtl);
    const topicHeader = header('topic');
    if (topicHeader !== undefined) topic = validateTopic(topicHeader);
  } catch (error) {
    throw new PushRequestError(400, error instanceof ProtocolError ? error.message : String(error));
  }
  const urgencyHeader = header('urgency');
  if (urgencyHeader !== undefined && !isUrgency(urgencyHeader)) {
    throw new PushRequestError(400, 'Urgency must be very-low, low, normal or high (RFC 8030 §5.3)');
  }
  const urgency: Urgency = urgencyHeader ?? 'normal';

  let data: string | null = null;
  if (body.length > 0) {
    const coding = header('content-encoding')?.trim().toLowerCase();
    // RFC 8291 §4: Web Push payloads use the aes128gcm content coding; the older aesgcm
    // drafts are not forwarded.
    if (coding !== 'aes128gcm') throw new PushRequestError(400, 'a body needs Content-Encoding: aes128gcm (RFC 8291 §4)');
    checkAes128gcmHeader(body);
    data = encodeBase64url(body);
  }

  checkVapid(header('authorization'), input);
  // Malformed references are dropped, not refused: they are a hint, never needed to deliver.
  const ref = header(DELIVERY_REF_HEADER);
  const deliveryRef = ref !== undefined && DELIVERY_REF.test(ref) ? ref : null;
  return { ttl, urgency, topic, data, encoding: data === null ? null : 'aes128gcm', deliveryRef };
}

/**
 * Refuses bodies the browser could never decrypt, so the sender learns it now (400)
 * rather than never: the header must hold a P-256 key as keyid and a valid rs.
 */
function checkAes128gcmHeader(body: Buffer): void {
  const bad = (why: string) => new PushRequestError(400, `the body is not an RFC 8291 aes128gcm message: ${why}`);
  if (body.length < MIN_BODY_BYTES) throw bad(`${body.length} bytes is shorter than the header and one record`);
  if (body.readUInt32BE(SALT_BYTES) < MIN_RECORD_SIZE) throw bad('the record size is below 18 (RFC 8188 §2.1)');
  const idlen = body.readUInt8(SALT_BYTES + 4);
  if (idlen !== P256_PUBLIC_KEY_BYTES || body[SALT_BYTES + 5] !== 0x04) {
    throw bad('the keyid is not an uncompressed P-256 key (RFC 8291 §4)');
  }
}

/**
 * RFC 8292 §4.2: a restricted subscription refuses a request without vapid
 * authentication (401) or with an invalid one (403), including a key other than the
 * subscription's. For other subscriptions VAPID is voluntary, but a vapid header that is
 * sent must verify (§2: 403 when the JWT or its claims are invalid).
 */
function checkVapid(authorization: string | undefined, input: PushRequestInput): void {
  const isVapid = authorization !== undefined && /^vapid\s/i.test(authorization.trim());
  if (!isVapid) {
    if (input.appServerKey !== null) {
      throw new PushRequestError(401, 'this subscription is restricted: send Authorization: vapid t=..., k=... (RFC 8292 §4.2)');
    }
    return;
  }
  try {
    verifyVapidAuthorization(authorization, {
      audience: input.audience,
      now: input.now,
      ...(input.appServerKey !== null ? { expectedPublicKey: input.appServerKey } : {}),
    });
  } catch (error) {
    const reason = (error as { reason?: string }).reason;
    const detail = error instanceof ProtocolError ? error.message : String(error);
    throw new PushRequestError(403, `VAPID refused${reason ? ` (${reason})` : ''}: ${detail}`);
  }
}
