import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { optionalEnv, requireEnv } from '#lib/config';
import { tables, type TableId } from '#lib/tables';

const localEndpoint = optionalEnv('DYNAMODB_ENDPOINT');

/**
 * The one DynamoDB client of this process, created at module scope so a warm Lambda reuses its
 * connections. Locally (DYNAMODB_ENDPOINT set) it talks to DynamoDB Local or the embedded server,
 * which accept any credentials.
 */
export const dynamo = DynamoDBDocumentClient.from(
  new DynamoDBClient({
    ...(localEndpoint && {
      endpoint: localEndpoint,
      region: optionalEnv('AWS_REGION') ?? 'local',
      ...(!optionalEnv('AWS_ACCESS_KEY_ID') && { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
    }),
    // Fail fast rather than hold an API Gateway request (30 s limit) on an unreachable database.
    maxAttempts: 3,
    requestHandler: { connectionTimeout: 1_000, requestTimeout: 3_000 },
  }),
  { marshallOptions: { removeUndefinedValues: true } },
);

/** The physical name of a table, from the environment variable the stack sets (fails at init if unset). */
export function tableName(table: TableId): string {
  return requireEnv(tables[table].envVar);
}

export function isConditionalCheckFailed(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

export function epochSeconds(date = new Date()): number {
  return Math.floor(date.getTime() / 1000);
}
