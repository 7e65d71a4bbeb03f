import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { readTokenSettings } from '#lib/config';
import { dynamo, dynamoClient, epochSeconds, tableName } from '#lib/dynamo';

/**
 * The blocklist: one item per revoked login session (`sid`). Every access and refresh token carries its
 * session id, so one entry stops all of a session's tokens, including access tokens issued before a
 * refresh, while the user's other sessions keep working.
 *
 * `expiresAt` (Number, epoch seconds) is the TTL attribute. Every token of the session was issued no
 * later than now and lives at most the longer token lifetime, so after `now + that lifetime` no token the
 * entry revokes can still verify and DynamoDB may delete it. Lookups ignore `expiresAt`: an entry counts
 * until it is gone, so correctness never depends on when (days later) TTL deletion runs.
 */

const revocationsTable = tableName('revocations');
const tokenSettings = readTokenSettings();
const CLOCK_SKEW_MARGIN_SECONDS = 60;

export type RevocationReason = 'logout' | 'refresh-token-reuse' | 'role-taken-away';

export function revocationExpiry(now = epochSeconds()): number {
  return now + Math.max(tokenSettings.accessTokenTtlSeconds, tokenSettings.refreshTokenTtlSeconds) + CLOCK_SKEW_MARGIN_SECONDS;
}

export async function revokeSession(sid: string, reason: RevocationReason): Promise<void> {
  const now = epochSeconds();
  await dynamo.send(
    new PutCommand({
      TableName: revocationsTable,
      Item: { sid, reason, revokedAt: now, expiresAt: revocationExpiry(now) },
    }),
  );
}

/**
 * One strongly consistent read, so a logout is seen by the very next request. The authorizer's hot path:
 * it uses the plain client, whose one-attribute key needs no lib-dynamodb marshalling (measured: ~10% of
 * the authorizer's CPU per request).
 */
export async function isSessionRevoked(sid: string): Promise<boolean> {
  const { Item } = await dynamoClient.send(
    new GetItemCommand({ TableName: revocationsTable, Key: { sid: { S: sid } }, ConsistentRead: true, ProjectionExpression: 'sid' }),
  );
  return Item !== undefined;
}
