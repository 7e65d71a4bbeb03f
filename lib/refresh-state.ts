import { getItemsAtOnce, tableName } from '#lib/dynamo';
import { userFromItem, type User } from '#lib/users';

/**
 * What /auth/refresh must know before it rotates: the account (for its current role) and whether the
 * session was revoked (logout, or an earlier reuse). Its own module because only refresh reads both
 * tables: a module's table names are resolved when it loads, and other functions are not given them.
 */

const usersTable = tableName('users');
const revocationsTable = tableName('revocations');

export interface RefreshState {
  user: User | undefined;
  sessionRevoked: boolean;
}

/** Both in one round trip. */
export async function readRefreshState(username: string, sid: string): Promise<RefreshState> {
  const [userItem, revocationItem] = await getItemsAtOnce([
    { table: usersTable, key: { username } },
    { table: revocationsTable, key: { sid }, projection: 'sid' },
  ]);
  return { user: userFromItem(userItem), sessionRevoked: revocationItem !== undefined };
}
