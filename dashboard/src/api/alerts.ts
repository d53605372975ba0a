/**
 * What the civic alert routes answer, as the dashboard reads them
 * (src/http/routes/alerts.schemas.ts, alert-feeds.schemas.ts; docs/civic-alerts.md). Added
 * to the answers of types.ts by declaration merging, as the other pages' shapes are.
 */
import type { List } from './types.ts';

export type AlertDisposition = 'public' | 'testers' | 'none' | 'archived' | 'cancelled' | 'replaced';
export const ALERT_DISPOSITIONS: readonly AlertDisposition[] = ['public', 'testers', 'none', 'archived', 'cancelled', 'replaced'];

export interface AlertInfoSummary {
  language: string;
  event: string;
  urgency: string;
  severity: string;
  certainty: string;
  headline: string | null;
  expires: string | null;
  topPriority: boolean;
}

export interface Alert {
  id: string;
  sender: string;
  identifier: string;
  sent: string;
  status: string;
  msgType: string;
  scope: string;
  disposition: AlertDisposition;
  reason: string;
  expiresAt: string | null;
  cancelledBy: string | null;
  replacedBy: string | null;
  receivedAt: string;
  allClear: boolean;
  references: { sender: string | null; identifier: string; sent: string | null; alertId: string | null }[];
  infos: AlertInfoSummary[];
  notification: { id: string; kind: 'alert' | 'all_clear'; thread: string } | null;
}

/** The parsed CAP of an alert, as far as the page shows it (src/protocol/cap/types.ts). */
export interface CapArea {
  areaDesc: string;
  polygons: { points: { lat: number; lon: number }[] }[];
  circles: { center: { lat: number; lon: number }; radiusKm: number }[];
  geocodes: { valueName: string; value: string }[];
}
export interface CapInfo {
  language: string;
  event: string;
  headline?: string;
  description?: string;
  instruction?: string;
  areas: CapArea[];
}

export interface AlertDetail extends Alert {
  cap: { infos?: CapInfo[] } | null;
  sending: { status: string; topPriority: boolean; counts: Record<string, number>; suppressed: Record<string, number> } | null;
}

export type FeedStatus = 'pending' | 'ok' | 'not_modified' | 'failed';

export interface AlertFeed {
  id: string;
  url: string;
  interval: number;
  reach: 'area' | 'area_and_unlocated';
  status: FeedStatus;
  error: { code: string; detail: string } | null;
  failures: number;
  lastPollAt: string | null;
  lastSuccessAt: string | null;
  nextPollAt: string;
  lastEntries: number;
  alertsReceived: number;
}

/** CAP 1.2 §3.2.2 <category> values, in the standard's order. */
export const CAP_CATEGORIES = ['Geo', 'Met', 'Safety', 'Security', 'Rescue', 'Fire', 'Health', 'Env', 'Transport', 'Infra', 'CBRNE', 'Other'] as const;

export interface AlertSettings {
  publicPage: boolean;
  apnsCriticalAlerts: boolean;
  /** CAP category to the app's preference category its alerts go in; one not named goes in civic. */
  categories: Partial<Record<(typeof CAP_CATEGORIES)[number], string>>;
}

declare module './types.ts' {
  interface Answers {
    listAlerts: List<Alert> & { next: string | null };
    getAlert: AlertDetail;
    receiveAlert: Alert;
    listAlertFeeds: List<AlertFeed>;
    createAlertFeed: AlertFeed;
    deleteAlertFeed: void;
    getAlertSettings: AlertSettings;
    setAlertSettings: AlertSettings;
  }
}
