/**
 * An FCM HTTP v1 simulator for tests, as strict as Google's service where Google
 * documents it ("Authorize send requests", "REST Resource: projects.messages",
 * "FCM error codes"):
 *
 * - POST /token: the OAuth 2 service-account flow (RFC 7523). The RS256 assertion must be
 *   signed by a key of a service account it issued (`kid` = private_key_id), with `iss`
 *   its client_email, `aud` the token URI, the firebase.messaging scope, and at most an
 *   hour between `iat` and `exp`. Answers `{access_token, expires_in, token_type}`;
 *   tokens expire.
 * - POST /v1/projects/{project}/messages:send over HTTP/2: the bearer token must be live
 *   and of that project; the message must have Google's shape (known fields, string data
 *   values, no reserved data keys, android.ttl as "Ns", HIGH|NORMAL priority) and at most
 *   4096 bytes of payload. Errors come as Google API errors with the FcmError detail.
 *
 * Fault switches: unregister a device, queue answers (429 QUOTA_EXCEEDED, 503, 500),
 * dropped connections or held answers per device, expire access tokens, send GOAWAY.
 */
import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import { fcmErrorBody, type FcmErrorCode } from '../../src/protocol/fcm/error-body.ts';
import { startH2Server, TEST_CA, waitOutHold, type H2Server, type HeldAnswer, type SimAnswer, type SimRequest } from './h2-server.ts';
import { checkMessage } from './fcm-message-check.ts';

const SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';
const GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const TOKEN_FORMAT = /^[A-Za-z0-9_-]{22}:APA91b[A-Za-z0-9_-]{100,}$/;

export interface FcmDelivery {
  projectId: string;
  token: string;
  /** The `message` object as received. */
  message: Record<string, any>;
  accessToken: string;
  connection: number;
  receivedAt: number;
}

export interface FcmAnswerRecord {
  token: string | null;
  status: number;
  errorCode: string | null;
}

/** A queued fault for one device: an answer, or the connection cut mid-request. */
export type FcmFault = { status: number; errorCode: FcmErrorCode; retryAfter?: number } | 'drop' | FcmHold;

/** The request is taken, and its answer (the usual one) waits until `until` settles: a slow FCM, streams held open. */
export type FcmHold = HeldAnswer;

interface Account {
  projectId: string;
  clientEmail: string;
  privateKeyId: string;
  publicKey: KeyObject;
}

interface Device {
  projectId: string;
  unregistered: boolean;
  faults: FcmFault[];
}

export interface FcmSimulatorOptions {
  /** s; lifetime of issued access tokens (Google: 3599). */
  accessTokenLifetime?: number;
  now?: () => number;
}

const STATUS_OF: Record<string, string> = { 400: 'INVALID_ARGUMENT', 401: 'UNAUTHENTICATED', 403: 'PERMISSION_DENIED', 404: 'NOT_FOUND', 429: 'RESOURCE_EXHAUSTED', 500: 'INTERNAL', 503: 'UNAVAILABLE' };

export class FcmSimulator {
  readonly ca = TEST_CA;
  readonly deliveries: FcmDelivery[] = [];
  readonly answers: FcmAnswerRecord[] = [];
  /** Token requests answered 200. */
  tokensIssued = 0;
  readonly #accounts = new Map<string, Account>(); // by private_key_id
  readonly #devices = new Map<string, Device>();
  readonly #accessTokens = new Map<string, { account: Account; expiresAt: number }>();
  readonly #lifetime: number;
  readonly #now: () => number;
  #goawayIn = 0;
  readonly #held = { count: 0 };
  #server!: H2Server;

  private constructor(options: FcmSimulatorOptions) {
    this.#lifetime = options.accessTokenLifetime ?? 3599;
    this.#now = options.now ?? Date.now;
  }

  static async start(options: FcmSimulatorOptions = {}): Promise<FcmSimulator> {
    const sim = new FcmSimulator(options);
    sim.#server = await startH2Server((req) => sim.#handle(req), { maxConcurrentStreams: 1000 });
    return sim;
  }

  get url(): string {
    return this.#server.url;
  }

  get tokenUri(): string {
    return `${this.#server.url}/token`;
  }

  /** Requests taken whose answer waits (a hold fault). */
  get held(): number {
    return this.#held.count;
  }

  get connections(): number {
    return this.#server.connections;
  }

