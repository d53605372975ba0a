import { availableParallelism } from 'node:os';

/**
 * Every setting Carillon has, with its default, its unit and the reason for the default.
 * Each key also has an environment variable and a CLI flag, derived in ./keys.ts, and an
 * entry in carillon.env.example (a test checks all three agree).
 */
export const defaults = {
  /** TCP port of the HTTP API. */
  port: 8080,
  /** Interface to listen on; loopback by default so a first start exposes nothing. */
  host: '127.0.0.1',
  /** Public base URL of this server, used in links it hands out; derived from host:port when empty. */
  publicUrl: '',
  /** Folder for the SQLite database and the generated master key. */
  dataDir: './data',
  /** PostgreSQL URL; when set it replaces the embedded SQLite store. */
  databaseUrl: '',
  /** Connections in the PostgreSQL pool of one process. */
  databasePoolSize: 10,
  /** Redis URL; when set, the job queue runs on BullMQ in Redis instead of in the store. */
  redisUrl: '',
  /** Prefix of the queue's keys in Redis: installations sharing one Redis each need their own. */
  queuePrefix: 'carillon',
  /** What this process runs: api, worker, or both (one process does everything). */
  role: 'both',
  /** Also run Carillon's own RFC 8030 push service (WebSocket at /push/ws) on the same port. */
  pushService: false,
  /** Public base URL of the push service's endpoints; derived from publicUrl when empty. */
  pushServiceUrl: '',
  /** s; longest TTL the push service keeps a message (autopush's 60 days); a longer one is lowered to this and the TTL response header says so (RFC 8030 §5.2). */
  pushMaxTtl: 5_184_000,
  /** Subscriptions one push service WebSocket may make; a browser subscribes one site at a time, so more on one connection is a script. */
  pushChannelsPerConnection: 100,
  /** Subscriptions one client address may make per hour on the push service (a bucket that refills over the hour): room for an office behind one NAT, not for filling the disk. */
  pushChannelsPerAddress: 1_000,
  /** New browsers (uaids) one client address may bring per hour on the push service; a uaid is made at a browser's first subscription. */
  pushUaidsPerAddress: 100,
  /** Messages the push service keeps for one subscription until its browser collects them; beyond, 429. */
  pushMessagesPerChannel: 100,
  /** bytes; stored payload (base64url) the push service keeps for one subscription: about 45 messages of the largest size; beyond, 429. */
  pushBytesPerChannel: 262_144,
  /** Messages the push service keeps in all, for every browser together; beyond, 429 until browsers collect or TTLs run out. */
  pushStoredMessages: 1_000_000,
  /** bytes; stored payload (base64url) the push service keeps in all: what the operator gives it of the disk (1 GiB). */
  pushStoredBytes: 1_073_741_824,
  /** APNs host; Apple's production host by default (sandbox devices use Apple's sandbox host unless this is set). */
  apnsUrl: 'https://api.push.apple.com',
  /** FCM HTTP v1 base URL. */
  fcmUrl: 'https://fcm.googleapis.com',
  /** Requests a second per client address on the routes browsers call with the publishable key, across all API processes; 0: no limit. */
  clientRate: 5,
  /** Requests a client address may make at once before clientRate applies (a page view makes a few; an office behind one address, more). */
  clientBurst: 60,
  /** Client addresses from X-Forwarded-For behind a reverse proxy: empty (no proxy), true (any), a hop count, or the proxies' addresses and CIDRs, comma-separated. */
  trustProxy: '',
  /** Admin API key; when empty one is generated on first start and printed once. */
  adminKey: '',
  /** 32-byte key (base64) that encrypts secrets at rest; generated into the data folder when empty. */
  masterKey: '',
  /** Default VAPID `sub` claim for apps created without one: a contact push services can reach. */
  vapidSubject: 'mailto:webpush@example.org',
  /** Allow push endpoints on private, loopback and link-local addresses and plain http (SSRF guard off). */
  allowPrivateEndpoints: false,
  /** s; how long a push service keeps an undelivered message when the request gives no ttl (3 days: older news is stale). */
  defaultTtl: 259_200,
  /** Subscriptions per delivery batch: large enough to amortise a transaction, small enough to redo after a crash. */
  batchSize: 500,
  /** Delivery batches processed at once by one worker process. */
  workerConcurrency: 4,
  /** Requests in flight per push service origin; push services throttle aggressive senders. */
  originConcurrency: 100,
  /** Keep-alive connections per push service origin (HTTP/1.1; HTTP/2 multiplexes on one). */
  originConnections: 32,
  /** HTTP/2 sessions per push service origin that speaks h2 (FCM's, Mozilla's and Apple's do), and as many again for urgent sends: requests go as streams, up to the service's SETTINGS_MAX_CONCURRENT_STREAMS per session, and another opens only when those are full (RFC 9113 §9.1: one connection per host and port). */
  originSessions: 1,
  /** Web Push messages a second per push service origin, across all workers (shared through Redis); 0: no limit. */
  originRate: 0,
  /** APNs or FCM requests a second per app, across all workers (FCM's quota is per project); 0: no limit. */
  providerRate: 0,
  /** ms; a push service that has not answered by then is retried later. */
  requestTimeout: 15_000,
  /** Worker threads that encrypt payloads (RFC 8291); 0 means one per core. */
  cryptoThreads: 0,
  /** Attempts per recipient before a retryable failure is final. */
  maxAttempts: 6,
  /** ms; first retry delay, doubled per attempt, with full jitter. */
  retryBase: 2_000,
  /** ms; cap on one retry delay and on a Retry-After we honour. */
  retryMax: 600_000,
  /** ms; how often an idle queue worker looks for due jobs (new jobs wake it at once). */
  queuePollInterval: 250,
  /** ms; a worker renews its jobs' lease every third of this; a job whose lease ran out (its worker died) is taken over. */
  queueLease: 30_000,
  /** ms; how long SIGTERM waits for in-flight work before exiting. */
  shutdownGrace: 30_000,
  /** days; how long tracked events (POST /track) are kept before they are pruned: long enough for quarterly segments ("bought in the last 90 days"), short enough that behaviour data does not outlive its use (GDPR Art. 5(1)(e)). */
  eventRetentionDays: 90,
  /** Log level: fatal, error, warn, info, debug, trace or silent. */
  logLevel: 'info',
  /** bytes; largest API request body (a notification is far smaller). */
  bodyLimit: 65_536,
  /** ms; a whole API request (head and body) must arrive within this, or it is answered 408 and closed: a client trickling a body cannot hold a connection (64 KB takes far less on any usable link). */
  httpRequestTimeout: 30_000,
  /** ms; the request line and headers must arrive within this (at most httpRequestTimeout); a connection that sends nothing is closed. */
  httpHeadersTimeout: 10_000,
  /** ms; an idle keep-alive connection is closed after this; longer than common proxies' idle timeout (60 s) so a proxy never reuses one the server is closing. */
  httpKeepAliveTimeout: 72_000,
  /** ms; how often Node looks for requests past httpRequestTimeout or httpHeadersTimeout; its own default (30 s) lets a slow request outlive its timeout by that much. */
  httpTimeoutCheckInterval: 1_000,
  /** Open connections one process accepts (push service WebSocket clients count too); each holds a file descriptor, and past this new ones are closed at once instead of exhausting them (keep ulimit -n above it); 0: no limit. */
  httpMaxConnections: 10_000,
  /** Requests served on one keep-alive connection before it is closed, so long-lived clients spread over API processes after a scale-out; 0: no limit. */
  httpMaxRequestsPerSocket: 10_000,
  /** ms; a dashboard session unused this long ends (30 min, OWASP's session guidance for a privileged console); each request renews it. */
  sessionIdleTimeout: 1_800_000,
  /** ms; a dashboard session ends this long after sign-in whatever its use (12 h: one working day), so a stolen cookie does not live for ever. */
  sessionMaxAge: 43_200_000,
  /** Sign-in attempts on one email per 15 minutes (a bucket that refills over them): a person mistyping is not stopped, a password guesser gets 960 guesses a day. */
  loginAttemptsPerAccount: 10,
  /** Sign-in attempts from one client address per 15 minutes, across emails: room for an office behind one NAT, not for trying a password list on every account. */
  loginAttemptsPerAddress: 50,
  /** ms; how long the one-time setup link printed at first start stays good (a day: time to open it, short enough that an old log line is no key). */
  setupLinkTtl: 86_400_000,
  /** days; how long the raw activity log (docs/analytics.md) is kept; the hourly rollups are kept for good. A year and a month: a rebuild can recount last year's same month, and a webhook replay reaches that far back. */
  activityRetentionDays: 400,
  /** ms; a webhook endpoint that has not answered by then has failed this attempt (Standard Webhooks suggests a short timeout; receivers should queue and answer at once). */
  webhookTimeout: 10_000,
  /** ms; how often the webhook dispatcher reads the activity log past each endpoint's cursor: the floor of an event's lag. */
  webhookDispatchInterval: 500,
  /** Activity rows read per endpoint per look: one transaction's worth of messages. */
  webhookDispatchBatch: 1_000,
  /** Users of an item's event's audience one job starts the journey runs of (the price drop): a page a crashed job does again, without starting a run twice. */
  journeyAudiencePage: 500,
  /** ms; a webhook endpoint whose attempts have failed without a success for this long is disabled and the app told (5 days: longer than a long weekend's outage). */
  webhookDisableAfter: 432_000_000,
  /** ms; after a secret rotation the old secret still signs this long, so receivers can switch without losing a message (24 h). */
  webhookSecretGrace: 86_400_000,
  /** days; delivered and failed webhook messages are kept this long for the delivery log and replay (pending ones until they end). */
  webhookLogRetentionDays: 30,
  /** ms; a CAP feed (or a CAP document it links to) that has not answered by then has failed this poll. */
  alertFeedTimeout: 15_000,
  /** ms; the longest wait between polls of a failing CAP feed (its interval doubles per failure up to this, or to the interval if longer): an hour, so a feed back up is read again within one. */
  alertFeedMaxBackoff: 3_600_000,
  /** Users an intelligent campaign's planning job plans per transaction (one audience query, one engagement query, one insert): a restarted worker redoes at most this many. */
  campaignPlanPage: 1_000,
  /** Worker slots of one process that only urgent jobs take (top-priority civic alerts, urgent single sends), beside workerConcurrency: a broadcast's batches cannot fill them. */
  urgentWorkerSlots: 2,
  /** Crypto threads of one process that only urgent Web Push encryption uses, beside cryptoThreads: an alert is not queued behind a broadcast's batches on the shared threads. */
  urgentCryptoThreads: 1,
  /** Urgent requests in flight per push service origin, on connections of their own beside originConcurrency's, so a broadcast's queue to the same origin does not hold an alert. */
  urgentOriginConcurrency: 16,
  /** Whether an Extreme civic alert reaches users who turned the civic category off (docs/civic-alerts.md#preferences): the operator decides; on by default, as cell broadcast's presidential and extreme alerts cannot be refused. */
  alertExtremeIgnoresPreferences: true,
  /** The sound a top-priority civic alert plays on phones (APNs `sound`, FCM `sound`): a resource the app ships under this name; distinct from the default so an alert is known by ear. */
  alertSound: 'civic_alert',
  /** A file of PEM certificates (one or more) that signed CAP documents must be signed with (docs/civic-alerts.md#signatures); empty: signatures are not checked. Once set, a CAP document posted or polled without a valid signature by one of them is refused. */
  alertTrustedCertificates: '',
  /** What a signature by a trusted but expired certificate is worth: reject, at_sent (valid when the alert says it was sent: archived alerts outlive their certificates) or accept. */
  alertExpiredCertificates: 'at_sent',
  /** users; a campaign's estimate renders its templates for every user of an audience up to this size, and above it for a random sample of about this many, scaling the failures (exact: false): rendering is the estimate's costliest step per user. */
  campaignEstimateRenderSample: 10_000,
  /** Serve the example login page and its tiny backend at /examples/login/ (docs/mfa.md#the-example-login-page): a demo to copy, so off unless asked for; never on in production. */
  examples: false,
  /** The app the example login page signs in to; its backend answers 503 while it is empty. */
  examplesAppId: '',
  /** That app's secret key, held by the example backend only (never sent to the page); its backend answers 503 while it is empty. */
  examplesSecretKey: '',
  /** Requests a minute one client address may make to an app's push sign-in device routes (enroll, details, answer; a bucket refilling over the minute), across all API processes; 0: no limit. An authenticator makes two or three per sign-in; an office behind one address, a few dozen. */
  mfaDeviceRequestsPerAddress: 120,
  /** Signed requests a minute one enrolled device may make (details and answers, counted once its signature verifies, so a forger cannot spend a device's allowance); 0: no limit. */
  mfaDeviceRequestsPerDevice: 30,
  /** ms; how often a long poll of a sign-in challenge (GET …/mfa/challenges/{id}?wait=) reads it again, for answers that arrive on another API process; one on this process wakes it at once. */
  mfaWaitRecheck: 1_000,
  /** Requests a minute one client address may make to POST /authenticator/api/push-key (a bucket refilling over the minute, whatever the app), across all API processes; 0: no limit. A browser asks once per enrollment; the route takes no key, so guessing tokens or apps is what the limit slows. */
  authenticatorPushKeyPerAddress: 30,
  /** s; how long a conversation's thread takes replies after its notification was sent (its reply tokens expire then): a week, for a question asked a few days later. */
  conversationTtl: 604_800,
  /** ms; how long the built-in assistant waits for an intent's URL (the app's webhook, its free slots), the answer's body included; past it the attempt fails and is retried with the queue's backoff. A user is waiting on their phone. */
  intentTimeout: 5_000,
  /** Replies a user may send into one thread; past them a reply is refused with conversation_full (the app can still answer, and close the thread). Bounds what one token can pile up over the thread's life. */
  conversationMaxReplies: 100,
  /** characters; the longest reply a user may send (a notification's reply field, not a letter); longer is refused with reply_too_long. */
  replyMaxChars: 1_000,
  /** Replies a minute one reply token (one thread's device) may post (a bucket refilling over the minute, across all API processes); 0: no limit. A person types a few a minute; more is a script. */
  replyPerToken: 10,
  /** Requests a minute one client address may make to POST /v1/reply (a bucket refilling over the minute, whatever the token); 0: no limit. The route takes no key, so guessing tokens is what the limit slows; an office behind one NAT, a few dozen. */
  replyPerAddress: 60,
  /** Reads a minute one reply token (one thread's device) may make of its thread (GET /v1/reply/thread, a bucket refilling over the minute, across all API processes); 0: no limit. The reply page reads it every 5 s while it waits for an answer, and again after each reply. */
  replyReadsPerToken: 30,
};

export type Config = typeof defaults;

/** Worker threads to use when `cryptoThreads` is 0. */
export function cryptoThreadCount(config: Config): number {
  return config.cryptoThreads > 0 ? config.cryptoThreads : availableParallelism();
}
