import { checkEndpointUrl } from '../../transport/endpoint-url.ts';
import { LazyAgent } from '../../transport/lazy-agent.ts';
import { createSafeLookup } from '../../transport/safe-lookup.ts';
import { TransportError } from '../../transport/transport-error.ts';

const MAX_ANSWER_BYTES = 64 * 1024;

export interface OAuthClientOptions {
  /** Allow a token_uri on a private address or over http (tests, a private token service). */
  allowPrivate: boolean;
  timeoutMs: number;
  /** CA certificates to trust instead of Node's bundled roots; unset: bundled roots plus NODE_EXTRA_CA_CERTS. */
  ca?: string | Buffer | Array<string | Buffer>;
}

/**
 * POSTs assertions to token endpoints. The token_uri comes from an uploaded service
 * account, so it is a URL chosen by an API user: it gets the same SSRF guard as push
 * endpoints (https only, public addresses checked at connect time).
 */
export class OAuthClient {
  readonly #agent: LazyAgent;
  readonly #options: OAuthClientOptions;

  constructor(options: OAuthClientOptions) {
    this.#options = options;
    this.#agent = new LazyAgent({
      allowH2: true,
      connect: { lookup: createSafeLookup({ allowPrivate: options.allowPrivate }), ...(options.ca !== undefined ? { ca: options.ca } : {}) },
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      connectTimeout: options.timeoutMs,
    });
  }

  /** The token endpoint's status and body (RFC 6749 §5), whatever the status. */
  async post(tokenUri: string, form: string): Promise<{ status: number; body: string }> {
    const url = checkEndpointUrl(tokenUri, { allowPrivate: this.#options.allowPrivate });
    try {
      const res = await (await this.#agent.get()).request({
        origin: url.origin,
        path: url.pathname + url.search,
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: form,
        signal: AbortSignal.timeout(this.#options.timeoutMs),
      });
      // A token answer is a few hundred bytes; the endpoint is user-chosen, so no more is read.
      const kept: Buffer[] = [];
      let size = 0;
      for await (const chunk of res.body) {
        size += (chunk as Buffer).length;
        if (size > MAX_ANSWER_BYTES) {
          res.body.destroy();
          break;
        }
        kept.push(chunk as Buffer);
      }
      return { status: res.statusCode, body: Buffer.concat(kept).toString('utf8') };
    } catch (err) {
      throw new TransportError('network', `token endpoint ${url.origin}: ${(err as Error).message}`, { cause: err });
    }
  }

  close(): Promise<void> {
    return this.#agent.close();
  }
}