  /** A service account key JSON, as Google Cloud's console downloads it. */
  createServiceAccount(projectId = `carillon-sim-${randomBytes(3).toString('hex')}`): Record<string, string> {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const privateKeyId = randomBytes(20).toString('hex');
    const clientEmail = `firebase-adminsdk-sim@${projectId}.iam.gserviceaccount.com`;
    this.#accounts.set(privateKeyId, { projectId, clientEmail, privateKeyId, publicKey });
    return {
      type: 'service_account',
      project_id: projectId,
      private_key_id: privateKeyId,
      private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
      client_email: clientEmail,
      client_id: String(BigInt(`0x${randomBytes(8).toString('hex')}`)),
      auth_uri: 'https://accounts.google.com/o/oauth2/auth',
      token_uri: this.tokenUri,
      auth_provider_x509_cert_url: 'https://www.googleapis.com/oauth2/v1/certs',
      client_x509_cert_url: `https://www.googleapis.com/robot/v1/metadata/x509/${encodeURIComponent(clientEmail)}`,
      universe_domain: 'googleapis.com',
    };
  }

  /** A registration token of an app of the project, as the Firebase SDK hands it out. */
  registerDevice(projectId: string): string {
    const token = `${randomBytes(16).toString('base64url').slice(0, 22)}:APA91b${randomBytes(105).toString('base64url')}`;
    this.#devices.set(token, { projectId, unregistered: false, faults: [] });
    return token;
  }

  /** The app was uninstalled: 404 UNREGISTERED from now on. */
  unregister(token: string): void {
    this.#device(token).unregistered = true;
  }

  respondWith(token: string, faults: FcmFault[]): void {
    this.#device(token).faults.push(...faults);
  }

  /** The key was deleted in Google Cloud: assertions it signs get 400 invalid_grant. */
  deleteKey(privateKeyId: string): void {
    this.#accounts.delete(privateKeyId);
  }

  /** Access tokens issued so far are refused (401), as after their hour. */
  expireAccessTokens(): void {
    for (const t of this.#accessTokens.values()) t.expiresAt = 0;
  }

  goaway(): void {
    this.#server.goaway(JSON.stringify({ reason: 'server shutting down' }));
  }

  /** GOAWAY on the connection that carries the n-th send request from now (mid-send). */
  goawayAfter(requests: number): void {
    this.#goawayIn = requests;
  }

  deliveriesTo(token: string): FcmDelivery[] {
    return this.deliveries.filter((d) => d.token === token);
  }

  close(): Promise<void> {
    return this.#server.close();
  }

  #device(token: string): Device {
    const d = this.#devices.get(token);
    if (!d) throw new Error(`FCM simulator: no device ${token.slice(0, 20)}…`);
    return d;
  }

