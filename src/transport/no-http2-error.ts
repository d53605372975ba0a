/**
 * The peer chose another protocol than h2 in ALPN (or none): it speaks HTTP/1.1 only
 * (RFC 9113 §3.2: HTTP/2 over TLS is negotiated as "h2"). Raised before any request was
 * sent on the connection, so the caller can send it over HTTP/1.1 instead.
 */
export class NoHttp2Error extends Error {
  /** What the peer chose: 'http/1.1', or false when it took part in no ALPN. */
  readonly alpnProtocol: string | false | undefined;

  constructor(origin: string, alpnProtocol: string | false | undefined) {
    super(`${origin} does not speak HTTP/2 (ALPN: ${alpnProtocol === false || alpnProtocol === undefined ? 'none' : alpnProtocol})`);
    this.name = 'NoHttp2Error';
    this.alpnProtocol = alpnProtocol;
  }
}
