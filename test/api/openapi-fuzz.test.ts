/**
 * The OpenAPI document as a contract, checked the way a generated client or an API fuzzer
 * would hold the server to it: for every operation, requests generated from its schemas
 * (valid ones, ones a step away from valid, and raw bodies), with each kind of key and
 * without, sent through inject() to a real runtime on SQLite. Every answer must be a
 * status the operation declares, in a media type it declares, with a body its schema
 * accepts; nothing answers 5xx; a request the document refuses is not accepted; a guarded
 * operation without a valid key answers 401, and another app's key is refused.
 *
 * Replay a failure with the seed it prints: CARILLON_FUZZ_SEED=<seed> npm test -- test/api/openapi-fuzz
 * (CARILLON_FUZZ_RUNS sets the runs per operation).
 */
import { after, describe, test } from 'node:test';
import * as OTPAuth from 'otpauth';
import { issueSetupToken } from '../../src/operators/setup.ts';
import { csrfTokenFor, openSession } from '../../src/operators/sessions.ts';
import assert from 'node:assert/strict';
import { createECDH, generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import pino from 'pino';
import { defaults, type Config } from '../../src/config/defaults.ts';
import { createRuntime } from '../../src/runtime.ts';
import { deref, invalidValue, validValue, type Schema } from '../support/openapi-arbitraries.ts';
import { newDevice, nonce, type TestDevice } from '../mfa/device.ts';
import { makeReplyToken } from '../../src/conversations/index.ts';

const SEED = Number(process.env.CARILLON_FUZZ_SEED ?? 20261201);
const RUNS = Number(process.env.CARILLON_FUZZ_RUNS ?? 100);

// A runtime without workers: nothing is delivered, so generated endpoints are never called.
const dataDir = mkdtempSync(join(tmpdir(), 'carillon-fuzz-'));
const adminKey = `crl_ak_fuzz_${randomBytes(8).toString('hex')}`;
const config: Config = { ...defaults, dataDir, adminKey, databaseUrl: '', redisUrl: '', logLevel: 'silent', publicUrl: 'https://push.carillon.test', clientRate: 0,
  // Generated passwords are mostly wrong: the password checks' limit would answer 429 to the right one too.
  loginAttemptsPerAccount: 0, loginAttemptsPerAddress: 0,
  // Every request comes from one address and a few devices: the device routes' limits would answer 429 to most of them.
  mfaDeviceRequestsPerAddress: 0, mfaDeviceRequestsPerDevice: 0,
  // The same for replies (docs/conversations.md): one address, one thread.
  replyPerAddress: 0, replyPerToken: 0, replyReadsPerToken: 0 };
const runtime = await createRuntime(config, { logger: pino({ level: 'silent' }) });
const { app } = runtime;
after(async () => {
  await runtime.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
// The first start's setup link, made while no operator exists (docs/dashboard.md); making
// the fixture's operators below ends it, as they would a real one.
const setupToken = (await issueSetupToken(runtime.ctx))!;

async function call(method: string, url: string, key: string, body?: unknown) {
  const res = await app.inject({ method: method as 'GET', url, headers: { authorization: `Bearer ${key}` }, ...(body ? { payload: body as object } : {}) });
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
  return res.json();
}

// Real things to aim at: two apps (one to reach, one that is another app's), a subscription
// and a notification of the first.
const appA = await call('POST', '/v1/apps', adminKey, { name: 'fuzz a', identityVerification: false });
const appB = await call('POST', '/v1/apps', adminKey, { name: 'fuzz b' });
const browser = createECDH('prime256v1');
browser.generateKeys();
const webPushKeys = { p256dh: browser.getPublicKey('base64url'), auth: randomBytes(16).toString('base64url') };
const subscription = await call('POST', `/v1/apps/${appA.id}/subscriptions`, appA.secretKey, { channel: 'webpush', endpoint: 'https://push.example.net/fuzz/1', keys: webPushKeys });
// A user of the first app, for the routes under /users/{externalId}.
const user = await call('PUT', `/v1/apps/${appA.id}/users/fuzz-user`, appA.secretKey, { attributes: { plan: 'gold' } });
// Another user's device, for a campaign's test send (fuzz-user is erased by DELETE .../users/{externalId}).
await call('POST', `/v1/apps/${appA.id}/subscriptions`, appA.secretKey, { channel: 'webpush', endpoint: 'https://push.example.net/fuzz/2', keys: webPushKeys, userId: 'fuzz-tester' });
const notification = await call('POST', `/v1/apps/${appA.id}/notifications`, appA.secretKey, { to: { subscriptionIds: [subscription.id] }, title: 'hello' });
// A thread to aim …/conversations/{id} at: threads open as a notification is sent, and this runtime sends nothing.
// One is closed by …/close, the other keeps taking replies and answers; the reply token is the open one's.
const conversation = { id: 'cnv_fuzzthread' };
const closableConversation = { id: 'cnv_fuzzclosed' };
// Taken over and handed back by …/take-over and …/release, so that a person holding it does not refuse the answers to the open one.
const heldConversation = { id: 'cnv_fuzzheld' };
for (const [id, subscriptionId] of [[conversation.id, subscription.id], [closableConversation.id, 'sub_fuzzother'], [heldConversation.id, 'sub_fuzzheld']]) {
  await runtime.ctx.store.db.insertInto('conversations').values({ id: id!, app_id: appA.id, notification_id: notification.id, subscription_id: subscriptionId!, user_id: null, state: 'open', assistant: 'webhook', title: 'hello', placeholder: 'Reply', reply_title: 'Reply', answer_to: 'device', next_seq: 1, created_at: Date.now(), updated_at: Date.now(), expires_at: Date.now() + 86_400_000 }).execute();
}
const replyToken = makeReplyToken(runtime.ctx.secrets, { appId: appA.id, notificationId: notification.id, subscriptionId: subscription.id, conversationId: conversation.id, expiresAt: Date.now() + 86_400_000 });
const segment = await call('POST', `/v1/apps/${appA.id}/segments`, appA.secretKey, { name: 'fuzz', filter: { channel: 'webpush' } });
// Named by generated filters, so that the segment the paths aim at is named by none and can be deleted.
const namedSegment = await call('POST', `/v1/apps/${appA.id}/segments`, appA.secretKey, { name: 'fuzz named', filter: { channel: 'fcm' } });
// A civic alert of the first app, in its JSON form (docs/civic-alerts.md).
const alertBody = (identifier: string) => ({ identifier, sender: 'fuzz@city.example', sent: '2026-12-01T10:00:00Z', status: 'Actual', msgType: 'Alert', scope: 'Public', infos: [{ categories: ['Met'], event: 'Storm', urgency: 'Immediate', severity: 'Severe', certainty: 'Observed', areas: [{ areaDesc: 'Centre', circles: [{ lat: 48.85, lon: 2.35, radiusKm: 5 }] }] }] });
const alert = await call('POST', `/v1/apps/${appA.id}/alerts`, appA.secretKey, alertBody('fuzz-1'));
// Webhook endpoints of the first app: one for /webhooks/{id} (deleted by its last method), one for the routes under it.
const webhook = await call('POST', `/v1/apps/${appA.id}/webhooks`, appA.secretKey, { url: 'https://hooks.example.com/fuzz' });
const webhookKept = await call('POST', `/v1/apps/${appA.id}/webhooks`, appA.secretKey, { url: 'https://hooks.example.com/fuzz-kept' });
// A CAP feed of the first app for /alert-feeds/{id} (no workers run here, so it is never polled).
const alertFeed = await call('POST', `/v1/apps/${appA.id}/alert-feeds`, appA.secretKey, { url: 'https://alerts.example.gov/fuzz.atom', interval: 300 });
// A geocode table of the first app for /geocode-tables/{valueName}.
await call('PUT', `/v1/apps/${appA.id}/geocode-tables/SAME?codeProperty=code`, appA.secretKey, { type: 'FeatureCollection', features: [{ type: 'Feature', properties: { code: '006109' }, geometry: { type: 'Polygon', coordinates: [[[-120, 38], [-119, 38], [-119, 39], [-120, 38]]] } }] });
// An API key of the first app for /keys/{keyId}: revoking it leaves the keys the fuzzer calls with.
const apiKey = await call('POST', `/v1/apps/${appA.id}/keys`, appA.secretKey, { kind: 'publishable', name: 'fuzz' });
// A dead letter for /queue/dead-letters/{id}/retry (no workers run here, so none fails by itself).
const deadLetter = await runtime.ctx.store.db
  .insertInto('jobs')
  .values({ name: 'fuzz-dead', data: '{}', key: null, priority: 0, run_at: 0, locked_until: 0, attempts: 3, state: 'failed', last_error: 'fuzz', created_at: 0 })
  .returning('id')
  .executeTakeFirstOrThrow();
// Campaigns in each state an action takes: a draft to read, change, test and delete, one
// to launch, a scheduled one to pause and to cancel, a paused one to resume.
const LATER = new Date(Date.now() + 180 * 86_400_000);
const campaignBody = (name: string) => ({ name, audience: { filter: { channel: 'webpush' } }, content: { en: { title: 'Hi {{ user.attributes.plan | default: "you" }}' } }, schedule: { at: LATER.toISOString() } });
const campaignOf = async (name: string, ...actions: string[]) => {
  const made = await call('POST', `/v1/apps/${appA.id}/campaigns`, appA.secretKey, campaignBody(name));
  for (const a of actions) await call('POST', `/v1/apps/${appA.id}/campaigns/${made.id}/${a}`, appA.secretKey);
  return made.id as string;
};
const campaigns = {
  draft: await campaignOf('fuzz draft'),
  deletable: await campaignOf('fuzz to test'),
  launchable: await campaignOf('fuzz launchable'),
  scheduled: await campaignOf('fuzz scheduled', 'launch'),
  cancellable: await campaignOf('fuzz cancellable', 'launch'),
  paused: await campaignOf('fuzz paused', 'launch', 'pause'),
  estimated: await campaignOf('fuzz estimated'),
};
// Journeys (docs/journeys.md): a draft at /journeys/{id} (changed, then deleted), an active one to pause and read runs of, one to archive.
const journeyBody = (name: string) => ({ name, trigger: { event: 'fuzz_cart' }, exit: { events: ['fuzz_buy'] }, steps: [{ wait: { duration: '1h' } }, { send: { content: { en: { title: 'Hi {{ event.properties.item | default: "there" }}' } } } }] });
const journeyOf = async (name: string, ...actions: string[]) => {
  const made = await call('POST', `/v1/apps/${appA.id}/journeys`, appA.secretKey, journeyBody(name));
  for (const a of actions) await call('POST', `/v1/apps/${appA.id}/journeys/${made.id}/${a}`, appA.secretKey);
  return made.id as string;
};
const journeys = { draft: await journeyOf('fuzz journey'), active: await journeyOf('fuzz active journey', 'activate'), archivable: await journeyOf('fuzz journey to archive', 'activate') };
// A second version of the active one, for migrate to move runs to.
await call('PATCH', `/v1/apps/${appA.id}/journeys/${journeys.active}`, appA.secretKey, { name: 'fuzz active journey, version 2' });
// Push sign-in (docs/mfa.md): users with enrolled devices. The challenges for the signed
// routes belong to users of their own, as a new challenge of a user supersedes the last.
const deviceRoute = async (url: string, body: unknown) => {
  const res = await app.inject({ method: 'POST', url, payload: body as object });
  if (res.statusCode >= 300) throw new Error(`POST ${url}: ${res.statusCode} ${res.body}`);
  return res.json();
};
const enrollmentToken = async (userId: string): Promise<string> => (await call('POST', `/v1/apps/${appA.id}/mfa/enrollments`, appA.secretKey, { userId })).token;
const mfaSubscription = (k: number) => ({ channel: 'webpush', endpoint: `https://push.example.net/fuzz/mfa-${k}`, keys: webPushKeys });
let enrolledDevices = 0;
const enrolledDevice = async (userId: string): Promise<TestDevice> => {
  const device = await newDevice();
  const made = await deviceRoute(`/v1/apps/${appA.id}/mfa/devices`, { token: await enrollmentToken(userId), publicKey: device.publicJwk, name: 'fuzz phone', subscription: mfaSubscription(enrolledDevices++) });
  device.id = made.id;
  return device;
};
await enrolledDevice('fuzz-mfa');
const revocableDevice = await enrolledDevice('fuzz-mfa');
const detailsDevice = await enrolledDevice('fuzz-mfa-details');
const answerDevice = await enrolledDevice('fuzz-mfa-answer');
await enrolledDevice('fuzz-mfa-read');
const mfaContext = { ip: '203.0.113.7', location: 'Lyon', userAgent: 'Firefox', appName: 'Fuzz Bank', action: 'Sign in' };
const newChallenge = async (userId: string): Promise<string> => (await call('POST', `/v1/apps/${appA.id}/mfa/challenges`, appA.secretKey, { userId, context: mfaContext })).challengeId;
// The run is longer than a default challenge lives (2 minutes): these live the longest allowed.
await call('PUT', `/v1/apps/${appA.id}/mfa/settings`, appA.secretKey, { challengeLifetime: 600, otpLifetime: 600, otpPushesPerWindow: 100 });
const challenges = { read: await newChallenge('fuzz-mfa-read'), details: await newChallenge('fuzz-mfa-details'), answer: await newChallenge('fuzz-mfa-answer') };
// The read one is closed, so that a generated `wait` (getMfaChallenge's long poll, up to 30 s) is answered at once.
await runtime.ctx.store.db.updateTable('mfa_challenges').set({ status: 'denied', reason: 'denied', answered_at: Date.now() }).where('id', '=', challenges.read).execute();
// A one-time code by push (docs/mfa.md#one-time-codes-by-push) of a user of its own, for …/otp/{otpId}/verify.
await enrolledDevice('fuzz-mfa-otp');
const fuzzOtp = (await call('POST', `/v1/apps/${appA.id}/mfa/otp`, appA.secretKey, { userId: 'fuzz-mfa-otp', purpose: 'fuzz sign-in' })).otpId as string;
// Even ten minutes can be less than a loaded machine takes to reach these operations: each
// gets a new challenge when its turn comes.
const CHALLENGE_OF: Record<string, [keyof typeof challenges, string]> = {
  getMfaChallengeDetails: ['details', 'fuzz-mfa-details'],
  answerMfaChallenge: ['answer', 'fuzz-mfa-answer'],
};
// What a device puts in a body is made fresh for each request (a token is used once, a
// nonce too): the generated body holds a placeholder that PREPARE replaces.
// A placeholder of the form the schemas take (a compact JWS, a token's length), so that the body is judged as the fresh one will be.
const FRESH = 'fresh.fresh.fresh';
const expSoon = () => Math.floor(Date.now() / 1000) + 60;
const FRESH_VALUES: Record<string, () => Promise<string>> = {
  enrollMfaDevice: () => enrollmentToken('fuzz-mfa-enrolled'),
  getMfaChallengeDetails: () => detailsDevice.sign({ challengeId: challenges.details, nonce: nonce(), exp: expSoon(), purpose: 'details' }),
  answerMfaChallenge: () => answerDevice.sign({ challengeId: challenges.answer, nonce: nonce(), purpose: 'answer', decision: 'deny', exp: expSoon() }),
  getAuthenticatorPushKey: () => enrollmentToken('fuzz-authenticator'),
};
/** Filters a client sends: valid ones, and ones the filter validator refuses (answered 400 or 422, as declared). */
const filterArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant({ channel: 'webpush' }),
  fc.constant({ segment: namedSegment.id }),
  fc.record({ attribute: fc.constant('plan'), op: fc.constantFrom('eq', 'neq'), value: fc.string({ maxLength: 8 }) }),
  fc.record({ and: fc.array(fc.record({ tag: fc.string({ minLength: 1, maxLength: 8 }), op: fc.constant('exists') }), { minLength: 1, maxLength: 3 }) }),
  fc.record({ event: fc.constantFrom('purchase', 'viewed_item'), within: fc.constantFrom('7d', '12h', '30m') }),
  fc.jsonValue({ maxDepth: 3 }),
);
// Operators: the one the `session` key signs in as (an administrator, as the admin key is),
// one to delete and one whose role on the app is set and taken away.
const FUZZ_PASSWORD = 'fuzz operator passphrase';
const fuzzOperator = await call('POST', '/v1/operators', adminKey, { email: 'fuzz@example.org', password: FUZZ_PASSWORD, admin: true });
const deletableOperator = await call('POST', '/v1/operators', adminKey, { email: 'deletable@example.org', password: FUZZ_PASSWORD });
const memberOperator = await call('POST', '/v1/operators', adminKey, { email: 'member@example.org', password: FUZZ_PASSWORD });
await call('POST', `/v1/apps/${appA.id}/members`, adminKey, { email: memberOperator.email, role: 'viewer' });
// The secret confirmTotp is run against: set as the pending one before each run (PREPARE).
const fuzzTotp = new OTPAuth.TOTP({ issuer: 'Carillon', label: 'fuzz@example.org', secret: new OTPAuth.Secret({ size: 20 }) });
// A user's TOTP authenticator (docs/mfa.md#totp) with fuzzTotp's secret, pending or confirmed, made afresh.
const mfaTotpOf = async (userId: string, confirmed: boolean) => {
  await runtime.ctx.store.db.deleteFrom('mfa_totp').where('app_id', '=', appA.id).where('user_id', '=', userId).execute();
  const secret = runtime.ctx.secrets.seal(fuzzTotp.secret.base32, `app:${appA.id}:mfa:totp:${userId}`);
  await runtime.ctx.store.db.insertInto('mfa_totp').values({ app_id: appA.id, user_id: userId, secret, confirmed_at: confirmed ? Date.now() : null, last_step: null, created_at: Date.now() }).execute();
};
const PREPARE: Record<string, () => Promise<void>> = {
  confirmMfaTotp: () => mfaTotpOf('fuzz-totp', false),
  verifyMfaTotp: () => mfaTotpOf('fuzz-totp-verify', true),
  removeMfaTotp: () => mfaTotpOf('fuzz-totp-remove', false),
  confirmTotp: async () => {
    await runtime.ctx.store.db.updateTable('operators').set({ totp_pending: runtime.ctx.secrets.seal(fuzzTotp.secret.base32, `operator:${fuzzOperator.id}:totp`), totp_last_step: null }).where('id', '=', fuzzOperator.id).execute();
  },
};
const apnsKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const serviceAccount = {
  type: 'service_account',
  project_id: 'carillon-fuzz',
  private_key_id: 'k1',
  private_key: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  client_email: 'push@carillon-fuzz.iam.gserviceaccount.com',
  token_uri: 'https://oauth2.googleapis.com/token',
};

const KEYS = {
  none: undefined,
  admin: adminKey,
  secret: appA.secretKey as string,
  publishable: appA.publishableKey as string,
  otherAppSecret: appB.secretKey as string,
  unknown: 'crl_sk_0000000000000000000000',
  malformed: 'Basic Zm9vOmJhcg==',
  // A dashboard session of an administrator: a cookie and its CSRF token, opened afresh per request.
  session: 'session',
} as const;
type KeyName = keyof typeof KEYS;
const VALID_KEYS: KeyName[] = ['admin', 'secret', 'publishable', 'otherAppSecret', 'session'];

/** Bodies a real client sends, so that generated requests also reach the handlers' own checks and their success answers. */
const REALISTIC_BODIES: Record<string, fc.Arbitrary<unknown>> = {
  createApp: fc.record({ name: fc.string({ minLength: 1, maxLength: 40 }), vapidSubject: fc.emailAddress().map((e) => `mailto:${e}`), identityVerification: fc.boolean() }, { requiredKeys: ['name'] }),
  updateApp: fc.record({ identityVerification: fc.boolean() }, { requiredKeys: [] }),
  registerSubscription: fc.oneof(
    fc.record({ channel: fc.constant('webpush'), endpoint: fc.webUrl({ validSchemes: ['https'] }), keys: fc.constant(webPushKeys), userId: fc.option(fc.string({ minLength: 1, maxLength: 8 }), { nil: undefined }), tags: fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }) }, { requiredKeys: ['channel', 'endpoint', 'keys'] }),
    fc.record({ channel: fc.constant('apns'), token: fc.stringMatching(/^[0-9a-f]{64}$/), environment: fc.constantFrom('production', 'sandbox'), topic: fc.constant('com.example.app') }, { requiredKeys: ['channel', 'token'] }),
    fc.record({ channel: fc.constant('fcm'), token: fc.stringMatching(/^[A-Za-z0-9_:-]{20,160}$/) }),
  ),
  sendNotification: fc.record(
    {
      to: fc.oneof(fc.constant({ all: true }), fc.constant({ subscriptionIds: [subscription.id] }), fc.constant({ segment: namedSegment.id }), filterArb.map((filter) => ({ filter })), fc.record({ userIds: fc.array(fc.string({ minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 3 }) }), fc.record({ tags: fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.string({ maxLength: 8 }), { minKeys: 1, maxKeys: 3 }) })),
      title: fc.string({ minLength: 1, maxLength: 40 }),
      body: fc.string({ maxLength: 200 }),
      url: fc.webUrl({ validSchemes: ['https'] }),
      ttl: fc.integer({ min: 0, max: 2_419_200 }),
      urgency: fc.constantFrom('very-low', 'low', 'normal', 'high'),
      sendAt: fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2030-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString()),
    },
    { requiredKeys: ['to', 'title'] },
  ),
  createSegment: fc.record({ name: fc.string({ minLength: 1, maxLength: 40 }), filter: filterArb }),
  updateSegment: fc.record({ name: fc.string({ minLength: 1, maxLength: 40 }), filter: filterArb }, { requiredKeys: [] }).filter((b) => Object.keys(b).length > 0),
  estimateAudience: fc.record({ filter: filterArb }),
  createWebhook: fc.record({ url: fc.oneof(fc.webUrl({ validSchemes: ['https'] }), fc.constantFrom('https://127.0.0.1/', 'http://hooks.example.com/')), events: fc.constantFrom('all', ['notification.clicked'], ['webhook.endpoint_disabled', 'subscription.opted_out']), batchSize: fc.integer({ min: 1, max: 1000 }) }, { requiredKeys: ['url'] }),
  replayWebhookMessages: fc.oneof(fc.record({ messageId: fc.constantFrom('msg_nope', 'x') }), fc.record({ from: fc.constant('2026-01-01T00:00:00Z'), to: fc.constantFrom('2026-01-02T00:00:00Z', '2025-01-01T00:00:00Z') })),
  createCampaign: fc.record(
    {
      name: fc.string({ minLength: 1, maxLength: 40 }),
      audience: fc.oneof(filterArb.map((filter) => ({ filter })), fc.constant({ segment: namedSegment.id })),
      content: fc.oneof(fc.constant(campaignBody('x').content), fc.record({ en: fc.record({ title: fc.string({ minLength: 1, maxLength: 40 }) }), fr: fc.record({ title: fc.string({ minLength: 1, maxLength: 40 }) }) })),
      defaultLanguage: fc.constant('en'),
      category: fc.constantFrom('promotions', 'orders', 'nothing'),
      schedule: fc.oneof(fc.constant({ at: LATER.toISOString() }), fc.constant({ localTime: { date: LATER.toISOString().slice(0, 10), time: '09:00' } }), fc.constant({ recurring: { cron: '0 9 * * MON', timezone: 'Europe/Paris' } })),
    },
    { requiredKeys: ['name', 'audience', 'content'] },
  ),
  createJourney: fc.record(
    {
      name: fc.string({ minLength: 1, maxLength: 40 }),
      trigger: fc.oneof(fc.constant({ event: 'fuzz_cart' }), fc.constant({ attributeChange: 'plan' }), filterArb.map((where) => ({ event: 'fuzz_cart', where }))),
      steps: fc.oneof(fc.constant(journeyBody('x').steps), fc.constant([{ wait: { duration: '2d' } }]), fc.record({ filter: filterArb }).map((branch) => [{ branch }])),
      reentry: fc.constantFrom('never', { after: '1d' }),
      limit: fc.record({ max: fc.integer({ min: 1, max: 10 }), per: fc.constantFrom('7d', '30d') }),
    },
    { requiredKeys: ['name', 'trigger', 'steps'] },
  ),
  migrateJourneyRuns: fc.record({ fromVersion: fc.integer({ min: 1, max: 3 }), steps: fc.constantFrom({}, { '/steps/0': '/steps/0' }, { '/steps/1': '/steps/9' }, { '/steps/0': '/steps/1' }), dryRun: fc.boolean() }, { requiredKeys: [] }),
  updateJourney: fc.record({ name: fc.string({ minLength: 1, maxLength: 40 }), reentry: fc.constantFrom('never', { after: '1d' }) }, { requiredKeys: [] }).filter((b) => Object.keys(b).length > 0),
  updateCampaign: fc.record({ name: fc.string({ minLength: 1, maxLength: 40 }), strict: fc.boolean(), schedule: fc.constantFrom(null, { at: LATER.toISOString() }) }, { requiredKeys: [] }).filter((b) => Object.keys(b).length > 0),
  testCampaign: fc.record({ userId: fc.constantFrom('fuzz-tester', 'nobody') }),
  previewCampaign: fc.oneof(
    fc.record({ content: fc.constant(campaignBody('x').content), defaultLanguage: fc.constant('en'), userId: fc.constantFrom('fuzz-tester', 'nobody') }),
    fc.record({ content: fc.constant(campaignBody('x').content), defaultLanguage: fc.constant('en'), random: fc.constant(true), audience: fc.oneof(filterArb.map((filter) => ({ filter })), fc.constant({ segment: namedSegment.id })) }, { requiredKeys: ['content', 'random'] }),
  ),
  updateCampaignSettings: fc
    .record({ timezone: fc.constantFrom('Europe/Paris', 'UTC', null, 'Nowhere/Else'), quietHours: fc.constantFrom({ start: '21:00', end: '08:00' }, null), capRules: fc.constantFrom([{ max: 3, window: '24h' }], null, []), globals: fc.constantFrom({ shop: 'x' }, null) }, { requiredKeys: [] })
    .filter((b) => Object.keys(b).length > 0),
  createAlertFeed: fc.record({ url: fc.oneof(fc.webUrl({ validSchemes: ['https'] }), fc.constantFrom('https://127.0.0.1/', 'http://alerts.example.gov/')), interval: fc.integer({ min: 30, max: 86_400 }) }),
  updateAlertFeed: fc.record({ url: fc.webUrl({ validSchemes: ['https'] }), interval: fc.integer({ min: 30, max: 86_400 }) }, { requiredKeys: [] }).filter((b) => Object.keys(b).length > 0),
  setAlertSettings: fc.record({ publicPage: fc.constant(true) }),
  putGeocodeTable: fc.constantFrom({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: { code: '006109' }, geometry: { type: 'Polygon', coordinates: [[[-120, 38], [-119, 38], [-119, 39], [-120, 38]]] } }] }, { type: 'FeatureCollection', features: [{ type: 'Feature', properties: {}, geometry: null }] }),
  receiveAlert: fc.string({ minLength: 1, maxLength: 16 }).map((id) => alertBody(id.replace(/[\s,<&]/g, '_'))),
  setFcmCredentials: fc.constant({ serviceAccount }),
  setApnsCredentials: fc.record({ keyId: fc.stringMatching(/^[A-Z0-9]{10}$/), teamId: fc.stringMatching(/^[A-Z0-9]{10}$/), key: fc.constant(apnsKey), topic: fc.constant('com.example.app') }),
  signIn: fc.constant({ email: 'fuzz@example.org', password: FUZZ_PASSWORD }),
  completeSetup: fc.constant({ token: setupToken, email: 'first@example.org', password: FUZZ_PASSWORD }),
  changePassword: fc.constant({ currentPassword: FUZZ_PASSWORD, newPassword: FUZZ_PASSWORD }),
  confirmTotp: fc.constant(null).map(() => ({ code: fuzzTotp.generate() })),
  confirmMfaTotp: fc.constant(null).map(() => ({ userId: 'fuzz-totp', code: fuzzTotp.generate() })),
  verifyMfaTotp: fc.record({ userId: fc.constant('fuzz-totp-verify'), code: fc.oneof(fc.constant(null).map(() => fuzzTotp.generate()), fc.string({ minLength: 1, maxLength: 8 })) }),
  removeMfaTotp: fc.constant({ userId: 'fuzz-totp-remove' }),
  removeTotp: fc.constant({ password: FUZZ_PASSWORD }),
  createOperator: fc.record({ email: fc.emailAddress({ size: 'small' }).filter((e) => /^[^\s@]+@[^\s@]+$/.test(e) && e.length <= 254), password: fc.string({ minLength: 12, maxLength: 40 }), admin: fc.boolean() }, { requiredKeys: ['email', 'password'] }),
  setMember: fc.record({ email: fc.constant(memberOperator.email as string), role: fc.constantFrom('viewer', 'editor', 'owner') }),
  createApiKey: fc.record({ kind: fc.constantFrom('secret', 'publishable'), name: fc.string({ minLength: 1, maxLength: 40 }) }, { requiredKeys: ['kind'] }),
  reportEvents: fc.record({
    events: fc.array(fc.record({ type: fc.constantFrom('prompt_shown', 'permission_granted', 'displayed', 'clicked'), notificationId: fc.constant(notification.id), subscriptionId: fc.constant(subscription.id) }, { requiredKeys: ['type'] }), { minLength: 1, maxLength: 3 }),
  }),
  enrollMfaDevice: fc.constant(null).map(() => ({ token: FRESH, publicKey: detailsDevice.publicJwk, name: 'fuzz phone', subscription: mfaSubscription(enrolledDevices++) })),
  createMfaChallenge: fc.record({ userId: fc.constantFrom('fuzz-mfa', 'nobody'), context: fc.constant(mfaContext) }),
  resetMfaLock: fc.record({ userId: fc.constantFrom('fuzz-mfa', 'nobody') }),
  getMfaChallengeDetails: fc.constant({ request: FRESH }),
  answerMfaChallenge: fc.constant({ answer: FRESH }),
  createMfaOtp: fc.record({ userId: fc.constantFrom('fuzz-mfa', 'nobody'), purpose: fc.constantFrom('sign in', 'confirm a payment', 'pay\u202Eknab', ''), length: fc.integer({ min: 5, max: 9 }) }, { requiredKeys: ['userId', 'purpose'] }),
  verifyMfaOtp: fc.record({ userId: fc.constantFrom('fuzz-mfa-otp', 'nobody'), code: fc.oneof(fc.stringMatching(/^[0-9]{6}$/), fc.string({ maxLength: 9 })) }),
  getAuthenticatorPushKey: fc.constant(null).map(() => ({ app: appA.id, token: FRESH })),
  postReply: fc.record({ token: fc.constant(replyToken), text: fc.string({ minLength: 1, maxLength: 40 }), clientId: fc.stringMatching(/^[a-z0-9-]{1,24}$/) }),
  simulateJourney: fc.oneof(
    fc.record({ userId: fc.constantFrom('fuzz-tester', 'nobody'), until: fc.constantFrom('1d', '30d') }, { requiredKeys: ['userId'] }),
    fc.record({ user: fc.constant({ language: 'en', attributes: { plan: 'gold' } }), events: fc.constant([{ name: 'fuzz_purchase', at: '+1h' }]), trigger: fc.constant({ properties: { total: 3 } }) }, { requiredKeys: ['user'] }),
  ),
};

