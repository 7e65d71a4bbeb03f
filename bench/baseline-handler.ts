import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';

/** The cold-start baseline every function pays: the DynamoDB client and one GetItem. */
const client = new DynamoDBClient({});

export async function handler(): Promise<unknown> {
  const { Item } = await client.send(new GetItemCommand({ TableName: process.env.TABLE_NAME, Key: { id: { S: 'baseline' } } }));
  return Item;
}
