import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/dynamodb-local.ts';
import { requestJson, type RequestOptions } from '../support/http-client.ts';

/**
 * `npm start` as a user runs it: the real process, its embedded DynamoDB persisted in a data folder,
 * restarted, and the admin command beside it.
 */

const dataDir = mkdtempSync(join(tmpdir(), 'dev-server-'));
const running: ChildProcess[] = [];

afterAll(() => {
  for (const child of running) child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

function serverEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { JWT_SECRET: _secret, DYNAMODB_ENDPOINT: _endpoint, ...inherited } = process.env;
  return { ...inherited, LOCAL_DATA_DIR: dataDir, BCRYPT_COST: '4', LOG_LEVEL: 'error', ...extra };
}

async function startServer(port: number): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'infra/local/server.ts'], { env: serverEnvironment({ PORT: String(port) }) });
  running.push(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + 30_000;
  while (!output.includes('API listening on')) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`server did not start: ${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { child, output: () => output };
}

async function stopServer(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  return exited;
}

const call = (port: number, method: string, path: string, options: RequestOptions = {}) =>
  requestJson(`http://127.0.0.1:${port}`, method, path, options);

const admin = (args: string[]) =>
  promisify(execFile)(process.execPath, ['--import', 'tsx', 'infra/admin.ts', ...args], { env: serverEnvironment() });

describe('npm start', () => {
  it('prints its URL and how to make an admin, and keeps users, to-dos, revocations and its secret across a restart', async () => {
    const port = await freePort();
    const first = await startServer(port);
    expect(first.output()).toContain(`http://localhost:${port}`);
    expect(first.output()).toContain('npm run admin -- set-role');

    const credentials = { username: 'persisted', password: 'a long enough password' };
    expect((await call(port, 'POST', '/auth/register', { json: credentials })).status).toBe(201);
    const kept = (await call(port, 'POST', '/auth/login', { json: credentials })).body;
    const revoked = (await call(port, 'POST', '/auth/login', { json: credentials })).body;
    const todo = await call(port, 'POST', '/todos', { token: String(kept.access_token), json: { title: 'survive a restart' } });
    expect(todo.status).toBe(201);
    expect((await call(port, 'POST', '/auth/logout', { token: String(revoked.access_token) })).status).toBe(204);
    const secret = readFileSync(join(dataDir, 'jwt-secret'), 'utf8');

    // The admin command reaches the running server's embedded DynamoDB.
    await admin(['set-role', 'PERSISTED', 'admin']);
    expect(await stopServer(first.child)).toBe(0);

    const second = await startServer(port);
    expect(readFileSync(join(dataDir, 'jwt-secret'), 'utf8')).toBe(secret);
    const list = await call(port, 'GET', '/todos', { token: String(kept.access_token) });
    expect(list.status).toBe(200);
    expect(list.body.items).toEqual([expect.objectContaining({ title: 'survive a restart' })]);
    expect((await call(port, 'GET', '/auth/me', { token: String(revoked.access_token) })).status).toBe(401);
    const relogin = (await call(port, 'POST', '/auth/login', { json: credentials })).body;
    expect((await call(port, 'GET', '/auth/me', { token: String(relogin.access_token) })).body).toEqual({ username: 'persisted', role: 'admin' });
    expect(await stopServer(second.child)).toBe(0);

    // With no server running, the admin command opens the data folder itself.
    await admin(['set-role', 'persisted', 'user']);
    const failure = await admin(['set-role', 'nobody-here', 'admin']).catch((error: { code: number; stderr: string }) => error);
    expect(failure).toMatchObject({ code: 1, stderr: expect.stringContaining('No user named "nobody-here"') });
  });

  it('refuses to start with a JWT_SECRET shorter than 32 bytes, saying why', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'infra/local/server.ts'], {
      env: serverEnvironment({ PORT: String(await freePort()), JWT_SECRET: 'too-short' }),
    });
    running.push(child);
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));

    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));

    expect(code).toBe(1);
    expect(stderr).toContain('JWT_SECRET must be at least 32 bytes');
  });
});