/**
 * Where a body takes any JSON, a value nested thousands deep (and still within bodyLimit):
 * the server must refuse it or cope, never fail.
 */
const DEEP = `${'['.repeat(6000)}1${']'.repeat(6000)}`;
const DEEP_BODIES: Record<string, string> = {
  sendNotification: `{"to":{"all":true},"title":"deep","data":{"x":${DEEP}}}`,
  setFcmCredentials: `{"serviceAccount":{"x":${DEEP}}}`,
};

const ANALYTICS_PARAMS: Record<string, string[]> = {
  from: ['2026-11-01T00:00:00Z', '2026-11-28T10:00:00+01:00'],
  to: ['2026-11-30T00:00:00Z'],
  interval: ['hour', 'day'],
  groupBy: ['campaign', 'category', 'channel', 'variant'],
  metrics: ['delivered,clicked,click_rate', 'revenue,opt_in_rate'],
  timezone: ['Europe/Paris', 'UTC', 'Asia/Kolkata'],
};

/** Real path parameter values: mostly the app the keys belong to, sometimes the other one. */
function realParams(path: string, name: string): string[] {
  if (name === 'appId') return [appA.id, appA.id, appA.id, appB.id];
  if (name === 'id' && path.includes('/campaigns/')) {
    const action = path.split('/').at(-1);
    // The draft at /campaigns/{id} is deleted by the last method tested there; the sub-resources keep one of their own.
    const state = { launch: campaigns.launchable, pause: campaigns.scheduled, resume: campaigns.paused, cancel: campaigns.cancellable, test: campaigns.deletable, recipients: campaigns.scheduled, analytics: campaigns.scheduled, estimate: campaigns.estimated }[action!];
    return [state ?? campaigns.draft];
  }
  if (name === 'id' && path.includes('/journeys/')) {
    const action = path.split('/').at(-1);
    return [{ activate: journeys.active, pause: journeys.active, archive: journeys.archivable, runs: journeys.active, stats: journeys.active, simulate: journeys.active, migrate: journeys.active }[action!] ?? journeys.draft];
  }
  if (name === 'id' && path.includes('/alerts/')) return [alert.id];
  if (name === 'id' && path.includes('/dead-letters/')) return [String(deadLetter.id)];
  if (name === 'id' && path.includes('/alert-feeds/')) return [alertFeed.id];
  if (name === 'id' && path.includes('/conversations/')) return [path.endsWith('/close') ? closableConversation.id : /\/(take-over|release)$/.test(path) ? heldConversation.id : conversation.id];
  if (name === 'alertId') return [alert.id];
  if (name === 'carillon-reply-token') return [replyToken];
  if (name === 'deviceId') return [revocableDevice.id];
  if (name === 'challengeId') return [path.endsWith('/details') ? challenges.details : path.endsWith('/answer') ? challenges.answer : challenges.read];
  if (name === 'otpId') return [fuzzOtp];
  if (name === 'valueName') return ['SAME'];
  if (name === 'codeProperty') return ['code'];
  if (name === 'id' && path.includes('/webhooks/')) return [path.endsWith('/webhooks/{id}') ? webhook.id : webhookKept.id];
  if (name === 'id') return [path.includes('/subscriptions/') ? subscription.id : path.includes('/segments/') ? segment.id : notification.id];
  if (name === 'keyId') return [apiKey.id];
  if (name === 'externalId') return [user.externalId];
  if (name === 'operatorId') return [path.includes('/members/') ? memberOperator.id : deletableOperator.id];
  // An analytics query this server answers (docs/analytics.md#querying).
  if (path.endsWith('/analytics')) {
    const real = ANALYTICS_PARAMS[name];
    if (real) return real;
  }
  // A segment filter (docs/audience.md) that matches the user, and one that does not.
  if (name === 'filter') return ['{"attribute":"plan","op":"eq","value":"gold"}', '{"not":{"attribute":"country","op":"exists"}}'];
  return [];
}

