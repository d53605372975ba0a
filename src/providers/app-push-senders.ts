import type { Logger } from 'pino';
import type { Kysely } from 'kysely';
import type { Config } from '../config/defaults.ts';
import type { SecretBox } from '../crypto/secret-box.ts';
import { parseTokenResponse, signAssertion, tokenRequestBody } from '../protocol/fcm/assertion.ts';
import type { Database } from '../store/schema.ts';
import { Http2Pool } from '../transport/http2-pool.ts';
import { ProviderTokenCache } from './apns/provider-token-cache.ts';
import { ApnsSender } from './apns/sender.ts';
import { apnsChannel } from './apns/channel.ts';
import type { Channel, Sender } from './channel.ts';
import { CredentialSource } from './credential-source.ts';
import { AccessTokenCache } from './fcm/access-token-cache.ts';
import { fcmChannel } from './fcm/channel.ts';
import { OAuthClient } from './fcm/oauth-client.ts';
import { FcmSender, type FcmCredentials } from './fcm/sender.ts';

/** ms between PINGs on an idle APNs or FCM session: finds a dead connection before a send does. */
const PING_INTERVAL = 60_000;

export interface AppPushSendersOptions {
  config: Config;
  db: Kysely<Database>;
  secrets: SecretBox;
  logger: Logger;
  now: () => number;
  /**
   * CA certificates to trust for APNs, FCM and token endpoints instead of Node's bundled
   * roots: for simulators with a private CA (NODE_EXTRA_CA_CERTS is only read at process
   * start). Unset in production: bundled roots plus NODE_EXTRA_CA_CERTS.
   */
  ca?: string | Buffer;
}

/** The APNs and FCM senders of one worker process, sharing one HTTP/2 pool (and one for the urgent lane) and the stored credentials. */
export function createAppPushSenders(opts: AppPushSendersOptions): { senders: [Channel, Sender][]; close(): Promise<void> } {
  const { config, now } = opts;
  const newPool = (inFlight: number) =>
    new Http2Pool({
      maxInFlightPerKey: inFlight,
      maxSessionsPerKey: config.originConnections,
      requestTimeoutMs: config.requestTimeout,
      pingIntervalMs: PING_INTERVAL,
      ...(opts.ca !== undefined ? { ca: opts.ca } : {}),
      logger: opts.logger.child({ module: 'http2' }),
    });
  const pool = newPool(config.originConcurrency);
  // The urgent lane's sessions to APNs and FCM, as Web Push has (src/transport/push-transport.ts):
  // connections and stream slots of their own, so a broadcast's streams queued to the same
  // host do not hold a civic alert. Opened at the first urgent send.
  const urgentPool = config.urgentOriginConcurrency > 0 ? newPool(config.urgentOriginConcurrency) : undefined;
  const pools = { pool, ...(urgentPool ? { urgentPool } : {}) };
  const oauth = new OAuthClient({ allowPrivate: config.allowPrivateEndpoints, timeoutMs: config.requestTimeout, ...(opts.ca !== undefined ? { ca: opts.ca } : {}) });
  const credentials = new CredentialSource(opts.db, opts.secrets);
  const accessTokens = new AccessTokenCache<FcmCredentials>(async (c) => {
    const assertion = signAssertion({ key: c.key, clientEmail: c.clientEmail, privateKeyId: c.privateKeyId, audience: c.tokenUri, issuedAt: Math.floor(now() / 1000) });
    const res = await oauth.post(c.tokenUri, tokenRequestBody(assertion));
    return parseTokenResponse(res.status, res.body);
  }, now);

  const apns = new ApnsSender({
    ...pools,
    tokens: new ProviderTokenCache(),
    credentials: (appId) => credentials.apns(appId),
    apnsUrl: config.apnsUrl,
    retryMax: config.retryMax,
    now,
    logger: opts.logger.child({ module: 'apns' }),
  });
  const fcm = new FcmSender({
    ...pools,
    tokens: accessTokens,
    credentials: (appId) => credentials.fcm(appId),
    fcmUrl: config.fcmUrl,
    retryMax: config.retryMax,
    now,
    logger: opts.logger.child({ module: 'fcm' }),
  });
  return {
    senders: [
      [apnsChannel, apns],
      [fcmChannel, fcm],
    ],
    async close() {
      await Promise.all([pool.close(), urgentPool?.close(), oauth.close()]);
    },
  };
}
