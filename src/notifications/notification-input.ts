import { Type, type Static } from '@sinclair/typebox';
import { messageContentFields } from '../message/content.ts';
import { Target } from '../message/target.ts';
import { ConversionSpec } from '../analytics/conversion-spec.ts';

/** A notification as it is asked for: who, what (the message content), and how it travels. */
export const NotificationInput = Type.Object(
  {
    to: Target,
    ...messageContentFields,
    ttl: Type.Optional(Type.Integer({ minimum: 0, maximum: 2_419_200, description: 's; RFC 8030 TTL (at most 4 weeks)' })),
    urgency: Type.Optional(Type.Union([Type.Literal('very-low'), Type.Literal('low'), Type.Literal('normal'), Type.Literal('high')])),
    topic: Type.Optional(Type.String({ minLength: 1, maxLength: 32, description: 'RFC 8030 Topic: replaces an undelivered message with the same topic' })),
    sendAt: Type.Optional(Type.String({ format: 'date-time' })),
    // Not `category`: that member of the content is the APNs category (the action buttons
    // the app registered) and FCM's click_action (src/message/content.ts).
    preferenceCategory: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 32,
        description: 'orders, promotions, security, civic or one of the app’s own categories: users who turned it off are not sent it (counted as suppressed). None: no preference applies',
      }),
    ),
    /** docs/analytics.md#conversions */
    conversion: Type.Optional(ConversionSpec),
  },
  { additionalProperties: false },
);
export type NotificationInput = Static<typeof NotificationInput>;
