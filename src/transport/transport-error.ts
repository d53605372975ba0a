/**
 * - `network`: the connection failed or broke (refused, reset, closed mid-response,
 *   DNS failure, TLS failure); the push service may never have seen the request.
 * - `timeout`: no complete response within the request timeout.
 * - `invalid_request`: the request itself could not be sent (e.g. a forbidden header).
 * - `closed`: the transport was closed before the request could start.
 */
export type TransportErrorCode = 'network' | 'timeout' | 'invalid_request' | 'closed';

/** A request that produced no HTTP response. The original error is kept as `cause`. */
export class TransportError extends Error {
  readonly code: TransportErrorCode;

  constructor(code: TransportErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TransportError';
    this.code = code;
  }
}
