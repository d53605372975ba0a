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
  userId?: string;
  userIdHash?: string;
  tags?: Record<string, string>;
  language?: string;
  timezone?: string;
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
