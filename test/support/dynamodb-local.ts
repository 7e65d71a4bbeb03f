import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * Amazon's DynamoDB Local for the integration tests. The jar comes from the npm package
 * amplify-dynamodb-simulator (its `emulator/` folder), unpacked once into the git-ignored .cache/
 * rather than installed with its ~280 dependencies.
 */

const SIMULATOR_PACKAGE = 'amplify-dynamodb-simulator@2.9.30';
const cacheDir = resolve('.cache/dynamodb-local');
const jarPath = join(cacheDir, 'DynamoDBLocal.jar');

export function javaAvailable(): boolean {
  try {
    execFileSync('java', ['-version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function ensureDynamoDbLocalJar(): string {
  if (existsSync(jarPath)) return jarPath;
  console.log(`Fetching DynamoDB Local (${SIMULATOR_PACKAGE}) into .cache/ …`);
  const work = mkdtempSync(join(tmpdir(), 'dynamodb-local-'));
  try {
    const tarball = execFileSync('npm', ['pack', SIMULATOR_PACKAGE, '--silent', '--pack-destination', work], { encoding: 'utf8' }).trim();
    execFileSync('tar', ['-xzf', join(work, tarball.split('\n').at(-1) ?? ''), '-C', work, 'package/emulator']);
    mkdirSync(resolve('.cache'), { recursive: true });
    rmSync(cacheDir, { recursive: true, force: true });
    renameSync(join(work, 'package/emulator'), cacheDir);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return jarPath;
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface DynamoDbLocal {
  endpoint: string;
  stop(): Promise<void>;
}

export async function startDynamoDbLocal(): Promise<DynamoDbLocal> {
  const jar = ensureDynamoDbLocalJar();
  const port = await freePort();
  const child: ChildProcess = spawn(
    'java',
    [`-Djava.library.path=${join(cacheDir, 'DynamoDBLocal_lib')}`, '-jar', jar, '-inMemory', '-disableTelemetry', '-sharedDb', '-port', String(port)],
    // Its working directory is the cache: DynamoDB Local drops a metadata file there.
    { cwd: cacheDir, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const endpoint = `http://127.0.0.1:${port}`;
  await waitUntilReady(endpoint, child, () => stderr);
  return {
    endpoint,
    stop: () =>
      new Promise<void>((resolveStop) => {
        if (child.exitCode !== null) return resolveStop();
        child.once('exit', () => resolveStop());
        child.kill('SIGTERM');
      }),
  };
}

async function waitUntilReady(endpoint: string, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`DynamoDB Local exited with ${child.exitCode}: ${stderr()}`);
    try {
      const response = await fetch(endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-amz-json-1.0',
          'x-amz-target': 'DynamoDB_20120810.ListTables',
          authorization: 'AWS4-HMAC-SHA256 Credential=local/20200101/local/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
        },
        body: '{}',
      });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((wait) => setTimeout(wait, 200));
  }
  child.kill('SIGKILL');
  throw new Error('DynamoDB Local did not become ready within 60 s');
}
