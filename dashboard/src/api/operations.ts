/**
 * Every call the dashboard makes, by the operationId of the public API's OpenAPI document
 * (/openapi.json): the dashboard has no route of its own. test/dashboard/operations.test.ts
 * holds each entry to the document (the same operationId at the same method and path), so a
 * changed API breaks the test, not the page.
 */
export const OPERATIONS = {
  signIn: ['POST', '/v1/session'],
  completeSetup: ['POST', '/v1/session/setup'],
  getSession: ['GET', '/v1/session'],
  signOut: ['DELETE', '/v1/session'],
  signOutEverywhere: ['POST', '/v1/session/sign-out-everywhere'],
  changePassword: ['POST', '/v1/session/password'],
  beginTotp: ['POST', '/v1/session/totp'],
  confirmTotp: ['POST', '/v1/session/totp/confirm'],
  removeTotp: ['POST', '/v1/session/totp/remove'],
  listOperators: ['GET', '/v1/operators'],
  createOperator: ['POST', '/v1/operators'],
  deleteOperator: ['DELETE', '/v1/operators/{operatorId}'],
  listMembers: ['GET', '/v1/apps/{appId}/members'],
  setMember: ['POST', '/v1/apps/{appId}/members'],
  removeMember: ['DELETE', '/v1/apps/{appId}/members/{operatorId}'],
  listApps: ['GET', '/v1/apps'],
  createApp: ['POST', '/v1/apps'],
  getApp: ['GET', '/v1/apps/{appId}'],
  updateApp: ['PATCH', '/v1/apps/{appId}'],
  rotateIdentitySecret: ['POST', '/v1/apps/{appId}/identity-secret'],
  getCampaignSettings: ['GET', '/v1/apps/{appId}/campaign-settings'],
  updateCampaignSettings: ['PATCH', '/v1/apps/{appId}/campaign-settings'],
  listCredentials: ['GET', '/v1/apps/{appId}/credentials'],
  setApnsCredentials: ['PUT', '/v1/apps/{appId}/credentials/apns'],
  setFcmCredentials: ['PUT', '/v1/apps/{appId}/credentials/fcm'],
  deleteCredentials: ['DELETE', '/v1/apps/{appId}/credentials/{kind}'],
  getQueueDepth: ['GET', '/v1/queue'],
  listFailedJobs: ['GET', '/v1/queue/failed'],
  getLiveness: ['GET', '/healthz'],
  getReadiness: ['GET', '/readyz'],
  listApiKeys: ['GET', '/v1/apps/{appId}/keys'],
  createApiKey: ['POST', '/v1/apps/{appId}/keys'],
  revokeApiKey: ['DELETE', '/v1/apps/{appId}/keys/{keyId}'],
  retryFailedJob: ['POST', '/v1/queue/dead-letters/{id}/retry'],
  retryAllFailedJobs: ['POST', '/v1/queue/dead-letters/retry-all'],
} as const satisfies Record<string, readonly [string, string]>;

export type OperationId = keyof typeof OPERATIONS;