const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
addFormats.default(ajv);
const compiled = new Map<unknown, ValidateFunction>();
function validator(schema: Schema): ValidateFunction {
  let v = compiled.get(schema);
  if (!v) compiled.set(schema, (v = ajv.compile(deref(doc, schema))));
  return v;
}

interface Operation {
  method: string;
  path: string;
  op: Schema;
}
const operations: Operation[] = Object.entries(doc.paths as Record<string, Record<string, Schema>>).flatMap(([path, item]) =>
  Object.entries(item).map(([method, op]) => ({ method: method.toUpperCase(), path, op })),
);

interface GeneratedRequest {
  key: KeyName;
  params: Record<string, { raw: string; valid: boolean }>;
  query: Record<string, { raw: string; valid: boolean }>;
  headers: Record<string, { raw: string; valid: boolean }>;
  body?: { payload: string; contentType: string; valid: boolean; deep?: boolean };
}

/** Percent-encodes everything but unreserved characters, dots included (so `..` stays a value, not a path step). */
const encodeSegment = (s: string) => encodeURIComponent(s).replace(/[.!'()*~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

function asParamString(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** A parameter's raw string is valid when its typed reading is: "5" for an integer 5. */
function paramIsValid(schema: Schema, raw: string): boolean {
  const resolved = deref(doc, schema);
  if (resolved.type === 'integer' || resolved.type === 'number') {
    if (!/^-?\d+(\.\d+)?$/.test(raw)) return false;
    return validator(schema)(Number(raw));
  }
  return validator(schema)(raw);
}

/**
 * An empty path segment is another route, not a value of this one; a header value is
 * visible ASCII (anything else is refused by the HTTP layer before the server sees it) and
 * has no surrounding spaces (which HTTP drops).
 */
function sendable(p: Schema, raw: string): boolean {
  if (p.in === 'path') return raw.length > 0;
  if (p.in === 'header') return /^[\x20-\x7e]*$/.test(raw) && raw === raw.trim();
  return true;
}

function paramArb(path: string, p: Schema, happy: boolean): fc.Arbitrary<{ raw: string; valid: boolean }> {
  const real = realParams(path, p.name);
  const raws = happy
    ? real.length ? fc.constantFrom(...real) : validValue(p.schema).map(asParamString)
    : fc.oneof(
    { weight: real.length ? 6 : 0, arbitrary: real.length ? fc.constantFrom(...real) : fc.constant('') },
    { weight: 5, arbitrary: validValue(p.schema).map(asParamString) },
    { weight: 2, arbitrary: invalidValue(p.schema).map(asParamString) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 80 }) },
  );
  return raws.filter((raw) => sendable(p, raw)).map((raw) => ({ raw, valid: paramIsValid(p.schema, raw) }));
}

function bodyArb(operationId: string, schema: Schema, happy: boolean): fc.Arbitrary<GeneratedRequest['body']> {
  const check = validator(schema);
  const json = (value: unknown) => ({ payload: JSON.stringify(value) ?? 'null', contentType: 'application/json', valid: check(value) });
  const realistic = REALISTIC_BODIES[operationId];
  if (happy) return (realistic ?? validValue(deref(doc, schema))).map(json);
  return fc.oneof(
    { weight: realistic ? 4 : 0, arbitrary: (realistic ?? fc.constant({})).map(json) },
    { weight: 3, arbitrary: validValue(deref(doc, schema)).map(json) },
    { weight: 3, arbitrary: invalidValue(deref(doc, schema)).map(json) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map(json) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        { payload: '{"name":', contentType: 'application/json', valid: false },
        { payload: '', contentType: 'application/json', valid: false },
        { payload: 'name=x', contentType: 'application/x-www-form-urlencoded', valid: false },
        { payload: '{}', contentType: 'text/plain', valid: false },
      ),
    },
    {
      weight: DEEP_BODIES[operationId] ? 1 : 0,
      arbitrary: fc.constant(DEEP_BODIES[operationId] ?? '{}').map((payload) => ({ payload, contentType: 'application/json', valid: check(JSON.parse(payload)), deep: true })),
    },
  );
}

