/**
 * Sessions, as the SDK counts them: a page load after 30 minutes without activity (a page
 * load or an SDK call on the site) starts a new one, the rule web analytics tools use
 * (Google Analytics' default session timeout is 30 minutes). The last activity is kept in
 * the SDK's store, shared by the site's tabs.
 */

/** ms of quiet after which the next page load is a new session. */
export const SESSION_TIMEOUT = 30 * 60_000;

/** Whether a page load at `now` starts a session; a clock set back counts as a new one. */
export function startsSession(lastActivityAt: number | undefined, now: number): boolean {
  return lastActivityAt === undefined || now - lastActivityAt >= SESSION_TIMEOUT || now < lastActivityAt;
}
