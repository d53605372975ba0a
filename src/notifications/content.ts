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
}
