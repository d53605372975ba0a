import { readFileSync } from 'node:fs';

export interface CredentialsCliOptions {
  server: string;
  app: string;
  /** The app's secret API key. */
  key: string;
}

async function call(opts: CredentialsCliOptions, method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(new URL(`/v1/apps/${encodeURIComponent(opts.app)}/credentials${path}`, opts.server), {
    method,
    headers: { authorization: `Bearer ${opts.key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  const json = text ? JSON.parse(text) : {};
  if (!res.ok) throw new Error(`${res.status} ${json.code ?? ''}: ${json.detail ?? text}${json.field ? ` (${json.field})` : ''}`);
  return json;
}

function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/**
 * `carillon credentials set-apns`: uploads the token signing key. The key is read from
 * its file, never taken as an argument, so it does not land in shell history or `ps`.
 */
export async function setApns(opts: CredentialsCliOptions & { keyId: string; teamId: string; keyFile: string; topic: string }): Promise<void> {
  const key = readFileSync(opts.keyFile, 'utf8');
  print(await call(opts, 'PUT', '/apns', { keyId: opts.keyId, teamId: opts.teamId, key, topic: opts.topic }));
}

/** `carillon credentials set-fcm`: uploads the service account JSON as Google Cloud downloaded it. */
export async function setFcm(opts: CredentialsCliOptions & { serviceAccount: string }): Promise<void> {
  let serviceAccount: unknown;
  try {
    serviceAccount = JSON.parse(readFileSync(opts.serviceAccount, 'utf8'));
  } catch (err) {
    // The parser's message can quote the file, which holds a private key.
    throw new Error(`${opts.serviceAccount} is not a JSON file${err instanceof SyntaxError ? '' : `: ${(err as Error).message}`}`);
  }
  print(await call(opts, 'PUT', '/fcm', { serviceAccount }));
}

export async function listCredentials(opts: CredentialsCliOptions): Promise<void> {
  print((await call(opts, 'GET', '')).data);
}

export async function deleteCredentials(opts: CredentialsCliOptions, kind: string): Promise<void> {
  await call(opts, 'DELETE', `/${encodeURIComponent(kind)}`);
  process.stderr.write(`${kind} credentials deleted\n`);
}
