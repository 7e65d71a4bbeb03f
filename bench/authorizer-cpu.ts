/**
 * Authorizer CPU per warm request, run in its own process (`node --import tsx bench/authorizer-cpu.ts`):
 * the whole handler against the sum of its two unavoidable parts, `jose.jwtVerify` with the same kind of
 * pre-imported key and one SDK GetItem, with DynamoDB answering instantly (bench/stub-transport.ts) so
 * the SDK's own work is counted and the network is not. Prints one JSON line.
 */
import { cpuUsage } from 'node:process';

Object.assign(process.env, {
  REVOCATIONS_TABLE: 'bench-revocations',
  JWT_SECRET: 'bench-secret-that-is-at-least-32-bytes-long',
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  LOG_LEVEL: 'silent',
});

const { DynamoDBClient, GetItemCommand } = await import('@aws-sdk/client-dynamodb');
const { jwtVerify } = await import('jose');
const { handler } = await import('#functions/authorizer');
const { dynamoClient } = await import('#lib/dynamo');
const { loadSigningKey } = await import('#lib/signing-key');
const { issueTokens, newSession, tokenSettings, ACCESS_TOKEN_TYPE } = await import('#lib/tokens');
const { useInstantTransport } = await import('./stub-transport.ts');

const NOT_REVOKED = '{}';
useInstantTransport(dynamoClient, NOT_REVOKED);
const bareClient = new DynamoDBClient({});
useInstantTransport(bareClient, NOT_REVOKED);
const key = await loadSigningKey();

const { accessToken } = await issueTokens({ username: 'bench-user', role: 'user' }, newSession());
const event = {
  version: '2.0',
  type: 'REQUEST',
  routeArn: 'arn:aws:execute-api:us-east-1:000000000000:api/$default/GET/todos',
  identitySource: [`Bearer ${accessToken}`],
  routeKey: 'GET /todos',
  rawPath: '/todos',
  rawQueryString: '',
  headers: { authorization: `Bearer ${accessToken}` },
  requestContext: {},
} as unknown as Parameters<typeof handler>[0];

async function wholeHandler(): Promise<void> {
  const result = await handler(event);
  if (!result.isAuthorized) throw new Error('the benchmark token was refused');
}

async function partsAlone(): Promise<void> {
  await jwtVerify(accessToken, key, {
    algorithms: ['HS256'],
    typ: ACCESS_TOKEN_TYPE,
    issuer: tokenSettings.issuer,
    audience: tokenSettings.audience,
  });
  await bareClient.send(new GetItemCommand({ TableName: 'bench-revocations', Key: { sid: { S: 'x' } }, ConsistentRead: true }));
}

async function cpuMicrosPerCall(fn: () => Promise<void>, iterations: number): Promise<number> {
  const before = cpuUsage();
  for (let i = 0; i < iterations; i++) await fn();
  const used = cpuUsage(before);
  return (used.user + used.system) / iterations;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

const iterations = Number(process.argv[2] ?? 2000);
// Warm both paths (JIT, connection-less SDK caches) before measuring.
await cpuMicrosPerCall(wholeHandler, 500);
await cpuMicrosPerCall(partsAlone, 500);
const handlerSamples: number[] = [];
const partsSamples: number[] = [];
// Interleaved blocks: a burst of load elsewhere on the machine hits both sides alike.
for (let block = 0; block < 7; block++) {
  handlerSamples.push(await cpuMicrosPerCall(wholeHandler, iterations));
  partsSamples.push(await cpuMicrosPerCall(partsAlone, iterations));
}
const cpuUs = median(handlerSamples);
const baselineUs = median(partsSamples);
process.stdout.write(
  `${JSON.stringify({ cpuUs: Math.round(cpuUs), baselineUs: Math.round(baselineUs), cpuRatio: Math.round((cpuUs / baselineUs) * 100) / 100 })}\n`,
);
