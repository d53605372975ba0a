import { CarillonError, type Problem } from './errors.ts';
import type { OutboxEvent } from './store.ts';

export interface ApiConfig {
  serverUrl: string;
  appId: string;
  publishableKey: string;
}

/** PushSubscription.toJSON() and what the site knows about its user. */
export interface SubscriptionBody {
  endpoint: string;
  keys: { p256dh: string; auth: string };
  expirationTime?: number | null;
  /** null: the user signed out, and the server drops the user id it has for this subscription. */
  userId?: string | null;
  userIdHash?: string;
  tags?: Record<string, string>;
  language?: string;
  timezone?: string;
}

/** A custom attribute's value; an RFC 3339 date-time string is stored as a time. null removes it. */
export type AttributeValue = string | number | boolean | null;

/** What a browser may set on its own user (PUT /v1/apps/{appId}/users/{externalId}). */
export interface UserBody {
  attributes?: Record<string, AttributeValue>;
  language?: string;
  timezone?: string;
  userIdHash?: string;
}

/** One event for POST /track. */
export interface TrackEventBody {
  userId: string;
  name: string;
  properties?: Record<string, string | number | boolean | null>;
  /** When it happened; absent: now, on the server's clock. */
  time?: string;
  id: string;
}

export interface TrackAnswer {
  accepted: number;
  duplicates: number;
  refused: { index: number; code: string; pointer: string }[];
}

/** The routes of the Carillon API that a browser may call, with the publishable key. */
export class Api {
  readonly #base: string;
  readonly #key: string;

  constructor(config: ApiConfig) {
    this.#base = `${config.serverUrl.replace(/\/+$/, '')}/v1/apps/${encodeURIComponent(config.appId)}`;
    this.#key = config.publishableKey;
  }

  getApp(): Promise<{ vapidPublicKey: string }> {
    return this.#call('GET', '');
  }

  /** Creates the subscription, or updates the one with the same endpoint (then `created` is false). */
  async register(body: SubscriptionBody): Promise<{ id: string; created: boolean }> {
    const { status, json } = await this.#send('POST', '/subscriptions', { channel: 'webpush', ...body });
    return { id: (json as { id: string }).id, created: status === 201 };
  }

  async remove(subscriptionId: string): Promise<void> {
    await this.#call('DELETE', `/subscriptions/${encodeURIComponent(subscriptionId)}`);
  }

  report(events: OutboxEvent[]): Promise<{ accepted: number; duplicates: number; ignored: number }> {
    return this.#call('POST', '/events', { events });
  }

  /** Creates or merges the user; fields the body does not carry are left as they are. */
  putUser(userId: string, body: UserBody): Promise<unknown> {
    return this.#call('PUT', `/users/${encodeURIComponent(userId)}`, body);
  }

  /** A session start: the server counts it and sets the user's lastSeenAt. */
  async startSession(userId: string, userIdHash: string | undefined): Promise<void> {
    await this.#call('POST', `/users/${encodeURIComponent(userId)}/sessions`, userIdHash !== undefined ? { userIdHash } : {});
  }

  track(userIdHash: string | undefined, events: TrackEventBody[]): Promise<TrackAnswer> {
    return this.#call('POST', '/track', { ...(userIdHash !== undefined ? { userIdHash } : {}), events });
  }

  /** Every category of the app, true unless the user turned it off. */
  getPreferences(userId: string, userIdHash: string | undefined): Promise<Record<string, boolean>> {
    const query = userIdHash !== undefined ? `?userIdHash=${encodeURIComponent(userIdHash)}` : '';
    return this.#call('GET', `/users/${encodeURIComponent(userId)}/preferences${query}`);
  }

  setPreferences(userId: string, userIdHash: string | undefined, preferences: Record<string, boolean>): Promise<Record<string, boolean>> {
    return this.#call('PUT', `/users/${encodeURIComponent(userId)}/preferences`, { ...preferences, ...(userIdHash !== undefined ? { userIdHash } : {}) });
  }

  /** Any route of the app under the publishable key (the SDK's other modules, sdk/src/alerts.ts). */
  request<T>(method: string, path: string, body?: unknown): Promise<T> {
    return this.#call(method, path, body);
  }

  /** The user's own quiet hours (quiet-hours.ts); null: none set. */
  getQuietHours(userId: string, userIdHash: string | undefined): Promise<{ quietHours: { start: string; end: string } | null }> {
    const query = userIdHash !== undefined ? `?userIdHash=${encodeURIComponent(userIdHash)}` : '';
    return this.#call('GET', `/users/${encodeURIComponent(userId)}/quiet-hours${query}`);
  }

  setQuietHours(userId: string, userIdHash: string | undefined, quietHours: { start: string; end: string } | null): Promise<{ quietHours: { start: string; end: string } | null }> {
    return this.#call('PUT', `/users/${encodeURIComponent(userId)}/quiet-hours`, { quietHours, ...(userIdHash !== undefined ? { userIdHash } : {}) });
  }

  async #call<T>(method: string, path: string, body?: unknown): Promise<T> {
    return (await this.#send(method, path, body)).json as T;
  }

  async #send(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
    let res: Response;
    try {
      res = await fetch(this.#base + path, {
        method,
        headers: { authorization: `Bearer ${this.#key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        // The API authenticates by bearer key; cookies of the Carillon origin are never needed.
        credentials: 'omit',
      });
    } catch (err) {
      throw new CarillonError('network_error', `${method} ${this.#base}${path}: ${(err as Error).message}`);
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!res.ok) throw CarillonError.fromProblem(res.status, json as Problem | undefined);
    return { status: res.status, json };
  }
}
