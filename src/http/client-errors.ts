import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../errors/api-error.ts';
import type { ErrorCode } from '../errors/catalogue.ts';

const PROBLEM_TYPE = 'application/problem+json; charset=utf-8';

/**
 * Longest request target the API reads (RFC 9110 §4.1 asks for at least 8000 octets). A
 * request line longer than Node's header limit never reaches Fastify; one under it but
 * over this is answered 414 on request.
 */
export const MAX_URL_LENGTH = 8192;

/** What Node reported for a request it could not read, as a catalogue code. */
function codeFor(err: NodeJS.ErrnoException & { rawPacket?: Buffer }): ErrorCode {
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') return 'request_timeout';
  if (err.code === 'HPE_HEADER_OVERFLOW') {
    // The limit covers the request line and the headers together: when the request line
    // alone is over the URL limit, the URI is what is too long.
    const raw = err.rawPacket;
    if (!raw) return 'headers_too_large';
    const lineEnd = raw.indexOf('\n');
    const line = lineEnd === -1 ? raw.length : lineEnd;
    return /^[A-Z]+ /.test(raw.subarray(0, 16).toString('latin1')) && line > MAX_URL_LENGTH ? 'uri_too_long' : 'headers_too_large';
  }
  if (err.code === 'HPE_URI_TOO_LONG') return 'uri_too_long';
  return 'malformed_request';
}

const DETAIL: Partial<Record<ErrorCode, string>> = {
  request_timeout: 'The request was not received in time',
  headers_too_large: 'The request headers are larger than the server reads',
  uri_too_long: `The request target is longer than the server reads (${MAX_URL_LENGTH} characters)`,
  malformed_request: 'The request is not well-formed HTTP/1.1 (RFC 9112)',
};

/**
 * Fastify's `clientErrorHandler`: Node could not read a request (malformed HTTP, headers
 * over the limit, too slow), so there is no request object and no route; the answer is
 * written to the socket by hand, as problem+json with a catalogue code, and the connection
 * closed (what follows on it cannot be read either).
 */
export function clientErrorHandler(this: FastifyInstance, err: NodeJS.ErrnoException, socket: Socket): void {
  // A reset connection has no one to answer (Node's clientError documentation).
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const code = codeFor(err);
  const body = JSON.stringify(new ApiError(code, DETAIL[code]).toProblem());
  const status = new ApiError(code).status;
  this.log.debug({ err: { code: err.code, message: err.message } }, 'unreadable request');
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: ${PROBLEM_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

/** Fastify's `frameworkErrors`: a URL the router cannot decode (`/v1/apps/%ff`) or a parameter over its length. */
export function frameworkErrors(err: FastifyError, req: FastifyRequest, reply: FastifyReply): void {
  const error =
    err.code === 'FST_ERR_BAD_URL'
      ? new ApiError('invalid_url', 'The path holds a percent-encoding that is not UTF-8 (RFC 3986 §2.1)')
      : err.code === 'FST_ERR_MAX_PARAM_LENGTH'
        ? new ApiError('uri_too_long', 'A path segment is longer than the server reads')
        : new ApiError('internal', 'The server could not complete the request; it has been logged');
  if (error.status >= 500) req.log.error({ err }, 'framework error');
  void reply.status(error.status).type(PROBLEM_TYPE).send(error.toProblem());
}

/** Answers 414 for a request target under Node's header limit but over MAX_URL_LENGTH. */
export async function limitUrlLength(req: FastifyRequest): Promise<void> {
  if (req.url.length > MAX_URL_LENGTH) throw new ApiError('uri_too_long', DETAIL.uri_too_long);
}
