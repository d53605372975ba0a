/**
 * RFC 8030 §5 request header rules for push messages: TTL, Urgency, Topic.
 */
import { InvalidTopicError, InvalidTtlError, InvalidUrgencyError } from './errors.ts';

/** RFC 8030 §5.3, from lowest to highest. */
export const URGENCIES = ['very-low', 'low', 'normal', 'high'] as const;
export type Urgency = (typeof URGENCIES)[number];

/** RFC 8030 §5.4: "no more than 32 characters". */
export const MAX_TOPIC_LENGTH = 32;
/**
 * RFC 8030 §5.2 uses delta-seconds; RFC 9111 §1.2.2 caps what a recipient
 * needs to represent at 2^31. Push services keep messages far less long.
 */
export const MAX_TTL_SECONDS = 2 ** 31;

const TOPIC = /^[A-Za-z0-9_-]+$/;

/**
 * A Topic replaces an earlier undelivered message with the same topic
 * (RFC 8030 §5.4); it must be 1-32 characters of the base64url alphabet.
 */
export function validateTopic(topic: string): string {
  if (topic.length === 0 || topic.length > MAX_TOPIC_LENGTH) {
    throw new InvalidTopicError(`a topic is 1 to ${MAX_TOPIC_LENGTH} characters, got ${topic.length}`);
  }
  if (!TOPIC.test(topic)) {
    throw new InvalidTopicError('a topic uses only the base64url alphabet (A-Z a-z 0-9 - _)');
  }
  return topic;
}

export function isUrgency(value: unknown): value is Urgency {
  return typeof value === 'string' && (URGENCIES as readonly string[]).includes(value);
}

export function validateUrgency(value: string): Urgency {
  if (!isUrgency(value)) {
    throw new InvalidUrgencyError(`urgency must be one of ${URGENCIES.join(', ')}`);
  }
  return value;
}

/** A TTL in seconds: a non-negative integer (0 means deliver now or never, RFC 8030 §5.2). */
export function validateTtl(ttl: number): number {
  if (!Number.isSafeInteger(ttl) || ttl < 0 || ttl > MAX_TTL_SECONDS) {
    throw new InvalidTtlError(`TTL must be an integer number of seconds from 0 to ${MAX_TTL_SECONDS}`);
  }
  return ttl;
}

/**
 * Parses a TTL header value. delta-seconds is digits only, and a value too large
 * to represent is read as 2^31 rather than refused (RFC 9111 §1.2.2).
 */
export function parseTtlHeader(value: string): number {
  const text = value.trim();
  if (!/^\d+$/.test(text)) {
    throw new InvalidTtlError('the TTL header must be a number of seconds');
  }
  return Math.min(Number(text), MAX_TTL_SECONDS);
}
