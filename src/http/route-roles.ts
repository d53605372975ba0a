import type { OperatorRole } from '../store/schema-operators.ts';

/**
 * What an operator signed in to the dashboard needs to reach each guarded route: a role on
 * the app of the path (`viewer` < `editor` < `owner`), to be an installation `admin`, or
 * only a session (`session`: their own account, `/v1/session/...`).
 *
 * Rules are matched in order against the method and the route's pattern as registered
 * (`/v1/apps/:appId/segments/:id`); the first that matches decides. A route that no rule
 * matches is refused to every operator (deny by default; API keys are not concerned):
 * a new route family is classified by one line here, and the test in
 * test/api/operator-roles.test.ts fails until every route of the OpenAPI document is.
 * The table is docs/dashboard.md#roles in code.
 */
export type Need = OperatorRole | 'admin' | 'session';

interface Rule {
  /** `read`: GET and HEAD; `write`: every other method. */
  methods: 'read' | 'write' | 'any';
  path: RegExp;
  need: Need;
}

const APP = String.raw`^/v1/apps/:appId`;
const under = (...families: string[]) => new RegExp(`${APP}/(${families.join('|')})(/|$)`);

export const ROUTE_ROLES: Rule[] = [
  { methods: 'any', path: /^\/v1\/session(\/|$)/, need: 'session' },
  // Who may do what on an app, and its secrets: owners only, read or write.
  { methods: 'any', path: under('members'), need: 'owner' },
  { methods: 'write', path: under('identity-secret', 'credentials', 'api-keys', 'campaign-settings', 'webhooks'), need: 'owner' },
  { methods: 'write', path: new RegExp(`${APP}$`), need: 'owner' },
  // A journey's simulation sends, stores and queues nothing: a read, for every member.
  { methods: 'write', path: new RegExp(`${APP}/journeys/:id/simulate$`), need: 'viewer' },
  // A campaign's estimate walks its whole audience and is part of composing: an editor's, like the preview.
  { methods: 'read', path: new RegExp(`${APP}/campaigns/:id/estimate$`), need: 'editor' },
  // Audiences, content and sends.
  {
    methods: 'write',
    path: under('users', 'subscriptions', 'segments', 'audience', 'events', 'track', 'preferences', 'notifications', 'campaigns', 'journeys', 'alerts', 'analytics'),
    need: 'editor',
  },
  // Taking a thread over from the assistant and handing it back: whoever may answer it, an editor (a viewer reads the inbox).
  { methods: 'write', path: new RegExp(`${APP}/conversations/:id/(take-over|release)$`), need: 'editor' },
  // Answering and closing conversations, and the built-in assistant's knowledge base: content, an editor's.
  { methods: 'write', path: under('conversations', 'assistant'), need: 'editor' },
  // Push sign-in, read or write: the owner's, who holds the app's secret key anyway. An
  // enrollment token lets whoever holds it sign in as that user, a lock reset lifts a fraud
  // report, and the audit and devices hold users' addresses and user agents.
  { methods: 'any', path: under('mfa'), need: 'owner' },
  // Reading anything of an app: every member.
  { methods: 'read', path: new RegExp(`${APP}(/|$)`), need: 'viewer' },
  // The installation: every app, the queue, the operators.
  { methods: 'any', path: /^\/v1\/apps$/, need: 'admin' },
  { methods: 'any', path: /^\/v1\/(queue|operators)(\/|$)/, need: 'admin' },
  // An app's API keys: every member sees their prefixes (the read rule above); only owners make and revoke them.
  { methods: 'write', path: under('keys'), need: 'owner' },
  // Civic alerts around the alerts: feeds and geocode tables are content; whether the app shows a public page is the owner's.
  { methods: 'write', path: under('alert-feeds', 'geocode-tables'), need: 'editor' },
  { methods: 'write', path: under('alert-settings'), need: 'owner' },
];

const READ = new Set(['GET', 'HEAD']);

/** The need of a route, or undefined for a route no rule classifies (refused to operators). */
export function routeNeed(method: string, routePath: string): Need | undefined {
  const read = READ.has(method.toUpperCase());
  for (const rule of ROUTE_ROLES) {
    if (rule.methods === 'read' && !read) continue;
    if (rule.methods === 'write' && read) continue;
    if (rule.path.test(routePath)) return rule.need;
  }
  return undefined;
}

const RANK: Record<OperatorRole, number> = { viewer: 0, editor: 1, owner: 2 };

/** Whether `role` reaches `need` (a role on an app; `admin` and `session` are decided by the guard). */
export function roleReaches(role: OperatorRole, need: OperatorRole): boolean {
  return RANK[role] >= RANK[need];
}
