import { createContext, useContext } from 'react';
import type { Role, Session } from './api/types.ts';

export interface SessionState {
  session: Session;
  /** Reads the session again (roles, second factor) after a change. */
  refresh(): Promise<void>;
  signedOut(): void;
}

export const SessionContext = createContext<SessionState | undefined>(undefined);

export function useSession(): SessionState {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside a signed-in page');
  return value;
}

const RANK: Record<Role, number> = { viewer: 0, editor: 1, owner: 2 };

/**
 * Whether the operator's role on the app reaches `need`: what the server enforces
 * (src/http/route-roles.ts), used here only to hide what would be refused.
 */
export function can(session: Session, appId: string, need: Role): boolean {
  if (session.operator.admin) return true;
  const m = session.operator.memberships.find((x) => x.appId === appId);
  return m !== undefined && RANK[m.role] >= RANK[need];
}
