import { PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo, isConditionalCheckFailed, readAttribute, tableName } from '#lib/dynamo';
import { tables } from '#lib/tables';

/**
 * Login sessions and refresh-token rotation. A session item remembers the one refresh token (by `jti`)
 * that may still be exchanged; exchanging it swaps in the next one with a conditional write, so of any
 * number of concurrent refreshes with one token at most one wins. A token that loses — replayed after
 * rotation, or raced — signals theft (OAuth 2.0 Security BCP §4.14) and the caller revokes the session.
 * `expiresAt` (TTL) follows the current refresh token's expiry.
 */

const sessionsTable = tableName('sessions');
const byUsernameIndex = tables.sessions.indexes[0].name;

export interface SessionStart {
  sid: string;
  username: string;
  refreshJti: string;
  expiresAt: number;
}

export async function startSession(session: SessionStart): Promise<void> {
  try {
    await dynamo.send(
      new PutCommand({
        TableName: sessionsTable,
        Item: { ...session, createdAt: new Date().toISOString() },
        ConditionExpression: 'attribute_not_exists(sid)',
      }),
    );
  } catch (error) {
    if (!isConditionalCheckFailed(error)) throw error;
    // A random UUID cannot collide: an existing item is this call's own write, retried by the SDK after
    // its answer was lost. Anything else would be a bug worth a 500.
    if ((await readAttribute(sessionsTable, { sid: session.sid }, 'refreshJti')) !== session.refreshJti) throw error;
  }
}

export interface Rotation {
  sid: string;
  username: string;
  presentedJti: string;
  nextJti: string;
  expiresAt: number;
}

/** Consumes the presented refresh token. False when it is not the session's current one (reuse). */
export async function rotateRefreshToken(rotation: Rotation): Promise<boolean> {
  try {
    await dynamo.send(
      new UpdateCommand({
        TableName: sessionsTable,
        Key: { sid: rotation.sid },
        UpdateExpression: 'SET refreshJti = :next, expiresAt = :expiresAt, rotatedAt = :now',
        ConditionExpression: 'refreshJti = :presented AND username = :username',
        ExpressionAttributeValues: {
          ':next': rotation.nextJti,
          ':presented': rotation.presentedJti,
          ':username': rotation.username,
          ':expiresAt': rotation.expiresAt,
          ':now': new Date().toISOString(),
        },
      }),
    );
    return true;
  } catch (error) {
    if (!isConditionalCheckFailed(error)) throw error;
    // The SDK retries a write whose answer was lost; if the first try went through, the retry's condition
    // fails although the rotation is ours. Only a re-read tells, and only on this rare path.
    return (await readAttribute(sessionsTable, { sid: rotation.sid }, 'refreshJti')) === rotation.nextJti;
  }
}

/**
 * The ids of a user's sessions, including ended and expired ones TTL has not deleted yet (revoking
 * those again is harmless). The index is eventually consistent: a session started in the last moment
 * may be missing, which is why a role is changed before the sessions are listed (lib/users.ts).
 */
export async function listSessionIds(username: string): Promise<string[]> {
  const ids: string[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await dynamo.send(
      new QueryCommand({
        TableName: sessionsTable,
        IndexName: byUsernameIndex,
        KeyConditionExpression: 'username = :username',
        ExpressionAttributeValues: { ':username': username },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) if (typeof item.sid === 'string') ids.push(item.sid);
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return ids;
}
