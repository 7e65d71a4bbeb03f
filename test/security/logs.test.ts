import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

// The logger reads LOG_LEVEL when it is first imported, which the imports below already do.
vi.hoisted(() => {
  process.env.LOG_LEVEL = 'debug';
});

import { TEST_JWT_SECRET, startTestApi, uniqueName, type ApiResponse, type TestApi } from '../support/api.ts';
import { base64url, decodeSegment, setRole } from '../support/security.ts';

/**
 * No credential ever reaches the logs (ASVS 5.0 V16.2.5, OWASP API Top 10 "security logging"): a full
 * flow at debug level, with failures, lockout, token replay, forbidden calls, bad tokens and an outage,
 * and every structured line it wrote is searched for passwords, tokens, secrets, hashes and headers.
 */

let api: TestApi;
const logLines: string[] = [];
/** Every credential the flow sends or receives. */
const credentials = new Set<string>([TEST_JWT_SECRET, String(process.env.JWT_SECRET)]);
const authorizationHeaders = new Set<string>();

beforeAll(async () => {
  const write = process.stdout.write.bind(process.stdout);
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    if (text.startsWith('{"level"')) {
      logLines.push(...text.split('\n').filter(Boolean));
      return true;
    }
    return write(chunk, ...(rest as []));
  });
  api = await startTestApi({ environment: { LOG_LEVEL: 'debug', LOGIN_FREE_FAILURES: '3' } });
});

afterAll(async () => {
  vi.restoreAllMocks();
  await api?.close();
});

function remember(response: ApiResponse): ApiResponse {
  for (const field of ['access_token', 'refresh_token']) {
    const token = response.body[field];
    if (typeof token === 'string') credentials.add(token);
  }
  return response;
}

async function call(method: string, path: string, options: { token?: string; json?: Record<string, unknown>; authorization?: string } = {}) {
  const authorization = options.authorization ?? (options.token === undefined ? undefined : `Bearer ${options.token}`);
  if (authorization !== undefined) {
    authorizationHeaders.add(authorization);
    credentials.add(authorization.replace(/^\S+\s+/, ''));
  }
  const password = options.json?.password;
  if (typeof password === 'string') credentials.add(password);
  return remember(
    await api.request(method, path, {
      ...(options.json && { json: options.json }),
      ...(authorization !== undefined && { headers: { authorization } }),
    }),
  );
}

describe('the logs of a full flow', () => {
  it('hold request lines but no password, token, secret, hash or Authorization header', async () => {
    const alice = uniqueName('alice');
    const password = 'log test password that is long';
    const statuses: number[] = [];
    const expectStatus = (response: ApiResponse, status: number) => statuses.push(response.status === status ? 0 : response.status);

    expectStatus(await call('POST', '/auth/register', { json: { username: alice, password: 'password123' } }), 400);
    expectStatus(await call('POST', '/auth/register', { json: { username: alice, password } }), 201);
    const login = await call('POST', '/auth/login', { json: { username: alice, password } });
    expectStatus(login, 200);
    expectStatus(await call('GET', '/auth/me', { token: String(login.body.access_token) }), 200);
    const refresh = String(login.body.refresh_token);

    const bob = uniqueName('bob');
    await call('POST', '/auth/register', { json: { username: bob, password } });
    for (let i = 0; i < 3; i++) expectStatus(await call('POST', '/auth/login', { json: { username: bob, password: `wrong guess number ${i}` } }), 401);
    expectStatus(await call('POST', '/auth/login', { json: { username: bob, password } }), 429);

    const rotated = await call('POST', '/auth/refresh', { token: refresh });
    expectStatus(rotated, 200);
    expectStatus(await call('POST', '/auth/refresh', { token: refresh }), 401);
    const relogin = await call('POST', '/auth/login', { json: { username: alice, password } });
    const fresh = String(relogin.body.access_token);

    const created = await call('POST', '/todos', { token: fresh, json: { title: 'log me not' } });
    expectStatus(created, 201);
    const id = String(created.body.id);
    expectStatus(await call('GET', '/todos', { token: fresh }), 200);
    expectStatus(await call('GET', `/todos/${id}`, { token: fresh }), 200);
    expectStatus(await call('PATCH', `/todos/${id}`, { token: fresh, json: { done: true } }), 200);
    expectStatus(await call('DELETE', `/todos/${id}`, { token: fresh }), 403);
    const admin = await api.newUser('admin');
    await setRole(api, admin.username, 'admin');
    const adminLogin = await call('POST', '/auth/login', { json: { username: admin.username, password: admin.password } });
    expectStatus(await call('DELETE', `/todos/${id}`, { token: String(adminLogin.body.access_token) }), 204);

    const claims = decodeSegment(fresh, 1);
    for (const authorization of [
      'Bearer not.a.token',
      `Bearer ${base64url({ alg: 'none', typ: 'at+jwt' })}.${base64url({ ...claims, role: 'admin' })}.`,
      `Bearer ${fresh.slice(0, -4)}AAAA`,
      `Bearer ${String(relogin.body.refresh_token)}`,
      `Basic ${Buffer.from(`${alice}:${password}`).toString('base64')}`,
    ]) {
      expectStatus(await call('GET', '/auth/me', { authorization }), 401);
    }
    expectStatus(await call('POST', '/auth/refresh', { authorization: `Bearer ${fresh}` }), 401);

    expectStatus(await call('POST', '/auth/logout', { token: fresh }), 204);
    expectStatus(await call('GET', '/auth/me', { token: fresh }), 401);

    api.dynamo.setReachable(false);
    try {
      expectStatus(await call('POST', '/auth/register', { json: { username: uniqueName('down'), password } }), 500);
      expectStatus(await call('POST', '/auth/login', { json: { username: alice, password } }), 500);
      expectStatus(await call('GET', '/auth/me', { token: String(rotated.body.access_token) }), 500);
    } finally {
      api.dynamo.setReachable(true);
    }

    // Arrange/act sanity: the flow went as planned, so the logs cover what they should.
    expect(statuses.filter((status) => status !== 0)).toEqual([]);
    const entries = logLines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const messages = new Set(entries.map((entry) => `${String(entry.level)}:${String(entry.message)}`));
    expect(entries.length).toBeGreaterThan(30);
    expect(messages).toContain('info:request');
    expect(messages).toContain('info:authorizer denied');
    expect(messages).toContain('warn:refresh token reuse: session revoked');
    expect([...messages].some((message) => message.startsWith('error:'))).toBe(true);

    const everything = logLines.join('\n');
    for (const credential of credentials) {
      expect(everything.includes(credential), `a credential appears in the logs: ${credential.slice(0, 12)}…`).toBe(false);
    }
    for (const header of authorizationHeaders) expect(everything).not.toContain(header);
    expect(everything).not.toMatch(/\$2[aby]\$\d\d\$/);
    expect(everything).not.toMatch(/eyJ[\w-]*\.[\w-]*\.?/);
    expect(everything).not.toMatch(/[\w-]{10,}\.[\w-]{10,}\.[\w-]{10,}/);
    expect(everything).not.toMatch(/\b(bearer|basic) +[\w+/=.-]{8,}/i);
    expect(everything).not.toMatch(/"(password|authorization|access_token|refresh_token|passwordHash)"/i);
  });
});
