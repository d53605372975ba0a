import { ApiError } from '../errors/api-error.ts';
import type { ErrorCode } from '../errors/catalogue.ts';

/** An ApiError about one body member, with its RFC 9457 `errors[0].pointer` (`#/password`). */
export function fieldError(code: ErrorCode, member: string, detail: string): ApiError {
  return new ApiError(code, detail, { errors: [{ pointer: `#/${member}`, field: `body.${member}`, detail, message: detail }] });
}
