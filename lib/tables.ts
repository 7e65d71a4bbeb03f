/**
 * The DynamoDB tables, declared once: the data modules read their names from these environment
 * variables, the CDK stack creates them with these keys, and the local server creates them when missing.
 * Physical names are never hard-coded; CDK generates them and passes them in.
 */

export interface TableDefinition {
  /** Environment variable that carries the physical table name to a function. */
  envVar: string;
  partitionKey: string;
  /** Number attribute holding epoch seconds after which DynamoDB's TTL may delete the item. */
  ttlAttribute?: string;
  indexes?: readonly {
    name: string;
    partitionKey: string;
    sortKey: string;
    /** `all` copies every attribute into the index; `keys-only` just the keys (cheaper writes). */
    projection: 'all' | 'keys-only';
  }[];
  /** Holds data users would miss: point-in-time recovery in the cloud. */
  userData: boolean;
}

export const tables = {
  users: { envVar: 'USERS_TABLE', partitionKey: 'username', userData: true },
  todos: {
    envVar: 'TODOS_TABLE',
    partitionKey: 'id',
    indexes: [{ name: 'byOwner', partitionKey: 'owner', sortKey: 'id', projection: 'all' }],
    userData: true,
  },
  sessions: {
    envVar: 'SESSIONS_TABLE',
    partitionKey: 'sid',
    ttlAttribute: 'expiresAt',
    // A user's sessions, to end them all when an admin takes a role away.
    indexes: [{ name: 'byUsername', partitionKey: 'username', sortKey: 'sid', projection: 'keys-only' }],
    userData: false,
  },
  revocations: { envVar: 'REVOCATIONS_TABLE', partitionKey: 'sid', ttlAttribute: 'expiresAt', userData: false },
  loginAttempts: { envVar: 'LOGIN_ATTEMPTS_TABLE', partitionKey: 'username', ttlAttribute: 'expiresAt', userData: false },
} as const satisfies Record<string, TableDefinition>;

export type TableId = keyof typeof tables;