/**
 * A quarter of the requests are what a well-behaved client sends (a key of the app, real
 * ids, valid values), so that the handlers' own checks and success answers are reached; a
 * quarter are the same with one thing wrong (the body, or one parameter), which must be
 * refused; the rest mix any key with valid, almost valid and raw input.
 */
function requestArb(operation: Operation): fc.Arbitrary<GeneratedRequest> {
  return fc.oneof(
    { weight: 1, arbitrary: requestOf(operation, true) },
    { weight: 1, arbitrary: nearMiss(operation) },
    { weight: 2, arbitrary: requestOf(operation, false) },
  );
}

function nearMiss(operation: Operation): fc.Arbitrary<GeneratedRequest> {
  const { op } = operation;
  const bodySchema = op.requestBody?.content?.['application/json']?.schema;
  const parameters: Schema[] = op.parameters ?? [];
  const targets = [...(bodySchema ? ['body'] : []), ...parameters.map((p) => p.name as string)];
  if (targets.length === 0) return requestOf(operation, true);
  return fc.tuple(requestOf(operation, true), fc.constantFrom(...targets)).chain(([req, target]): fc.Arbitrary<GeneratedRequest> => {
    if (target === 'body') {
      const check = validator(bodySchema);
      const from = REALISTIC_BODIES[op.operationId] ?? validValue(deref(doc, bodySchema));
      return invalidValue(deref(doc, bodySchema), from).map((value) => ({ ...req, body: { payload: JSON.stringify(value) ?? 'null', contentType: 'application/json', valid: check(value) } }));
    }
    const p = parameters.find((q) => q.name === target)!;
    const section = p.in === 'path' ? 'params' : p.in === 'header' ? 'headers' : 'query';
    return invalidValue(p.schema)
      .map(asParamString)
      .filter((raw) => sendable(p, raw))
      .map((raw) => ({ ...req, [section]: { ...req[section], [p.name]: { raw, valid: paramIsValid(p.schema, raw) } } }));
  });
}

