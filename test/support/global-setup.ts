import type { TestProject } from 'vitest/node';
import { startEmbeddedDynamoDb } from '#infra/local/embedded-dynamodb';
import { javaAvailable, startDynamoDbLocal } from './dynamodb-local.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoDbEndpoint: string;
    dynamoDbKind: 'dynamodb-local' | 'embedded';
  }
}

/** One DynamoDB server for the whole run; every test file gets its own tables in it (a table-name prefix). */
export default async function setup(project: TestProject) {
  if (javaAvailable()) {
    const server = await startDynamoDbLocal();
    project.provide('dynamoDbEndpoint', server.endpoint);
    project.provide('dynamoDbKind', 'dynamodb-local');
    return () => server.stop();
  }
  console.warn('\n⚠ Java not found: integration tests run on the embedded DynamoDB (dynalite) instead of DynamoDB Local.\n');
  const server = await startEmbeddedDynamoDb();
  project.provide('dynamoDbEndpoint', server.endpoint);
  project.provide('dynamoDbKind', 'embedded');
  return () => server.close();
}
