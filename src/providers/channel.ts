import type { Config } from '../config/defaults.ts';
import type { MessageContent } from '../message/content.ts';
import type { Outcome } from './outcome.ts';

/** A subscription's channel fields as stored. */
export interface ChannelAddress {
  address: string;
  p256dh: string | null;
  auth: string | null;
  environment: string | null;
  appTopic: string | null;
}

/** What a channel can carry; the pipeline asks these instead of testing channel names. */
export interface ChannelCapabilities {
  /** Largest payload the service accepts, in bytes, as `payloadBytes` counts it. */
  maxPayloadBytes: number;
  /** Replaces an undelivered message with the same key (RFC 8030 Topic, apns-collapse-id, collapse_key). */
  collapse: boolean;
  images: boolean;
  actions: boolean;
  /** Plays a named sound (`sound`). */
  sound: boolean;
  /** Sets the number on the app icon (`badgeCount`). */
  badgeCount: boolean;
  /** Delivers silent, data-only pushes that show nothing (`contentAvailable`). */
  dataOnly: boolean;
  /** Honours `interruptionLevel` (passive ... critical). */
  interruptionLevels: boolean;
}

/**
 * The pure side of a channel: validating subscriptions and sizing payloads happen in the
 * API process, which may run no sender at all.
 */
export interface Channel {
  readonly name: string;
  readonly capabilities: ChannelCapabilities;
  /**
   * Checks the channel's fields of a subscription request and returns what is stored.
   * Throws ApiError with a catalogue code on bad input.
   */
  parseSubscription(input: Record<string, unknown>, config: Config): ChannelAddress;
  /** The channel's fields as the API shows them (never secrets). */
  view(address: ChannelAddress): Record<string, unknown>;
  /** Size of the payload this channel would send for the content, to refuse it at the API. */
  payloadBytes(notificationId: string, content: MessageContent): number;
  /**
   * Refuses content the service would refuse for every recipient (a reserved data key),
   * at the API rather than at send time. Throws ApiError.
   */
  checkContent?(content: MessageContent): void;
  /**
   * The bucket of Carillon's shared rate limits that a request to this recipient counts
   * against (rate-limited-sender.ts): what the service sees as one sender.
   */
  rateKey(recipient: Recipient, message: OutgoingMessage): string;
  /** Requests a second per rate key, across all workers, as configured; 0 for no limit. */
  rate(config: Config): number;
  /**
   * Whether a 429 is about the sender as a whole and pauses its rate key (Web Push, RFC
   * 8030 §8.4), or about one device only (APNs TooManyRequests, FCM's device quota).
   */
  readonly pausesOnThrottle: boolean;
}

export interface Recipient extends ChannelAddress {
  seq: number;
  id: string;
}

/** One notification as a sender needs it. */
export interface OutgoingMessage {
  id: string;
  appId: string;
  content: MessageContent;
  /** s; what is left of the time-to-live. */
  ttl: number;
  urgency: 'very-low' | 'low' | 'normal' | 'high';
  /** Collapse key (RFC 8030 Topic). */
  topic: string | null;
  /**
   * The urgent lane (a top-priority civic alert, an urgent single send): senders use the
   * capacity kept for it (crypto threads, connections per origin), which broadcasts cannot
   * fill. Set by the deliver job from the job's priority, not by the message's urgency,
   * which any notification may ask for.
   */
  lane?: 'urgent';
}

/**
 * One recipient and the message it is sent. Personal content gives each recipient its
 * own message; recipients whose rendering is identical share one message object, and a
 * sender builds (and Web Push encrypts from) one payload per distinct object, so a plain
 * notification still costs one build per batch.
 */
export interface Send {
  recipient: Recipient;
  message: OutgoingMessage;
}

/** Told each send's final outcome as it is known: `index` into the sends given. */
export type OutcomeListener = (index: number, outcome: Outcome) => void;

/** The I/O side of a channel: one per worker process, sharing connections across apps. */
export interface Sender {
  /**
   * One outcome per send, in order. Never throws for a recipient's failure.
   * `settled`, when given, may be called with a send's index and outcome as soon as that
   * outcome is final, before the whole call resolves, so the caller can record progress
   * as it goes (a restart then repeats only what was in flight); a sender that does not
   * call it is recorded from the returned array.
   */
  send(sends: readonly Send[], settled?: OutcomeListener): Promise<Outcome[]>;
  close(): Promise<void>;
}

/**
 * Builds a value once per distinct key (an object by identity, a string by value): the
 * payload of each message of a batch (sends sharing a message object share the build),
 * the credentials of each app.
 * @example const payloadOf = oncePer((m: OutgoingMessage) => build(m)); payloadOf(m) === payloadOf(m)
 */
export function oncePer<K, V>(build: (key: K) => V): (key: K) => V {
  const built = new Map<K, V>();
  return (key) => {
    if (built.has(key)) return built.get(key)!;
    const value = build(key);
    built.set(key, value);
    return value;
  };
}

/**
 * Sends each app's sends with `sendApp` (credentials are per app), all apps at once, and
 * puts the outcomes back in the order of `sends`.
 */
export async function sendPerApp(sends: readonly Send[], sendApp: (appId: string, sends: Send[]) => Promise<Outcome[]>): Promise<Outcome[]> {
  const outcomes = new Array<Outcome>(sends.length);
  await Promise.all(
    [...byApp(sends)].map(async ([appId, indexes]) => {
      const answers = await sendApp(appId, indexes.map((i) => sends[i]!));
      indexes.forEach((i, k) => (outcomes[i] = answers[k]!));
    }),
  );
  return outcomes;
}

/** The indexes of the sends of each app, in order: credentials are per app. */
export function byApp(sends: readonly Send[]): Map<string, number[]> {
  const apps = new Map<string, number[]>();
  sends.forEach((s, i) => {
    const group = apps.get(s.message.appId);
    if (group) group.push(i);
    else apps.set(s.message.appId, [i]);
  });
  return apps;
}