function requestOf({ path, op }: Operation, happy: boolean): fc.Arbitrary<GeneratedRequest> {
  const parameters: Schema[] = op.parameters ?? [];
  const pathParams = parameters.filter((p) => p.in === 'path');
  const queryParams = parameters.filter((p) => p.in === 'query');
  const headerParams = parameters.filter((p) => p.in === 'header');
  const bodySchema = op.requestBody?.content?.['application/json']?.schema;
  return fc.record({
    headers: fc.record(Object.fromEntries(headerParams.map((p) => [p.name as string, paramArb(path, p, happy)])), { requiredKeys: headerParams.filter((p) => p.required).map((p) => p.name as string) }),
    key: happy
      ? fc.constantFrom<KeyName>('admin', 'secret', 'publishable', 'session')
      : fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...VALID_KEYS) }, { weight: 1, arbitrary: fc.constantFrom<KeyName>('none', 'unknown', 'malformed') }),
    params: fc.record(Object.fromEntries(pathParams.map((p) => [p.name, paramArb(path, p, happy)]))),
    query: fc
      .tuple(
        fc.record(Object.fromEntries(queryParams.map((p) => [p.name as string, paramArb(path, p, happy)])), { requiredKeys: queryParams.filter((p) => p.required).map((p) => p.name as string) }),
        // OpenAPI has no way to say that other query parameters are refused, so one the
        // document does not name is neither valid nor invalid: it is only sent.
        fc.oneof({ weight: 7, arbitrary: fc.constant(undefined) }, { weight: happy ? 0 : 1, arbitrary: fc.constant({ raw: 'x', valid: true }) }),
      )
      .map(([known, unknown]) => (unknown ? { ...known, unknownParameter: unknown } : known)),
    ...(bodySchema ? { body: bodyArb(op.operationId, bodySchema, happy) } : {}),
  }) as fc.Arbitrary<GeneratedRequest>;
}

