/**
 * An APNs provider API simulator for tests, as strict as Apple's service where Apple
 * documents it ("Sending notification requests to APNs", "Handling notification
 * responses from APNs", "Establishing a token-based connection to APNs"):
 *
 * - HTTP/2 over TLS only; POST /3/device/<token>; answers 200 with apns-id, or a status
 *   and `{"reason": ...}` (410 adds `timestamp`).
 * - The provider token: an ES256 JWT whose `kid` names a key of a team, verified against
 *   the public half Apple keeps; `iss` must be that team; `iat` more than an hour old is
 *   403 ExpiredProviderToken; a team that replaces its token sooner than 20 minutes
 *   after the last (unless the last had expired) gets 429 TooManyProviderTokenUpdates.
 * - apns-topic must be one of the team's bundle ids and the device's; apns-push-type,
 *   apns-priority, apns-expiration, apns-collapse-id (64 bytes) and apns-id are checked;
 *   the payload must be a JSON object with an `aps` dictionary, at most 4096 bytes.
 *
 * Not from Apple: 400 `InvalidPayload` for a body that is not such JSON (Apple documents
 * no reason for it). Fault switches: unregister a device, queue answers (429, 503, 500),
 * dropped connections or held answers per device, expire or revoke provider tokens, send GOAWAY.
 */
