/**
 * Why an endpoint URL was refused. Stable strings: the API reports them to the
 * client that registered the subscription, and logs group by them.
 */
export type EndpointRejectionReason =
  | 'malformed'
  | 'too_long'
  | 'not_https'
  | 'credentials'
  | 'fragment'
  | 'private_address';

/**
 * A push endpoint that Carillon will not contact: refused when a subscription is
 * registered (`checkEndpointUrl`) or at send time, when its host resolves to an
 * address that is not public (`createSafeLookup`).
 */
export class EndpointRejectedError extends Error {
  readonly code = 'endpoint_rejected' as const;
  readonly reason: EndpointRejectionReason;
  /** The offending IP address, when the refusal is about one. */
  readonly address: string | undefined;

  constructor(reason: EndpointRejectionReason, message: string, options?: { address?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'EndpointRejectedError';
    this.reason = reason;
    this.address = options?.address;
  }
}