function urlOf({ path }: Operation, req: GeneratedRequest): string {
  const filled = path.replace(/\{(\w+)\}/g, (_m, name: string) => encodeSegment(req.params[name]!.raw));
  const query = Object.entries(req.query).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v.raw)}`);
  return query.length ? `${filled}?${query.join('&')}` : filled;
}

const mediaType = (contentType: unknown) => String(contentType ?? '').split(';')[0]!.trim().toLowerCase();

/** Checks one answer against the document. */
function checkAnswer(operation: Operation, req: GeneratedRequest, res: { statusCode: number; headers: Record<string, unknown>; body: string }): void {
  const { op } = operation;
  const where = `${operation.method} ${operation.path} answered ${res.statusCode} ${res.headers['content-type'] ?? ''} ${res.body.slice(0, 300)}`;
  assert.ok(res.statusCode < 500, `no 5xx: ${where}`);
  const declared = op.responses[String(res.statusCode)];
  assert.ok(declared, `status ${res.statusCode} is not declared (declared: ${Object.keys(op.responses).join(', ')}): ${where}`);
  if (!declared.content) {
    assert.equal(res.body, '', `a ${res.statusCode} without content has no body: ${where}`);
  } else {
    const type = mediaType(res.headers['content-type']);
    const media = declared.content[type];
    assert.ok(media, `content-type ${type} is not declared for ${res.statusCode} (declared: ${Object.keys(declared.content).join(', ')}): ${where}`);
    const body = type.endsWith('json') ? JSON.parse(res.body) : res.body;
    const validate = validator(media.schema);
    assert.ok(validate(body), `the body does not match the declared schema: ${ajv.errorsText(validate.errors)}: ${where}`);
  }

  // A key reaches its own app only (src/http/guards.ts).
  // (A public route, such as the public alert page, answers whatever key comes along.)
  if (req.key === 'otherAppSecret' && req.params.appId?.raw === appA.id && !(Array.isArray(op.security) && op.security.length === 0)) assert.ok(res.statusCode >= 400, `another app's key was let in: ${where}`);

  // Keys are checked before anything else (src/http/guards.ts), so a stranger learns nothing of the route.
  const guarded = !(Array.isArray(op.security) && op.security.length === 0);
  if (guarded && !VALID_KEYS.includes(req.key)) assert.equal(res.statusCode, 401, `a guarded operation answers 401 without a valid key (key ${req.key}): ${where}`);
  const invalidInput = [...Object.values(req.params), ...Object.values(req.query), ...Object.values(req.headers)].some((p) => !p.valid) || (req.body !== undefined && !req.body.valid);
  if (invalidInput) assert.ok(res.statusCode >= 300, `a request the document refuses is not accepted: ${JSON.stringify(req).slice(0, 500)}: ${where}`);
}

