import { ApiError } from '../../errors/api-error.ts';

export type FilterErrorCode = 'invalid_filter' | 'filter_too_complex' | 'unknown_segment' | 'segment_cycle';

/**
 * A filter refused, with the RFC 6901 pointer to the part at fault (relative to the filter
 * itself: a route that takes the filter as `body.filter` prefixes `/filter`). Answered as
 * problem+json with `pointer` (and `limit` or `segments` where they apply) as members.
 */
export class FilterError extends ApiError {
  readonly pointer: string;

  constructor(code: FilterErrorCode, pointer: string, detail: string, extra: Record<string, unknown> = {}) {
    super(code, detail, { pointer, ...extra });
    this.name = 'FilterError';
    this.pointer = pointer;
  }
}