import { generateKeyPairSync, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import { startH2Server, TEST_CA, waitOutHold, type H2Server, type HeldAnswer, type SimAnswer, type SimRequest } from './h2-server.ts';

const PUSH_TYPES = new Set(['alert', 'background', 'voip', 'complication', 'fileprovider', 'mdm', 'liveactivity', 'location', 'pushtotalk', 'widgets', 'controls']);
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const MAX_PAYLOAD = 4096;

export interface ApnsTeam {
  teamId: string;
  keyId: string;
  /** The .p8 contents, as Apple's developer site hands it out. */
  key: string;
  topics: string[];
}

export interface ApnsDelivery {
  token: string;
  /** apns-* and content-type request headers. */
  headers: Record<string, string>;
  payload: Record<string, any>;
  jwt: string;
  claims: { iss: string; iat: number };
  connection: number;
  receivedAt: number;
}

export interface ApnsAnswerRecord {
  token: string | null;
  status: number;
  reason: string | null;
}

/** A queued fault for one device: an answer, or the connection cut mid-request. */
export type ApnsFault = { status: number; reason: string; retryAfter?: number } | 'drop' | ApnsHold;

/** The request is taken, and its answer (the usual one) waits until `until` settles: a slow APNs, streams held open. */
export type ApnsHold = HeldAnswer;

interface Device {
  topic: string;
  unregisteredAt: number | null;
  faults: ApnsFault[];
}

interface Team extends ApnsTeam {
  publicKey: KeyObject;
  revoked: boolean;
  current: { jwt: string; iat: number } | null;
}

export interface ApnsSimulatorOptions {
  /** ms since epoch; the simulator's clock for token ages. */
  now?: () => number;
}

const id10 = () => randomBytes(10).toString('base64').replace(/[^A-Za-z0-9]/g, '').toUpperCase().padEnd(10, 'Q').slice(0, 10);

export class ApnsSimulator {
  readonly ca = TEST_CA;
  readonly deliveries: ApnsDelivery[] = [];
  readonly answers: ApnsAnswerRecord[] = [];
  readonly #teams = new Map<string, Team>(); // by key id
  readonly #devices = new Map<string, Device>();
  /** Verified tokens, so a token is checked once, as a busy front end would cache it. */
  readonly #verified = new Map<string, { team: Team; iat: number }>();
  readonly #expired = new Set<string>();
  readonly #now: () => number;
  #goawayIn = 0;
  readonly #held = { count: 0 };
  #server!: H2Server;

  private constructor(options: ApnsSimulatorOptions) {
    this.#now = options.now ?? Date.now;
  }

  static async start(options: ApnsSimulatorOptions = {}): Promise<ApnsSimulator> {
    const sim = new ApnsSimulator(options);
    // Apple raises the stream limit of an authenticated connection to about 1000.
    sim.#server = await startH2Server((req) => sim.#handle(req), { maxConcurrentStreams: 1000 });
    return sim;
  }

  get url(): string {
    return this.#server.url;
  }

  /** HTTP/2 connections accepted so far. */
  /** Requests taken whose answer waits (a hold fault). */
  get held(): number {
    return this.#held.count;
  }

  get connections(): number {
    return this.#server.connections;
  }

  /** A team with a new token signing key, allowed to push to these bundle ids. */
  createTeam(topics: string[]): ApnsTeam {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const team: Team = { teamId: id10(), keyId: id10(), key: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, topics, publicKey, revoked: false, current: null };
    this.#teams.set(team.keyId, team);
    return { teamId: team.teamId, keyId: team.keyId, key: team.key, topics };
  }

  /** A device token for an app (bundle id), as iOS would hand it to the app. */
  registerDevice(topic: string): string {
    const token = randomBytes(32).toString('hex');
    this.#devices.set(token, { topic, unregisteredAt: null, faults: [] });
    return token;
  }

  /** The app was removed from the device: 410 Unregistered from now on. */
  unregister(token: string): void {
    this.#device(token).unregisteredAt = this.#now();
  }

  /** Answers for the device's next requests, in order; then normal service resumes. */
  respondWith(token: string, faults: ApnsFault[]): void {
    this.#device(token).faults.push(...faults);
  }

  /** Tokens seen so far are answered 403 ExpiredProviderToken (as if an hour had passed). */
  expireProviderTokens(): void {
    for (const jwt of this.#verified.keys()) this.#expired.add(jwt);
  }

  /** Apple revoked the key: every token it signs is 403 InvalidProviderToken. */
  revokeKey(keyId: string): void {
    this.#teams.get(keyId)!.revoked = true;
  }

  /** GOAWAY on every open connection, as APNs does before maintenance. */
  goaway(reason = 'Shutdown'): void {
    this.#server.goaway(JSON.stringify({ reason }));
  }

  /** GOAWAY on the connection that carries the n-th request from now (mid-send). */
  goawayAfter(requests: number): void {
    this.#goawayIn = requests;
  }

  deliveriesTo(token: string): ApnsDelivery[] {
    return this.deliveries.filter((d) => d.token === token);
  }

  close(): Promise<void> {
    return this.#server.close();
  }

  #device(token: string): Device {
    const d = this.#devices.get(token);
    if (!d) throw new Error(`APNs simulator: no device ${token}`);
    return d;
  }

  async #handle(req: SimRequest): Promise<SimAnswer | 'drop'> {
    if (this.#goawayIn > 0 && --this.#goawayIn === 0) this.#server.goawaySession(req.session, JSON.stringify({ reason: 'Shutdown' }));
    const token = /^\/3\/device\/([^/?]+)$/.exec(req.path)?.[1] ?? null;
    const fail = (status: number, reason: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}): SimAnswer => {
      this.answers.push({ token, status, reason });
      return { status, headers: { 'content-type': 'application/json', 'apns-id': header(req, 'apns-id') ?? randomUUID(), ...headers }, body: JSON.stringify({ reason, ...extra }) };
    };
    if (req.method !== 'POST') return fail(405, 'MethodNotAllowed');
    if (token === null) return fail(404, 'BadPath');

    // Provider token.
    const authorization = header(req, 'authorization');
    if (!authorization) return fail(403, 'MissingProviderToken');
    const jwt = /^bearer (.+)$/i.exec(authorization)?.[1];
    if (!jwt) return fail(403, 'InvalidProviderToken');
    const auth = await this.#verify(jwt);
    if (typeof auth === 'string') return fail(auth === 'TooManyProviderTokenUpdates' ? 429 : 403, auth);
    const { team, iat } = auth;

    // Headers.
    const topic = header(req, 'apns-topic');
    if (!topic) return fail(400, 'MissingTopic');
    if (!team.topics.includes(topic)) return fail(400, 'TopicDisallowed');
    const pushType = header(req, 'apns-push-type');
    if (!pushType || !PUSH_TYPES.has(pushType)) return fail(400, 'InvalidPushType');
    const priority = header(req, 'apns-priority') ?? '10';
    if (!['10', '5', '1'].includes(priority)) return fail(400, 'BadPriority');
    // "It is an error to use priority 10 for a notification that contains only the content-available key."
    if (pushType === 'background' && priority === '10') return fail(400, 'BadPriority');
    const expiration = header(req, 'apns-expiration');
    if (expiration !== undefined && !/^\d{1,10}$/.test(expiration)) return fail(400, 'BadExpirationDate');
    const collapseId = header(req, 'apns-collapse-id');
    if (collapseId !== undefined && Buffer.byteLength(collapseId) > 64) return fail(400, 'BadCollapseId');
    const apnsId = header(req, 'apns-id');
    if (apnsId !== undefined && !UUID.test(apnsId)) return fail(400, 'BadMessageId');

    // Device.
    if (!/^[0-9a-f]{64,200}$/.test(token)) return fail(400, 'BadDeviceToken');
    const device = this.#devices.get(token);
    if (!device) return fail(400, 'BadDeviceToken');
    if (device.topic !== topic) return fail(400, 'DeviceTokenNotForTopic');
    if (device.unregisteredAt !== null) return fail(410, 'Unregistered', { timestamp: device.unregisteredAt });

    // Payload.
    if (req.body.length === 0) return fail(400, 'PayloadEmpty');
    if (req.body.length > MAX_PAYLOAD) return fail(413, 'PayloadTooLarge');
    let payload: Record<string, any>;
    try {
      payload = JSON.parse(req.body.toString('utf8'));
    } catch {
      return fail(400, 'InvalidPayload');
    }
    if (typeof payload !== 'object' || payload === null || typeof payload.aps !== 'object' || payload.aps === null) return fail(400, 'InvalidPayload');
    if (pushType === 'background' && (payload.aps['content-available'] !== 1 || 'alert' in payload.aps || 'sound' in payload.aps || 'badge' in payload.aps)) {
      return fail(400, 'InvalidPushType');
    }

    // Faults asked for by the test, once the request itself is sound.
    const fault = await waitOutHold(device.faults.shift(), this.#held);
    if (fault === 'drop') {
      this.answers.push({ token, status: 0, reason: 'dropped' });
      return 'drop';
    }
    if (fault) return fail(fault.status, fault.reason, {}, fault.retryAfter !== undefined ? { 'retry-after': String(fault.retryAfter) } : {});

    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) if (name.startsWith('apns-') || name === 'content-type') headers[name] = String(value);
    this.deliveries.push({ token, headers, payload, jwt, claims: { iss: team.teamId, iat }, connection: req.connection, receivedAt: Date.now() });
    this.answers.push({ token, status: 200, reason: null });
    return { status: 200, headers: { 'apns-id': apnsId ?? randomUUID() } };
  }

  /** The team behind a provider token, or Apple's reason for refusing it. */
  async #verify(jwt: string): Promise<{ team: Team; iat: number } | string> {
    let entry = this.#verified.get(jwt);
    if (!entry) {
      let kid: string | undefined;
      try {
        const h = decodeProtectedHeader(jwt);
        if (h.alg !== 'ES256') return 'InvalidProviderToken';
        kid = h.kid;
      } catch {
        return 'InvalidProviderToken';
      }
      const team = kid ? this.#teams.get(kid) : undefined;
      if (!team) return 'InvalidProviderToken';
      try {
        const { payload } = await jwtVerify(jwt, team.publicKey, { algorithms: ['ES256'] });
        if (payload.iss !== team.teamId || typeof payload.iat !== 'number') return 'InvalidProviderToken';
        entry = { team, iat: payload.iat };
      } catch {
        return 'InvalidProviderToken';
      }
      // A revoked key's tokens are refused before they count as updates.
      if (team.revoked) return 'InvalidProviderToken';
      // A new token for the team: Apple allows one every 20 minutes, or when the last expired.
      const now = Math.floor(this.#now() / 1000);
      const last = team.current;
      if (last && last.jwt !== jwt) {
        const lastExpired = this.#expired.has(last.jwt) || now - last.iat > 3600;
        if (!lastExpired && entry.iat - last.iat < 20 * 60) return 'TooManyProviderTokenUpdates';
      }
      if (!last || entry.iat >= last.iat) team.current = { jwt, iat: entry.iat };
      this.#verified.set(jwt, entry);
    }
    if (entry.team.revoked) return 'InvalidProviderToken';
    const now = Math.floor(this.#now() / 1000);
    if (entry.iat > now + 60) return 'InvalidProviderToken';
    if (this.#expired.has(jwt) || now - entry.iat > 3600) return 'ExpiredProviderToken';
    return entry;
  }
}

function header(req: SimRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