  async #handle(req: SimRequest): Promise<SimAnswer | 'drop'> {
    if (req.path === '/token') return this.#token(req);
    const project = /^\/v1\/projects\/([^/]+)\/messages:send$/.exec(req.path)?.[1];
    if (!project || req.method !== 'POST') return { status: 404, headers: { 'content-type': 'text/html' }, body: 'Not Found' };
    return this.#send(req, decodeURIComponent(project));
  }

  async #token(req: SimRequest): Promise<SimAnswer> {
    const oauthError = (error: string, description: string): SimAnswer => ({ status: 400, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ error, error_description: description }) });
    if (req.method !== 'POST' || !String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) return oauthError('invalid_request', 'Expected a form POST');
    const form = new URLSearchParams(req.body.toString('utf8'));
    if (form.get('grant_type') !== GRANT) return oauthError('unsupported_grant_type', 'Invalid grant_type');
    const assertion = form.get('assertion') ?? '';
    let account: Account | undefined;
    try {
      const h = decodeProtectedHeader(assertion);
      account = h.alg === 'RS256' && typeof h.kid === 'string' ? this.#accounts.get(h.kid) : undefined;
    } catch {
      return oauthError('invalid_grant', 'Invalid JWT');
    }
    if (!account) return oauthError('invalid_grant', 'Invalid JWT Signature.');
    let claims: Record<string, unknown>;
    try {
      ({ payload: claims } = await jwtVerify(assertion, account.publicKey, { algorithms: ['RS256'], currentDate: new Date(this.#now()) }));
    } catch {
      return oauthError('invalid_grant', 'Invalid JWT Signature.');
    }
    const now = Math.floor(this.#now() / 1000);
    if (claims.iss !== account.clientEmail) return oauthError('invalid_grant', 'Invalid JWT: iss is not the service account');
    if (claims.aud !== this.tokenUri) return oauthError('invalid_grant', 'Invalid JWT: aud is not the token URI');
    if (typeof claims.scope !== 'string' || !claims.scope.split(' ').includes(SCOPE)) return oauthError('invalid_scope', 'Invalid OAuth scope or ID token audience provided.');
    const iat = claims.iat;
    const exp = claims.exp;
    if (typeof iat !== 'number' || typeof exp !== 'number' || exp - iat > 3600 || exp <= now || iat > now + 300) {
      return oauthError('invalid_grant', 'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.');
    }
    const accessToken = `ya29.sim-${randomBytes(24).toString('base64url')}`;
    this.#accessTokens.set(accessToken, { account, expiresAt: this.#now() + this.#lifetime * 1000 });
    this.tokensIssued++;
    return { status: 200, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify({ access_token: accessToken, expires_in: this.#lifetime, token_type: 'Bearer' }) };
  }

  async #send(req: SimRequest, projectId: string): Promise<SimAnswer | 'drop'> {
    if (this.#goawayIn > 0 && --this.#goawayIn === 0) this.#server.goawaySession(req.session, JSON.stringify({ reason: 'server shutting down' }));
    let token: string | null = null;
    const fail = (status: number, message: string, errorCode?: FcmErrorCode, fields: { field: string; description: string }[] = [], headers: Record<string, string> = {}): SimAnswer => {
      this.answers.push({ token, status, errorCode: errorCode ?? STATUS_OF[status] ?? null });
      return { status, headers: { 'content-type': 'application/json; charset=UTF-8', ...headers }, body: fcmErrorBody(status, STATUS_OF[status] ?? 'UNKNOWN', message, errorCode, fields) };
    };
    const bearer = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''))?.[1];
    const access = bearer ? this.#accessTokens.get(bearer) : undefined;
    if (!bearer || !access || access.expiresAt <= this.#now()) {
      return fail(401, 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.');
    }
    if (access.account.projectId !== projectId) return fail(403, "Permission 'cloudmessaging.messages.create' denied on resource (or it may not exist).");
    let body: any;
    try {
      body = JSON.parse(req.body.toString('utf8'));
    } catch {
      return fail(400, 'Invalid JSON payload received.', undefined, [{ field: '', description: 'Invalid JSON payload received.' }]);
    }
    const shape = checkMessage(body);
    if (shape) return fail(400, shape.description, shape.field === 'message' ? 'INVALID_ARGUMENT' : undefined, [shape]);
    const message = body.message as Record<string, any>;
    token = message.token;
    if (typeof token !== 'string' || !TOKEN_FORMAT.test(token)) return fail(400, 'The registration token is not a valid FCM registration token', 'INVALID_ARGUMENT');
    const device = this.#devices.get(token);
    if (!device || device.unregistered) return fail(404, 'Requested entity was not found.', 'UNREGISTERED');
    if (device.projectId !== projectId) return fail(403, 'SenderId mismatch', 'SENDER_ID_MISMATCH');
    const fault = await waitOutHold(device.faults.shift(), this.#held);
    if (fault === 'drop') {
      this.answers.push({ token, status: 0, errorCode: 'dropped' });
      return 'drop';
    }
    if (fault) {
      const message = fault.errorCode === 'QUOTA_EXCEEDED' ? 'Quota exceeded for quota metric' : fault.errorCode === 'UNAVAILABLE' ? 'The service is currently unavailable.' : 'Internal error encountered.';
      return fail(fault.status, message, fault.errorCode, [], fault.retryAfter !== undefined ? { 'retry-after': String(fault.retryAfter) } : {});
    }
    this.deliveries.push({ projectId, token, message, accessToken: bearer, connection: req.connection, receivedAt: Date.now() });
    this.answers.push({ token, status: 200, errorCode: null });
    return { status: 200, headers: { 'content-type': 'application/json; charset=UTF-8' }, body: JSON.stringify({ name: `projects/${projectId}/messages/0:${Date.now()}%${randomBytes(8).toString('hex')}` }) };
  }
}
