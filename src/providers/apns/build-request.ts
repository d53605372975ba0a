import type { MessageContent } from '../../message/content.ts';
import { APNS_PRODUCTION_URL, APNS_SANDBOX_URL, apnsExpiration, apnsIdFor, buildApnsHeaders, devicePath, type ApnsPriority } from '../../protocol/apns/headers.ts';
import type { OutgoingMessage } from '../channel.ts';

export interface ApnsRequest {
  /** Scheme and host the request goes to. */
  origin: string;
  path: string;
  headers: Record<string, string>;
  body: Uint8Array;
}

export interface ApnsRecipient {
  id: string;
  /** The device token. */
  address: string;
  environment: string | null;
  /** The bundle id the device registered with; the credentials' topic otherwise. */
  appTopic: string | null;
}

export interface ApnsRequestContext {
  /** `CARILLON_APNS_URL`. */
  apnsUrl: string;
  defaultTopic: string;
  /** `bearer <provider token>`. */
  authorization: string;
  /** The payload JSON, built once per message. */
  payload: Uint8Array;
  nowMs: number;
}

/**
 * Where a device's notifications go: Apple's sandbox host for development builds when the
 * URL is Apple's production default; any other configured URL (a simulator, a proxy)
 * takes every device.
 */
export function apnsOrigin(environment: string | null, apnsUrl: string): string {
  const url = new URL(apnsUrl).origin;
  return url === APNS_PRODUCTION_URL && environment === 'sandbox' ? APNS_SANDBOX_URL : url;
}

/**
 * apns-priority from the urgency (RFC 8030 §5.3 words): 10 sends at once, 5 waits for
 * power-friendly moments, 1 does not wake the device. Apple refuses 10 for a background
 * push, and time-sensitive and critical alerts must be sent at 10.
 */
export function apnsPriority(content: MessageContent, urgency: OutgoingMessage['urgency']): ApnsPriority {
  if (content.apns?.priority !== undefined) return content.apns.priority;
  if (urgency === 'very-low') return 1;
  if (content.contentAvailable) return 5;
  if (content.interruptionLevel === 'time-sensitive' || content.interruptionLevel === 'critical') return 10;
  return urgency === 'low' ? 5 : 10;
}

/** The request for one device. Pure: the token is signed and the payload built by the caller. */
export function buildApnsRequest(recipient: ApnsRecipient, message: OutgoingMessage, ctx: ApnsRequestContext): ApnsRequest {
  const headers = buildApnsHeaders({
    topic: recipient.appTopic ?? ctx.defaultTopic,
    pushType: message.content.contentAvailable ? 'background' : 'alert',
    priority: apnsPriority(message.content, message.urgency),
    expiration: apnsExpiration(message.ttl, ctx.nowMs),
    collapseId: message.content.apns?.collapseId ?? message.topic,
    apnsId: apnsIdFor(message.id, recipient.id),
    authorization: ctx.authorization,
  });
  return { origin: apnsOrigin(recipient.environment, ctx.apnsUrl), path: devicePath(recipient.address), headers, body: ctx.payload };
}
