/** FCM HTTP v1 protocol code: service accounts, the OAuth 2 assertion, messages and error bodies. Pure. */
export * from './errors.ts';
export * from './service-account.ts';
export * from './assertion.ts';
export * from './message.ts';
export * from './error-body.ts';
