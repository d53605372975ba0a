import type { Kysely } from 'kysely';
import type { SecretBox } from '../crypto/secret-box.ts';
import type { Database } from '../store/schema.ts';
import { signingSecrets } from '../webhooks/endpoints.ts';
import { signedHeaders } from '../webhooks/signature.ts';

/**
 * The Standard Webhooks headers of a request to an intent's URL, signed with the secrets
 * of the app's enabled webhook endpoints on the same origin (scheme, host and port), or
 * undefined when the app has none there.
 *
 * Why those secrets (docs/conversations-assistant.md#the-signature): the app's server
 * already holds them and checks `conversation.message` and the other events with them; they
 * are shown once when made, sealed at rest under the master key, and rotated with a grace
 * period (both signatures sent meanwhile), so an intent needs no secret of its own to show,
 * keep and rotate. Tying them to the origin means Carillon signs only for a server the app
 * registered as its own: a knowledge base naming another origin gets no signed request.
 */
export async function intentSignature(db: Kysely<Database>, secrets: SecretBox, appId: string, url: string, id: string, now: number, body: string): Promise<Record<string, string> | undefined> {
  const origin = new URL(url).origin;
  const endpoints = await db.selectFrom('webhook_endpoints').selectAll().where('app_id', '=', appId).where('enabled', '=', 1).orderBy('id').execute();
  const mine = endpoints.filter((e) => sameOrigin(e.url, origin));
  if (mine.length === 0) return undefined;
  return signedHeaders(
    mine.flatMap((e) => signingSecrets(secrets, e, now)),
    id,
    now,
    body,
  );
}

function sameOrigin(url: string, origin: string): boolean {
  try {
    return new URL(url).origin === origin;
  } catch {
    return false;
  }
}
