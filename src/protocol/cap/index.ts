export { parseCap, CAP_MAX_BYTES, type ParseCapOptions } from './parse.ts';
export { parseCapTime } from './time.ts';
export { CapError, CapInvalidError, CapMalformedError, CapRefusedError } from './errors.ts';
export type * from './types.ts';
export { CAP_NAMESPACES } from './types.ts';
