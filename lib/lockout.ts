import { randomUUID } from 'node:crypto';
import { DeleteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { integerEnv } from '#lib/config';
import { dynamo, epochSeconds, getItemsAtOnce, isConditionalCheckFailed, readAttribute, tableName } from '#lib/dynamo';
import { userFromItem, type User } from '#lib/users';

/**
 * Brute-force protection that holds across any number of concurrent Lambda instances: a per-account
 * attempt counter in DynamoDB, never in memory.
 *
 * Each login attempt first *reserves* itself with a conditional write on the counter it read, before
 * bcrypt runs, and records the lock it will deserve if it fails. So a burst of parallel guesses cannot
 * slip past the count (only one request per counter value wins the write), and a success simply deletes
 * the record. After `freeFailures` consecutive failures the account is locked for `baseDelay`, doubling
 * with each further failure up to `maxDelay`. While locked, every attempt is refused before the
 * password is looked at, so a lockout says nothing about the password. Unknown usernames are counted
 * exactly like real ones, so lockouts do not reveal which accounts exist.
 *
 * The source IP is deliberately not part of the decision: it would come from the request context, never
 * from X-Forwarded-For, and keying on it would let a botnet spread its guesses. It is recorded for audit.
 */

export const lockoutPolicy = {
  freeFailures: integerEnv('LOGIN_FREE_FAILURES', 5, { min: 1, max: 1000 }),
  baseDelaySeconds: integerEnv('LOGIN_LOCKOUT_BASE_SECONDS', 30, { min: 1, max: 86_400 }),
  maxDelaySeconds: integerEnv('LOGIN_LOCKOUT_MAX_SECONDS', 15 * 60, { min: 1, max: 86_400 }),
  /** Failures older than this (after any lock ends) are forgotten; also the TTL of the record. */
  memorySeconds: integerEnv('LOGIN_FAILURE_MEMORY_SECONDS', 60 * 60, { min: 60, max: 30 * 86_400 }),
};

const attemptsTable = tableName('loginAttempts');
const usersTable = tableName('users');

export interface AttemptRecord {
  failures: number;
  /** Epoch milliseconds (0: not locked), so a lock lasts exactly its delay, not up to a second less. */
  lockedUntilMs: number;
  /** Epoch seconds: the TTL attribute. */
  expiresAt: number;
}

export interface LoginState {
  user: User | undefined;
  /** The live counter, or undefined when there is none (or only an expired one TTL has not deleted yet). */
  attempts: AttemptRecord | undefined;
}

/** How long to lock after `failures` consecutive failures (0: not locked). */
export function lockDelaySeconds(failures: number): number {
  if (failures < lockoutPolicy.freeFailures) return 0;
  const doublings = Math.min(failures - lockoutPolicy.freeFailures, 30);
  return Math.min(lockoutPolicy.maxDelaySeconds, lockoutPolicy.baseDelaySeconds * 2 ** doublings);
}

/** Whole seconds until the lock ends (rounded up, for Retry-After), or 0 when the account is not locked. */
export function lockedForSeconds(attempts: AttemptRecord | undefined, nowMs = Date.now()): number {
  return attempts && attempts.lockedUntilMs > nowMs ? Math.ceil((attempts.lockedUntilMs - nowMs) / 1000) : 0;
}

function attemptsFromItem(item: Record<string, unknown> | undefined, now: number): AttemptRecord | undefined {
  if (!item) return undefined;
  const { failures, lockedUntilMs, expiresAt } = item;
  if (typeof failures !== 'number' || typeof lockedUntilMs !== 'number' || typeof expiresAt !== 'number') return undefined;
  // TTL deletion lags by up to days: an expired record is treated as gone.
  if (expiresAt <= now) return undefined;
  return { failures, lockedUntilMs, expiresAt };
}

/** The account and its attempt counter, in one round trip. */
export async function readLoginState(username: string): Promise<LoginState> {
  const [userItem, attemptsItem] = await getItemsAtOnce([
    { table: usersTable, key: { username } },
    { table: attemptsTable, key: { username } },
  ]);
  return { user: userFromItem(userItem), attempts: attemptsFromItem(attemptsItem, epochSeconds()) };
}

/**
 * Counts this attempt as a failure (and arms the lock it would earn) before the password is checked.
 * False when another attempt on the same account changed the counter since it was read.
 */
export async function reserveAttempt(username: string, seen: AttemptRecord | undefined, sourceIp: string): Promise<boolean> {
  const nowMs = Date.now();
  const now = epochSeconds(new Date(nowMs));
  const attemptId = randomUUID();
  const failures = (seen?.failures ?? 0) + 1;
  const delay = lockDelaySeconds(failures);
  const lockedUntilMs = delay > 0 ? nowMs + delay * 1000 : 0;
  try {
    await dynamo.send(
      new UpdateCommand({
        TableName: attemptsTable,
        Key: { username },
        UpdateExpression:
          'SET failures = :failures, lockedUntilMs = :lockedUntilMs, expiresAt = :expiresAt, lastAttemptAt = :now, lastAttemptId = :attemptId, lastSourceIp = :ip',
        ConditionExpression: seen
          ? 'failures = :seenFailures AND expiresAt = :seenExpiresAt'
          : 'attribute_not_exists(username) OR expiresAt <= :now',
        ExpressionAttributeValues: {
          ':failures': failures,
          ':lockedUntilMs': lockedUntilMs,
          ':expiresAt': now + delay + lockoutPolicy.memorySeconds,
          ':now': now,
          ':ip': sourceIp,
          ':attemptId': attemptId,
          ...(seen && { ':seenFailures': seen.failures, ':seenExpiresAt': seen.expiresAt }),
        },
      }),
    );
    return true;
  } catch (error) {
    if (!isConditionalCheckFailed(error)) throw error;
    // Either another attempt won the race, or the SDK retried our own write after losing its answer.
    return (await readAttribute(attemptsTable, { username }, 'lastAttemptId')) === attemptId;
  }
}

/** A successful login forgets the failures. */
export async function clearAttempts(username: string): Promise<void> {
  await dynamo.send(new DeleteCommand({ TableName: attemptsTable, Key: { username } }));
}
