import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { tables, type TableId } from '#lib/tables';

export type TableNames = Record<TableId, string>;

/** Local physical names: a prefix per instance keeps test runs that share one DynamoDB apart. */
export function localTableNames(prefix: string): TableNames {
  return Object.fromEntries(Object.keys(tables).map((id) => [id, `${prefix}${id}`])) as TableNames;
}

/** The environment variables through which functions learn their table names (as the CDK stack sets them). */
export function tableEnvironment(names: TableNames): Record<string, string> {
  return Object.fromEntries((Object.keys(tables) as TableId[]).map((id) => [tables[id].envVar, names[id]]));
}

function localDynamoClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: process.env.AWS_REGION ?? 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 2,
  });
}

/** Creates each missing table with the keys, indexes and TTL of lib/tables.ts. Existing ones are left as they are. */
export async function ensureTables(endpoint: string, names: TableNames): Promise<void> {
  const client = localDynamoClient(endpoint);
  try {
    for (const id of Object.keys(tables) as TableId[]) {
      await ensureTable(client, id, names[id]);
    }
  } finally {
    client.destroy();
  }
}

async function ensureTable(client: DynamoDBClient, id: TableId, name: string): Promise<void> {
  try {
    await client.send(new DescribeTableCommand({ TableName: name }));
    return;
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  const definition: (typeof tables)[TableId] = tables[id];
  const indexes = 'indexes' in definition ? definition.indexes : [];
  const attributes = new Set<string>([definition.partitionKey, ...indexes.flatMap((index) => [index.partitionKey, index.sortKey])]);
  try {
    await client.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [...attributes].map((attribute) => ({ AttributeName: attribute, AttributeType: 'S' })),
        KeySchema: [{ AttributeName: definition.partitionKey, KeyType: 'HASH' }],
        ...(indexes.length > 0 && {
          GlobalSecondaryIndexes: indexes.map((index) => ({
            IndexName: index.name,
            KeySchema: [
              { AttributeName: index.partitionKey, KeyType: 'HASH' as const },
              { AttributeName: index.sortKey, KeyType: 'RANGE' as const },
            ],
            Projection: { ProjectionType: index.projection === 'keys-only' ? ('KEYS_ONLY' as const) : ('ALL' as const) },
          })),
        }),
      }),
    );
  } catch (error) {
    // Another process (a parallel test file, the admin command) created it first.
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  await waitUntilTableExists({ client, maxWaitTime: 30, minDelay: 1, maxDelay: 2 }, { TableName: name });
  if ('ttlAttribute' in definition) {
    try {
      await client.send(
        new UpdateTimeToLiveCommand({
          TableName: name,
          TimeToLiveSpecification: { AttributeName: definition.ttlAttribute, Enabled: true },
        }),
      );
    } catch (error) {
      // dynalite has no TTL API; nothing here relies on TTL deletion having run.
      if (!(error instanceof Error && error.name === 'UnknownOperationException')) throw error;
    }
  }
}
