import { Type, type Static } from '@sinclair/typebox';
import { Id } from '../../message/fields.ts';

/** Schemas of the public alert page (public-alerts.ts). */

export const PublicAlertParams = Type.Object({ appId: Id, alertId: Id });
export type PublicAlertParams = Static<typeof PublicAlertParams>;

export const HtmlPage = { description: 'The page (HTML, no script)', content: { 'text/html': { schema: { type: 'string' } } } } as const;
export const AtomFeed = { description: 'An Atom feed (RFC 4287) whose entries hold the CAP messages as received', content: { 'application/atom+xml': { schema: { type: 'string' } } } } as const;
