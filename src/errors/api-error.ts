import { ERRORS, errorDocsPath, type ErrorCode } from './catalogue.ts';

/**
 * An error the API answers with as RFC 9457 problem+json. `detail` is for people and may
 * change; `code` is for programs and does not. `extra` members are added to the problem
 * object (for example `errors` for schema failures, `maxBytes` for size limits).
 */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly extra: Record<string, unknown>;

  constructor(code: ErrorCode, detail?: string, extra: Record<string, unknown> = {}) {
    super(detail ?? ERRORS[code].title);
    this.name = 'ApiError';
    this.code = code;
    this.status = ERRORS[code].status;
    this.extra = extra;
  }

  toProblem(instance?: string): Record<string, unknown> {
    return {
      type: errorDocsPath(this.code),
      title: ERRORS[this.code].title,
      status: this.status,
      detail: this.message,
      code: this.code,
      ...(instance ? { instance } : {}),
      ...this.extra,
    };
  }
}
