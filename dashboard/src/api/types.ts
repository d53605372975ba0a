/** What the API answers, as the dashboard reads it (the shapes of /openapi.json's schemas). */
export type Role = 'viewer' | 'editor' | 'owner';

export interface Membership {
  appId: string;
  appName: string;
  role: Role;
}
export interface SessionOperator {
  id: string;
  email: string;
  admin: boolean;
  totp: boolean;
  memberships: Membership[];
}
export interface Session {
  operator: SessionOperator;
  csrfToken: string;
  expiresAt?: string;
  version: string;
}
export interface App {
  id: string;
  name: string;
  vapidPublicKey: string;
  vapidSubject: string;
  identityVerification: boolean;
  categories: string[];
  browserAttributes: string[];
  createdAt: string;
}
export interface CreatedApp extends Omit<App, 'browserAttributes'> {
  secretKey: string;
  publishableKey: string;
  identitySecret: string;
}
export interface CapRule {
  max: number;
  window: string;
  category?: string;
}
export interface CampaignSettings {
  timezone: string | null;
  quietHours: { start: string; end: string } | null;
  capRules: CapRule[];
  globals: Record<string, string | number | boolean>;
}
export interface Credentials {
  kind: string;
  keyId?: string;
  teamId?: string;
  topic?: string;
  projectId?: string;
  clientEmail?: string;
  createdAt: string;
  updatedAt: string;
}
export interface Operator {
  id: string;
  email: string;
  admin: boolean;
  totp: boolean;
  createdAt: string;
}
export interface Member {
  operatorId: string;
  email: string;
  role: Role;
}
export interface QueueDepth {
  waiting: number;
  delayed: number;
  active: number;
  failed: number;
}
export interface FailedJob {
  id: string;
  name: string;
  data: unknown;
  attempts: number;
  error: string | null;
}
export interface ApiKey {
  id: string;
  kind: 'secret' | 'publishable';
  prefix: string;
  name: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}
export interface CreatedApiKey extends ApiKey {
  key: string;
}
export interface List<T> {
  data: T[];
}

/** Answer type of each operation (src/api/operations.ts). */
export interface Answers {
  signIn: Session;
  completeSetup: Session;
  getSession: Session;
  signOut: void;
  signOutEverywhere: void;
  changePassword: Session;
  beginTotp: { secret: string; uri: string };
  confirmTotp: void;
  removeTotp: void;
  listOperators: List<Operator>;
  createOperator: Operator;
  deleteOperator: void;
  listMembers: List<Member>;
  setMember: Member;
  removeMember: void;
  listApps: List<App>;
  createApp: CreatedApp;
  getApp: App;
  updateApp: App;
  rotateIdentitySecret: { identitySecret: string };
  getCampaignSettings: CampaignSettings;
  updateCampaignSettings: CampaignSettings;
  listCredentials: List<Credentials>;
  setApnsCredentials: Credentials;
  setFcmCredentials: Credentials;
  deleteCredentials: void;
  getQueueDepth: QueueDepth;
  listFailedJobs: List<FailedJob>;
  getLiveness: { status: string };
  getReadiness: { status: string };
  listApiKeys: List<ApiKey>;
  createApiKey: CreatedApiKey;
  revokeApiKey: void;
  retryFailedJob: void;
  retryAllFailedJobs: { retried: number };
}
