/**
 * `npm start`: the whole API on http://localhost:3000 with API Gateway semantics, on an embedded
 * DynamoDB persisted under .data/ (or the DynamoDB at DYNAMODB_ENDPOINT).
 */
import { ConfigurationError } from '#lib/config';
import { MIN_SECRET_BYTES } from '#lib/signing-key';
import { embeddedDynamoDbPath, forgetRunningServer, localJwtSecret, LOCAL_TABLE_PREFIX, recordRunningServer, runningServer, secretFile } from './data-dir.ts';
import { startEmbeddedDynamoDb, type RunningDynamoDb } from './embedded-dynamodb.ts';
import { startLocalApi } from './start.ts';

function fail(message: string): never {
  process.stderr.write(`\n✖ ${message}\n\n`);
  process.exit(1);
}

function portFromEnv(): number {
  const raw = process.env.PORT ?? '3000';
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port < 1 || port > 65535) fail(`PORT must be a port number (1–65535), got "${raw}"`);
  return port;
}

function signingSecret(): string {
  const fromEnv = process.env.JWT_SECRET;
  if (fromEnv !== undefined) {
    if (Buffer.byteLength(fromEnv, 'utf8') < MIN_SECRET_BYTES) {
      fail(
        `JWT_SECRET must be at least ${MIN_SECRET_BYTES} bytes (it is ${Buffer.byteLength(fromEnv, 'utf8')}). ` +
          'Unset it to use a generated one, or generate one with: openssl rand -base64 48',
      );
    }
    return fromEnv;
  }
  const { secret, generated } = localJwtSecret();
  if (generated) console.log(`Generated a signing secret in ${secretFile} (kept across restarts).`);
  return secret;
}

async function main(): Promise<void> {
  const port = portFromEnv();
  const jwtSecret = signingSecret();
  const external = process.env.DYNAMODB_ENDPOINT;

  let embedded: RunningDynamoDb | undefined;
  if (external === undefined) {
    const other = runningServer();
    if (other) fail(`Another local server (pid ${other.pid}) is already using .data/ at ${other.url}. Stop it first.`);
    embedded = await startEmbeddedDynamoDb({ path: embeddedDynamoDbPath });
  }
  const dynamoDbEndpoint = external ?? embedded?.endpoint ?? '';

  const api = await startLocalApi({
    dynamoDbEndpoint,
    jwtSecret,
    tablePrefix: LOCAL_TABLE_PREFIX,
    port,
    host: process.env.HOST ?? '127.0.0.1',
  }).catch((error: unknown) => {
    if (error instanceof Error && 'code' in error && error.code === 'EADDRINUSE') {
      fail(`Port ${port} is already in use. Stop whatever uses it or start on another port: PORT=3001 npm start`);
    }
    if (error instanceof ConfigurationError) fail(error.message);
    if (error instanceof Error && /ECONNREFUSED|connect/i.test(error.message) && external !== undefined) {
      fail(`Cannot reach DynamoDB at DYNAMODB_ENDPOINT=${external}. Is it running?`);
    }
    throw error;
  });
  const url = `http://localhost:${api.port}`;
  if (embedded) recordRunningServer({ pid: process.pid, url, dynamoDbEndpoint });

  console.log(`
API listening on ${url}
DynamoDB: ${external ? `${external} (DYNAMODB_ENDPOINT)` : `embedded, data kept in ${embeddedDynamoDbPath}`}

Try it:
  curl -s -X POST ${url}/auth/register -H 'content-type: application/json' -d '{"username":"alice","password":"correct horse battery staple"}'
Make someone an admin (in another terminal):
  npm run admin -- set-role alice admin
Press Ctrl+C to stop.
`);

  const shutdown = async () => {
    await api.close();
    await embedded?.close();
    if (embedded) forgetRunningServer();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown());
  process.once('SIGTERM', () => void shutdown());
}

main().catch((error: unknown) => {
  fail(`The local server could not start: ${error instanceof Error ? error.message : String(error)}`);
});
