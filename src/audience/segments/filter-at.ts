import { ApiError } from '../../errors/api-error.ts';
import { FilterError } from '../filter/index.ts';

/**
 * A filter's refusal with its pointer made relative to the request body (RFC 6901, as a URI
 * fragment as RFC 9457 §3 shows it): the filter module points into the filter itself, and
 * `at` says where the filter is in the body (`/filter`, `/to/filter`, `/to/segment`).
 * `{"and": [...]}` refused at `/and/1/op` in `POST .../segments` answers `#/filter/and/1/op`.
 */
export function filterAt(err: FilterError, at: string): ApiError {
  const pointer = `${at}${err.pointer}`;
  const fragment = `#${pointer.split('/').map((t, i) => (i === 0 ? t : encodeURIComponent(t))).join('/')}`;
  return new ApiError(err.code, err.message, { ...err.extra, pointer: fragment });
}
