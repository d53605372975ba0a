import { Type, type Static } from '@sinclair/typebox';
import { CapAlertJson } from '../../alerts/alert-json.ts';
import { ALERT_DISPOSITIONS } from '../../store/schema-alerts.ts';

/** Schemas of the civic alert routes (alerts.ts); docs/civic-alerts.md. */

const Time = Type.String({ format: 'date-time' });
const nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

/** What a CAP body is, in the document: the route reads the text itself (protocol/cap). */
export const CAP_MEDIA_TYPES = ['application/cap+xml', 'application/xml'] as const;
export const CapBody = {
  content: {
    ...Object.fromEntries(CAP_MEDIA_TYPES.map((t) => [t, { schema: Type.String({ description: 'A CAP 1.2 <alert> (OASIS CAP-v1.2), UTF-8; the CAP 1.1 namespace is accepted' }) }])),
    'application/json': { schema: CapAlertJson },
  },
};

export const AlertReference = Type.Object({
  sender: nullable(Type.String()),
  identifier: Type.String(),
  sent: nullable(Time),
  alertId: nullable(Type.String({ description: 'The stored alert it names; null while that alert has not been seen' })),
});

export const AlertInfoSummary = Type.Object({
  language: Type.String(),
  event: Type.String(),
  urgency: Type.String(),
  severity: Type.String(),
  certainty: Type.String(),
  headline: nullable(Type.String()),
  expires: nullable(Time),
  topPriority: Type.Boolean({ description: 'Severity Extreme or Severe with urgency Immediate or Expected' }),
});

export const AlertNotification = Type.Object({
  id: Type.String({ description: 'The notification the alert was sent as (ntf_...): GET /v1/apps/{appId}/notifications/{id} has its delivery' }),
  kind: Type.Union([Type.Literal('alert'), Type.Literal('all_clear')], { description: 'all_clear: a Cancel, or an Update that says the danger is past' }),
  thread: Type.String({ description: 'The collapse key it shares with the alerts it updates or cancels: Web Push tag and Topic, apns-collapse-id, FCM collapse_key' }),
});

export const AlertSending = Type.Object({
  status: Type.String(),
  topPriority: Type.Boolean({ description: 'Sent on the urgent lane' }),
  counts: Type.Record(Type.String(), Type.Integer(), { description: 'As the notification counts them: targeted, sent, delivered, failed, expired, pruned, suppressed, pending, ...' }),
  suppressed: Type.Record(Type.String(), Type.Integer(), { description: 'counts.suppressed by reason: preference_off, alert_cancelled, alert_replaced' }),
});

export const Alert = Type.Object({
  id: Type.String({ description: 'alr_...' }),
  sender: Type.String(),
  identifier: Type.String(),
  sent: Type.String({ description: '<sent> as written' }),
  status: Type.String(),
  msgType: Type.String(),
  scope: Type.String(),
  disposition: Type.Union(ALERT_DISPOSITIONS.map((d) => Type.Literal(d)), { description: 'Who the alert is for: docs/civic-alerts.md#who-an-alert-reaches' }),
  reason: Type.String(),
  expiresAt: nullable(Time),
  cancelledBy: nullable(Type.String()),
  replacedBy: nullable(Type.String()),
  receivedAt: Time,
  allClear: Type.Boolean({ description: 'A Cancel, or an Update whose every info is urgency Past or responseType AllClear' }),
  references: Type.Array(AlertReference),
  infos: Type.Array(AlertInfoSummary),
  notification: nullable(AlertNotification),
});
export type Alert = Static<typeof Alert>;

export const AlertDetail = Type.Intersect([Alert, Type.Object({ cap: Type.Unknown({ description: 'The alert as parsed: every CAP field (docs/civic-alerts.md#cap-fields)' }), sending: nullable(AlertSending) })]);

export const AlertListQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);
export type AlertListQuery = Static<typeof AlertListQuery> & { limit: number };

export const AlertPage = Type.Object({ data: Type.Array(Alert), next: nullable(Type.String()) });

export const AlertPostQuery = Type.Object(
  {
    reach: Type.Optional(
      Type.Union([Type.Literal('area'), Type.Literal('area_and_unlocated')], {
        description: 'area (the default): the users located in the area and those whose zones it names; area_and_unlocated, for a wide alert: every user without a location too',
      }),
    ),
  },
  { additionalProperties: false },
);
export type AlertPostQuery = Static<typeof AlertPostQuery>;

