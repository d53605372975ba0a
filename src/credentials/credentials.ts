import type { Context } from '../context.ts';
import { ApiError } from '../errors/api-error.ts';
import { fromProtocolError } from '../errors/protocol-errors.ts';
import { apnsSigningKey, validateApnsId } from '../protocol/apns/provider-token.ts';
import { InvalidApnsKeyError } from '../protocol/apns/errors.ts';
import { parseServiceAccount } from '../protocol/fcm/service-account.ts';
import { InvalidServiceAccountError } from '../protocol/fcm/errors.ts';
import { credentialsContext, type ApnsPublicFields, type CredentialKind, type FcmPublicFields } from '../providers/stored-credentials.ts';
import { checkEndpointUrl } from '../transport/endpoint-url.ts';

export interface ApnsCredentialsInput {
  keyId: string;
  teamId: string;
  /** The contents of AuthKey_<keyId>.p8. */
  key: string;
  /** The bundle id sent as apns-topic when a device registered none. */
  topic: string;
}

/** What the API shows of a credential: never the key. */
export type CredentialsView = ({ kind: 'apns' } & ApnsPublicFields) | ({ kind: 'fcm' } & FcmPublicFields);
export type CredentialsViewWithTimes = CredentialsView & { createdAt: string; updatedAt: string };

const BUNDLE_ID = /^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/;

function invalid(field: string, message: string): ApiError {
  return new ApiError('credentials_invalid', message, { field });
}

/** Checks and stores an app's APNs token key, sealed; replaces the one it had. */
export async function setApnsCredentials(ctx: Context, appId: string, input: ApnsCredentialsInput): Promise<CredentialsViewWithTimes> {
  try {
    validateApnsId('key_id', input.keyId);
    validateApnsId('team_id', input.teamId);
    apnsSigningKey(input.key);
  } catch (err) {
    const field = err instanceof InvalidApnsKeyError ? (err.reason === 'key_id' ? 'keyId' : err.reason === 'team_id' ? 'teamId' : 'key') : undefined;
    throw fromProtocolError(err, { field, extra: { field } });
  }
  if (!BUNDLE_ID.test(input.topic)) throw invalid('topic', 'topic must be the app bundle id, such as com.example.app');
  const fields: ApnsPublicFields = { keyId: input.keyId, teamId: input.teamId, topic: input.topic };
  return store(ctx, appId, 'apns', fields, input.key);
}

/** Checks and stores an app's FCM service account, its private key sealed. */
export async function setFcmCredentials(ctx: Context, appId: string, serviceAccount: unknown): Promise<CredentialsViewWithTimes> {
  let account;
  try {
    account = parseServiceAccount(serviceAccount);
  } catch (err) {
    throw fromProtocolError(err, err instanceof InvalidServiceAccountError ? { extra: { field: `serviceAccount.${err.field}` } } : {});
  }
  try {
    // Carillon will POST to token_uri: the SSRF rules of push endpoints apply.
    checkEndpointUrl(account.tokenUri, { allowPrivate: ctx.config.allowPrivateEndpoints });
  } catch (err) {
    throw invalid('serviceAccount.token_uri', `serviceAccount.token_uri: ${(err as Error).message}`);
  }
  const fields: FcmPublicFields = { projectId: account.projectId, clientEmail: account.clientEmail, privateKeyId: account.privateKeyId, tokenUri: account.tokenUri };
  return store(ctx, appId, 'fcm', fields, account.privateKey);
}

async function store(ctx: Context, appId: string, kind: CredentialKind, fields: ApnsPublicFields | FcmPublicFields, secret: string): Promise<CredentialsViewWithTimes> {
  const now = ctx.now();
  const row = {
    public_fields: JSON.stringify(fields),
    sealed: ctx.secrets.seal(secret, credentialsContext(appId, kind)),
    master_key_id: ctx.secrets.keyId,
    updated_at: now,
  };
  const created = await ctx.store.db.transaction().execute(async (tx) => {
    const existing = await tx.selectFrom('app_credentials').select('created_at').where('app_id', '=', appId).where('kind', '=', kind).executeTakeFirst();
    if (existing) {
      await tx.updateTable('app_credentials').set(row).where('app_id', '=', appId).where('kind', '=', kind).execute();
      return Number(existing.created_at);
    }
    await tx.insertInto('app_credentials').values({ app_id: appId, kind, created_at: now, ...row }).execute();
    return now;
  });
  ctx.logger.info({ module: 'credentials', appId, kind, masterKeyId: ctx.secrets.keyId }, 'credentials stored');
  return { kind, ...fields, createdAt: new Date(created).toISOString(), updatedAt: new Date(now).toISOString() } as CredentialsViewWithTimes;
}

/** Which credentials the app has, without their secrets. */
export async function listCredentials(ctx: Context, appId: string): Promise<CredentialsViewWithTimes[]> {
  const rows = await ctx.store.db
    .selectFrom('app_credentials')
    .select(['kind', 'public_fields', 'created_at', 'updated_at'])
    .where('app_id', '=', appId)
    .orderBy('kind')
    .execute();
  return rows.map(
    (r) =>
      ({
        kind: r.kind,
        ...JSON.parse(r.public_fields),
        createdAt: new Date(Number(r.created_at)).toISOString(),
        updatedAt: new Date(Number(r.updated_at)).toISOString(),
      }) as CredentialsViewWithTimes,
  );
}

export async function deleteCredentials(ctx: Context, appId: string, kind: CredentialKind): Promise<void> {
  const res = await ctx.store.db.deleteFrom('app_credentials').where('app_id', '=', appId).where('kind', '=', kind).executeTakeFirst();
  if (Number(res.numDeletedRows) === 0) throw new ApiError('credentials_not_found', `This app has no ${kind} credentials`);
  ctx.logger.info({ module: 'credentials', appId, kind }, 'credentials deleted');
}