describe('the OpenAPI document holds for generated requests (sqlite)', () => {
  test('the document describes the API routes', () => {
    assert.ok(operations.length >= 20, `${operations.length} operations`);
  });

  for (const operation of operations) {
    test(`${operation.method} ${operation.path} (${operation.op.operationId})`, async (t) => {
      const statuses = new Map<number, number>();
      const challenge = CHALLENGE_OF[operation.op.operationId];
      if (challenge) challenges[challenge[0]] = await newChallenge(challenge[1]);
      const details = await fc.check(
        fc.asyncProperty(requestArb(operation), async (req) => {
          const key = req.key === 'session' ? undefined : KEYS[req.key];
          const session = req.key === 'session' ? (await openSession(runtime.ctx, fuzzOperator.id)).token : undefined;
          await PREPARE[operation.op.operationId]?.();
          const fresh = FRESH_VALUES[operation.op.operationId];
          const payload = fresh && req.body?.payload.includes(FRESH) ? req.body.payload.replace(JSON.stringify(FRESH), JSON.stringify(await fresh())) : req.body?.payload;
          const res = await app.inject({
            method: operation.method as 'GET',
            url: urlOf(operation, req),
            headers: {
              ...Object.fromEntries(Object.entries(req.headers).map(([name, v]) => [name.toLowerCase(), v.raw])),
              ...(key ? { authorization: key.startsWith('Basic ') ? key : `Bearer ${key}` } : {}),
              // publicUrl is https: the cookie has its __Host- name (src/http/session-cookie.ts).
              ...(session ? { cookie: `__Host-carillon_session=${session}`, 'x-csrf-token': csrfTokenFor(session) } : {}),
              ...(req.body ? { 'content-type': req.body.contentType } : {}),
            },
            ...(req.body ? { payload } : {}),
          });
          statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
          checkAnswer(operation, req, res);
        }),
        // Shrinking replays requests; past the limit the smallest failure found so far is reported.
        { seed: SEED, numRuns: RUNS, interruptAfterTimeLimit: 15_000 },
      );
      // Generated requests must also get through, or only the refusals would be checked. The
      // setup link makes the first operator only, and the fixture has made operators: here
      // its every answer is a refusal (its success is tested in test/api/operators.test.ts).
      if (operation.op.operationId === 'completeSetup') assert.ok(statuses.has(401), `the setup link is refused once operators exist: ${[...statuses.keys()].join(', ')}`);
      else assert.ok([...statuses.keys()].some((status) => status < 300), `no generated request succeeded: ${[...statuses.keys()].join(', ')}`);
      t.diagnostic(`answers: ${[...statuses].sort(([a], [b]) => a - b).map(([status, n]) => `${status} x${n}`).join(', ')}`);
      if (details.failed) {
        const error = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
        assert.fail(`seed ${details.seed}, path "${details.counterexamplePath}" (replay: CARILLON_FUZZ_SEED=${details.seed} npm test -- test/api/openapi-fuzz)\ncounterexample: ${JSON.stringify(details.counterexample)}\n${error}`);
      }
    });
  }
});
