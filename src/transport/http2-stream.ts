import { validateHeaderName, validateHeaderValue } from 'node:http';
import http2, { type ClientHttp2Session, type ClientHttp2Stream } from 'node:http2';
import { TransportError } from './transport-error.ts';

export interface Http2Request {
  method?: 'POST' | 'GET';
  path: string;
  headers: Record<string, string>;
  body?: Uint8Array;
  /** Aborts the request wherever it is (waiting for a stream, connecting, streaming); it fails with the signal's reason. */
  signal?: AbortSignal;
}

export interface Http2Response {
  status: number;
  /** Lower-case names; repeated headers joined with ', '. */
  headers: Record<string, string>;
  /** The first keptBodyBytes of the body as UTF-8. */
  body: string;
}

export interface StreamLimits {
  /** ms from opening the stream to the end of its response. */
  timeoutMs: number;
  /** Bytes of the body kept for the answer. */
  keptBodyBytes: number;
  /** Bytes of the body read at most: past them the stream is cancelled and the kept prefix answered. */
  maxBodyBytes: number;
  /** The last stream id of a GOAWAY the session got, if it got one. */
  lastStreamId(): number | undefined;
}

/** A stream the peer did not process (RFC 9113 §8.7): safe to send again elsewhere. */
export class UnprocessedError extends Error {}

/** Node refuses these before anything is sent: the session is gone, so the request may go on another. */
const SESSION_GONE = new Set(['ERR_HTTP2_GOAWAY_SESSION', 'ERR_HTTP2_INVALID_SESSION']);

/**
 * Sends one request on one stream of `session` and reads its answer.
 *
 * @throws UnprocessedError when the peer refused the stream (REFUSED_STREAM, or above a
 *   GOAWAY's last stream id) or the session was gone before the stream opened
 * @throws TransportError `timeout`, `invalid_request` (a header HTTP/2 refuses), or
 *   `network` (the stream was cut off once the peer may have seen it)
 */
export function streamRequest(session: ClientHttp2Session, req: Http2Request, limits: StreamLimits): Promise<Http2Response> {
  return new Promise((resolve, reject) => {
    let stream: ClientHttp2Stream;
    try {
      // Node's HTTP/2 client sends a CR or LF inside a value as it is; RFC 9113 §8.2.1
      // makes such a field malformed, and HTTP/1.1 would read it as a second header.
      for (const [name, value] of Object.entries(req.headers)) {
        validateHeaderName(name);
        validateHeaderValue(name, value);
      }
    } catch (err) {
      reject(new TransportError('invalid_request', `request not sent: ${(err as Error).message}`, { cause: err }));
      return;
    }
    try {
      stream = session.request({ ':method': req.method ?? 'POST', ':path': req.path, ...req.headers });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? '';
      // Between the slot and the stream the session got a GOAWAY or closed: nothing was sent.
      if (SESSION_GONE.has(code) || session.closed || session.destroyed) reject(new UnprocessedError((err as Error).message));
      else reject(new TransportError('invalid_request', `request not sent: ${(err as Error).message}`, { cause: err }));
      return;
    }
    let status: number | undefined;
    let headers: Record<string, string> = {};
    let ended = false;
    let cut = false;
    const kept: Buffer[] = [];
    let keptBytes = 0;
    let seen = 0;
    const fail = (err: Error) => {
      reject(err);
      if (!stream.closed) stream.close(http2.constants.NGHTTP2_CANCEL);
    };
    const timer = setTimeout(() => fail(new TransportError('timeout', `no complete answer within ${limits.timeoutMs} ms`)), limits.timeoutMs);
    const onAbort = () => fail(req.signal!.reason instanceof Error ? req.signal!.reason : new TransportError('timeout', 'request aborted'));
    req.signal?.addEventListener('abort', onAbort, { once: true });
    stream.on('response', (h) => {
      status = Number(h[':status']);
      headers = flatten(h);
    });
    stream.on('data', (chunk: Buffer) => {
      seen += chunk.length;
      if (keptBytes < limits.keptBodyBytes) {
        const part = chunk.subarray(0, limits.keptBodyBytes - keptBytes);
        kept.push(part);
        keptBytes += part.length;
      }
      // A longer body is not the answer we asked for: cutting the stream costs only the
      // stream, reading on would cost bandwidth the peer chooses.
      if (seen > limits.maxBodyBytes && !cut) {
        cut = true;
        stream.close(http2.constants.NGHTTP2_CANCEL);
      }
    });
    stream.on('end', () => (ended = true));
    // Every failure also ends in 'close', where it is reported once.
    stream.on('error', () => {});
    stream.on('close', () => {
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', onAbort);
      const last = limits.lastStreamId();
      if (status !== undefined && (ended || cut)) {
        resolve({ status, headers, body: Buffer.concat(kept).toString('utf8') });
      } else if (stream.rstCode === http2.constants.NGHTTP2_REFUSED_STREAM) {
        reject(new UnprocessedError('stream refused by the peer'));
      } else if (last !== undefined && (stream.id === undefined || stream.id > last)) {
        // A GOAWAY with an error code ends every stream at once; those above its last
        // stream id were not processed (RFC 9113 §6.8), the others may have been.
        reject(new UnprocessedError(`stream above the GOAWAY's last stream id ${last}`));
      } else {
        reject(new TransportError('network', `stream closed before a complete answer (HTTP/2 error code ${stream.rstCode})`));
      }
    });
    if (req.signal?.aborted) onAbort();
    else stream.end(req.body);
  });
}

function flatten(h: http2.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(h)) {
    if (name.startsWith(':') || value === undefined) continue;
    out[name] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return out;
}
