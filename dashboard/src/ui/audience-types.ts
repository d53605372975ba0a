/**
 * What the audience operations answer (the shapes of /openapi.json's user, subscription
 * and segment schemas), added to the answers of api/types.ts by declaration merging.
 */
export interface User {
  externalId: string;
  attributes: Record<string, string | number | boolean>;
  language: string | null;
  timezone: string | null;
  country: string | null;
  location: { lat: number; lon: number } | null;
  createdAt: string;
  updatedAt: string;
  lastSeenAt: string | null;
  sessionCount: number;
  subscriptions: number;
}
export interface Subscription {
  id: string;
  channel: string;
  endpoint?: string;
  token?: string;
  environment?: string | null;
  topic?: string | null;
  userId: string | null;
  tags: Record<string, string>;
  language: string | null;
  timezone: string | null;
  createdAt: string;
  updatedAt: string;
}
export interface UserExport {
  user: User;
  subscriptions: Record<string, unknown>[];
  events: { name: string; at: string; properties: Record<string, unknown>; id: string | null; receivedAt: string }[];
  preferences: { category: string; enabled: boolean; updatedAt: string }[];
  deliveryFailures: { notificationId: string; subscriptionId: string; outcome: string; statusCode: number | null; reason: string; at: string }[];
  engagement: { type: string; notificationId: string | null; subscriptionId: string | null; action: string | null; at: string }[];
  withheld: string[];
}
export interface QuietWindow {
  start: string;
  end: string;
}
export interface AudienceSize {
  users: number;
  subscriptions: number;
  byChannel: Record<string, number>;
}
export interface Segment {
  id: string;
  name: string;
  filter: unknown;
  createdAt: string;
  updatedAt: string;
}
export interface Page<T> {
  data: T[];
  next: string | null;
}

declare module '../api/types.ts' {
  interface Answers {
    listUsers: Page<User>;
    getUser: User;
    exportUser: UserExport;
    eraseUser: void;
    getUserPreferences: Record<string, boolean>;
    getUserQuietHours: { quietHours: QuietWindow | null };
    setUserQuietHours: { quietHours: QuietWindow | null };
    listSubscriptions: Page<Subscription>;
    listSegments: Page<Segment>;
    createSegment: Segment;
    getSegment: Segment & { size: AudienceSize };
    updateSegment: Segment;
    deleteSegment: void;
    estimateAudience: AudienceSize;
  }
}
