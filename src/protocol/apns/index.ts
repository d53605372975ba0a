/** APNs provider API protocol code: provider tokens, device tokens, payload and headers. Pure. */
export * from './errors.ts';
export * from './provider-token.ts';
export * from './device-token.ts';
export * from './payload.ts';
export * from './headers.ts';
