import { DELIVERY_REF_HEADER } from '../../push-service/push-request.ts';

export interface WebPushRequestOptions {
  /** s; RFC 8030 §5.2: how long the push service keeps an undelivered message. */
  ttl: number;
  urgency: string;
  topic: string | null;
  /** Names the notification and subscription to Carillon's own push service (src/delivery/unshown.ts). */
  deliveryRef?: string;
}

export interface PreparedRequest {
  url: string;
  headers: Record<string, string>;
  body: Uint8Array;
}

/**
 * The RFC 8030 request for one encrypted message. Pure: the body is already encrypted
 * (RFC 8291) and the Authorization value already signed (RFC 8292).
 */
export function buildWebPushRequest(endpoint: string, body: Uint8Array, authorization: string, opts: WebPushRequestOptions): PreparedRequest {
  const headers: Record<string, string> = {
    ttl: String(Math.max(0, Math.floor(opts.ttl))),
    urgency: opts.urgency,
    'content-encoding': 'aes128gcm',
    'content-type': 'application/octet-stream',
    authorization,
  };
  // RFC 8030 §5.4: a message with the same topic replaces an undelivered one, so a retry
  // of ours cannot show twice on a device that was offline.
  if (opts.topic) headers.topic = opts.topic;
  if (opts.deliveryRef) headers[DELIVERY_REF_HEADER] = opts.deliveryRef;
  return { url: endpoint, headers, body };
}
