/** What a notification says, independent of the channel that carries it. */
export interface NotificationAction {
  action: string;
  title: string;
  url?: string;
  icon?: string;
}

export interface MessageContent {
  title: string;
  body?: string;
  url?: string;
  icon?: string;
  image?: string;
  badge?: string;
  tag?: string;
  lang?: string;
  dir?: 'auto' | 'ltr' | 'rtl';
  silent?: boolean;
  requireInteraction?: boolean;
  actions?: NotificationAction[];
  data?: Record<string, unknown>;
  /** App channels: a sound in the app bundle or resources, or "default". */
  sound?: string;
  /** App channels: the number on the app icon (APNs `badge`, FCM `notification_count`); `badge` is the web badge image. */
  badgeCount?: number;
  /** APNs `thread-id`: groups notifications in Notification Center. */
  threadId?: string;
  /** passive, active, time-sensitive, or critical (civic alerts only). */
  interruptionLevel?: 'passive' | 'active' | 'time-sensitive' | 'critical';
  /** App channels: a silent data-only push (APNs background, FCM data message); browsers still show the title. */
  contentAvailable?: boolean;
  /** APNs `category` (the actions the app registered); FCM `click_action`. */
  category?: string;
  /** What does not map from the fields above, for APNs only. */
  apns?: ApnsOverrides;
  /** What does not map from the fields above, for FCM only. */
  fcm?: FcmOverrides;
}

export interface ApnsOverrides {
  subtitle?: string;
  /** apns-collapse-id (at most 64 bytes); `topic` otherwise. */
  collapseId?: string;
  /** apns-priority; derived from urgency otherwise. */
  priority?: 10 | 5 | 1;
  /** Extra `aps` keys (relevance-score, target-content-id, ...), merged last. */
  aps?: Record<string, unknown>;
}

export interface FcmOverrides {
  /** android.collapse_key; `topic` otherwise. */
  collapseKey?: string;
  /** android.priority; derived from urgency otherwise. */
  priority?: 'HIGH' | 'NORMAL';
  /** android.notification.channel_id (Android 8+ notification channel). */
  channelId?: string;
  /** Members merged into message.android, last. */
  android?: Record<string, unknown>;
  /** Extra data entries (string values), merged into message.data. */
  data?: Record<string, string>;
}
