import { Type, type Static } from '@sinclair/typebox';
import { NotificationInput } from '../../notifications/notification-input.ts';
import type { NotificationStatus as StoredStatus } from '../../store/schema.ts';

/** Schemas of the notification routes (notifications.ts). */
/** A notification request: the message model (src/message/) with its audience and delivery options. */
export const NotificationBody = NotificationInput;
export type NotificationBody = Static<typeof NotificationBody>;

export const Accepted = Type.Object({ id: Type.String() });

export const NotificationStatus = Type.Object({
  id: Type.String(),
  status: Type.String({ description: 'scheduled, queued, sending, completed or cancelled' }),
  createdAt: Type.String(),
  sendAt: Type.String(),
  completedAt: Type.Union([Type.String(), Type.Null()]),
  ttl: Type.Integer(),
  urgency: Type.String(),
  topic: Type.Union([Type.String(), Type.Null()]),
  preferenceCategory: Type.Union([Type.String(), Type.Null()], { description: 'The category users may have turned off; null: none applies' }),
  to: Type.Unknown(),
  content: Type.Unknown({ description: 'The message as accepted' }),
  counts: Type.Object({
    targeted: Type.Integer(),
    sent: Type.Integer(),
    delivered: Type.Integer({ description: 'The push service answered 201 (less those Carillon’s own push service reports the browser could not decrypt or deliver)' }),
    failed: Type.Integer({ description: 'Refused for good, gave up after retries, or not decrypted or delivered by the browser (Carillon’s own push service)' }),
    expired: Type.Integer(),
    pruned: Type.Integer({ description: 'Removed: the push service answered 404 or 410' }),
    suppressed: Type.Integer({ description: 'Matched by the audience but not sent: their user turned the preferenceCategory off (not in targeted)' }),
    pending: Type.Integer(),
    displayed: Type.Integer({ description: 'Recipients whose browser showed it (reported by the service worker)' }),
    clicked: Type.Integer({ description: 'Recipients who clicked it or one of its actions' }),
    dismissed: Type.Integer({ description: 'Recipients who closed it without clicking' }),
  }),
  suppressed: Type.Record(Type.String(), Type.Integer(), { description: 'counts.suppressed by reason: preference_off (the user turned the category off); {} when none' }),
});

export const FailureList = Type.Object({
  data: Type.Array(
    Type.Object({
      subscriptionId: Type.String(),
      outcome: Type.String(),
      statusCode: Type.Union([Type.Integer(), Type.Null()]),
      reason: Type.String(),
      at: Type.String(),
    }),
  ),
});

const ListedStatus = Type.Union(['scheduled', 'queued', 'sending', 'completed', 'cancelled'].map((s) => Type.Literal(s)));

export const NotificationListQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
    cursor: Type.Optional(Type.String({ maxLength: 200, description: 'The `next` of the page before' })),
    status: Type.Optional(ListedStatus),
    campaignId: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Only the waves (and test sends) of this campaign' })),
  },
  { additionalProperties: false },
);
export type NotificationListQuery = Omit<Static<typeof NotificationListQuery>, 'status'> & { limit: number; status?: StoredStatus };

export const NotificationSummary = Type.Object({
  id: Type.String(),
  status: Type.String({ description: 'scheduled, queued, sending, completed or cancelled' }),
  title: Type.Union([Type.String(), Type.Null()], { description: 'The content’s title as accepted (a campaign wave’s is its template); null when the content has none at its top' }),
  createdAt: Type.String(),
  sendAt: Type.String(),
  completedAt: Type.Union([Type.String(), Type.Null()]),
  campaignId: Type.Union([Type.String(), Type.Null()], { description: 'The campaign this is a wave (or, run 0, a test send) of; null: sent on its own' }),
  campaignRun: Type.Union([Type.Integer(), Type.Null()]),
  counts: Type.Object(
    {
      targeted: Type.Integer({ description: 'Recipients the audience matched' }),
      delivered: Type.Integer(),
      failed: Type.Integer(),
      displayed: Type.Integer(),
      clicked: Type.Integer(),
    },
    { description: 'The key figures, counted as GET .../notifications/{id} counts them' },
  ),
});
export const NotificationPage = Type.Object({ data: Type.Array(NotificationSummary), next: Type.Union([Type.String(), Type.Null()]) });
