import type { FastifyError, FastifyInstance } from 'fastify';
import { ApiError } from '../errors/api-error.ts';
import { validationProblem, withPointers, type SchemaViolation } from './validation-problem.ts';

const PROBLEM_TYPE = 'application/problem+json; charset=utf-8';

/** Answers every error as RFC 9457 problem+json with a catalogue code. */
export function installProblemHandlers(app: FastifyInstance, allowedMethods: (path: string) => string[] = () => []): void {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const apiError = toApiError(err);
    if (apiError.status >= 500) req.log.error({ err }, 'request failed');
    void reply.status(apiError.status).type(PROBLEM_TYPE).send(withPointers(apiError.toProblem(req.url.split('?')[0])));
  });
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0] ?? '/';
    const allow = allowedMethods(path);
    if (allow.length > 0) {
      const e = new ApiError('method_not_allowed', `${path} answers ${allow.join(', ')}, not ${req.method}`, { allow });
      void reply.status(405).header('allow', allow.join(', ')).type(PROBLEM_TYPE).send(e.toProblem(path));
      return;
    }
    const e = new ApiError('not_found', `No route ${req.method} ${path}`);
    void reply.status(404).type(PROBLEM_TYPE).send(e.toProblem());
  });
}

function toApiError(err: FastifyError): ApiError {
  if (err instanceof ApiError) return err;
  if (err.validation) return validationProblem(err.validation as SchemaViolation[], err.validationContext);
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ApiError('unsupported_media_type', 'Send the body as application/json');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError('body_too_large');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new ApiError('invalid_json', err.message);
  }
  if (err instanceof SyntaxError || (err.statusCode === 400 && /JSON/i.test(err.message))) return new ApiError('invalid_json', err.message);
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) return new ApiError('invalid_request', err.message);
  return new ApiError('internal', 'The server could not complete the request; it has been logged');
}
