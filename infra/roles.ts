/**
 * Changing a user's role: what `npm run admin -- set-role` does once it knows which tables to use.
 * Import it only after the table environment is set: the data modules read their table names on load.
 *
 * Taking the admin role away ends every session of that user, so the role cannot outlive the change in
 * a token; granting it reaches the user's tokens at their next refresh or login.
 *
 * A login that read the old role just before the change writes its session only after bcrypt, and the
 * sessions index lags the table by moments. So the sessions are ended twice: at once, and again after
 * any login in flight must have finished. The promise resolves only then, when no token of the user can
 * carry the old role.
 */
import type { Role } from '#lib/routes';
import { revokeSession } from '#lib/revocation';
import { listSessionIds } from '#lib/sessions';
import { setUserRole } from '#lib/users';

export type RoleChange =
  | { outcome: 'unknown-user' }
  | { outcome: 'unchanged' }
  | { outcome: 'granted' }
  | { outcome: 'taken-away'; endedSessions: number };

export interface RoleChangeOptions {
  /** How long a login that read the old role may still be running, plus the index's lag. */
  settleSeconds: number;
  /** Told when the first sweep is done and the wait begins. */
  onFirstSweep?: (endedSessions: number) => void;
}

export async function changeRole(username: string, role: Role, options: RoleChangeOptions): Promise<RoleChange> {
  // The role first, then the sessions: a login from now on reads the new role.
  const previous = await setUserRole(username, role);
  if (previous === undefined) return { outcome: 'unknown-user' };
  if (previous === role) return { outcome: 'unchanged' };
  if (previous !== 'admin') return { outcome: 'granted' };

  const ended = new Set<string>();
  const endSessions = async () => {
    const sessions = await listSessionIds(username);
    await Promise.all(sessions.map((sid) => revokeSession(sid, 'role-taken-away')));
    for (const sid of sessions) ended.add(sid);
  };
  await endSessions();
  options.onFirstSweep?.(ended.size);
  await new Promise((resolve) => setTimeout(resolve, options.settleSeconds * 1000));
  await endSessions();
  return { outcome: 'taken-away', endedSessions: ended.size };
}
