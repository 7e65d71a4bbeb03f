import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * `.data/`: where `npm start` keeps what must survive a restart: the embedded DynamoDB's files, the
 * generated signing secret, and (while it runs) the address of its DynamoDB for the admin command.
 */
export const dataDir = resolve(process.env.LOCAL_DATA_DIR ?? '.data');
export const embeddedDynamoDbPath = join(dataDir, 'dynamodb');
export const secretFile = join(dataDir, 'jwt-secret');
const runningFile = join(dataDir, 'running.json');

export const LOCAL_TABLE_PREFIX = 'local-';

export function ensureDataDir(): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
}

/** The local signing secret, generated on first start (64 base64url characters) and kept. */
export function localJwtSecret(): { secret: string; generated: boolean } {
  ensureDataDir();
  if (existsSync(secretFile)) return { secret: readFileSync(secretFile, 'utf8').trim(), generated: false };
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(secretFile, `${secret}\n`, { mode: 0o600 });
  return { secret, generated: true };
}

export interface RunningServer {
  pid: number;
  url: string;
  dynamoDbEndpoint: string;
}

export function recordRunningServer(server: RunningServer): void {
  ensureDataDir();
  writeFileSync(runningFile, JSON.stringify(server));
}

export function forgetRunningServer(): void {
  rmSync(runningFile, { force: true });
}

/** The running dev server's DynamoDB, if one is running (its process is alive). */
export function runningServer(): RunningServer | undefined {
  if (!existsSync(runningFile)) return undefined;
  try {
    const server = JSON.parse(readFileSync(runningFile, 'utf8')) as RunningServer;
    process.kill(server.pid, 0);
    return server;
  } catch {
    return undefined;
  }
}
