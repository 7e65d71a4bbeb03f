import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { optionalEnv, requireEnv } from '#lib/config';
import { tables, type TableId } from '#lib/tables';

const localEndpoint = optionalEnv('DYNAMODB_ENDPOINT');

/**
 * The one DynamoDB client of this process, created at module scope so a warm Lambda reuses its
 * connections. Locally (DYNAMODB_ENDPOINT set) it talks to DynamoDB Local or the embedded server,
 * which accept any credentials.
 */
export const dynamoClient = new DynamoDBClient({
  ...(localEndpoint && {
    endpoint: localEndpoint,
    region: optionalEnv('AWS_REGION') ?? 'local',
    ...(!optionalEnv('AWS_ACCESS_KEY_ID') && { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
  }),
  // Fail fast on an unreachable or hung database: a call gives up after 3 tries of at most 1 s each plus
  // ~0.3 s of backoff (DynamoDB answers in milliseconds). The longest function (login: 3 sequential
  // calls and bcrypt) then ends well inside its Lambda timeout (infra/runtime-limits.ts) with a clean 500.
  maxAttempts: 3,
  requestHandler: { connectionTimeout: 1_000, requestTimeout: 1_000 },
});

/** The same client with plain JavaScript values in and out (lib-dynamodb marshalling). */
// Pure: a bundle that never uses it (the authorizer) drops lib-dynamodb entirely.
export const dynamo = /* @__PURE__ */ DynamoDBDocumentClient.from(dynamoClient, { marshallOptions: { removeUndefinedValues: true } });

/** The physical name of a table, from the environment variable the stack sets (fails at init if unset). */
export function tableName(table: TableId): string {
  return requireEnv(tables[table].envVar);
}

export function isConditionalCheckFailed(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

/**
 * One attribute of one item, read strongly consistent. Used where a conditional write failed and only
 * the item can tell whether it was this call's own write, applied by a try whose answer the SDK lost.
 */
export async function readAttribute(table: string, key: Record<string, string>, attribute: string): Promise<unknown> {
  const { Item } = await dynamo.send(
    new GetCommand({
      TableName: table,
      Key: key,
      ConsistentRead: true,
      ProjectionExpression: '#attribute',
      ExpressionAttributeNames: { '#attribute': attribute },
    }),
  );
  return Item?.[attribute];
}

export function epochSeconds(date = new Date()): number {
  return Math.floor(date.getTime() / 1000);
}

export interface ItemRequest {
  table: string;
  key: Record<string, string>;
  projection?: string;
}

/**
 * One item from each of several tables, strongly consistent, in a single round trip (BatchGetItem).
 * Keys DynamoDB leaves unprocessed (throttling) throw rather than read as "absent": absent may mean
 * "not revoked" or "not locked", so guessing would fail open.
 */
export async function getItemsAtOnce(requests: readonly ItemRequest[]): Promise<(Record<string, unknown> | undefined)[]> {
  const { Responses, UnprocessedKeys } = await dynamo.send(
    new BatchGetCommand({
      RequestItems: Object.fromEntries(
        requests.map((request) => [
          request.table,
          { Keys: [request.key], ConsistentRead: true, ...(request.projection && { ProjectionExpression: request.projection }) },
        ]),
      ),
    }),
  );
  if (UnprocessedKeys && Object.keys(UnprocessedKeys).length > 0) {
    throw new Error('DynamoDB left keys unprocessed in a batch read');
  }
  return requests.map((request) => Responses?.[request.table]?.[0]);
}
