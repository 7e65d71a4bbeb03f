import { createHmac } from 'node:crypto';
import { expect } from 'vitest';
import type { ApiResponse, Body, TestApi, Tokens } from './api.ts';

/** Helpers for the security tests: hand-made tokens, leak checks, a victim whose state is re-read. */

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export function base64url(value: JsonObject | string | Buffer): string {
  const raw = typeof value === 'string' || Buffer.isBuffer(value) ? value : JSON.stringify(value);
  return Buffer.from(raw).toString('base64url');
}

export function decodeSegment(token: string, index: 0 | 1): JsonObject {
  return JSON.parse(Buffer.from(token.split('.')[index] ?? '', 'base64url').toString('utf8')) as JsonObject;
}

const hmacHash = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' } as const;
export type HmacAlgorithm = keyof typeof hmacHash;

/**
 * A JWS built by hand, byte for byte, so headers jose refuses to write (`crit`, `alg: none`, `b64`) and
 * claims of the wrong JSON type can be sent. Segments may be given pre-encoded (strings) to send
 * payloads that are not JSON at all.
 */
export function forgeHmac(header: JsonObject | string, payload: JsonObject | string, secret: string | Buffer, algorithm: HmacAlgorithm = 'HS256'): string {
  const signingInput = `${typeof header === 'string' ? header : base64url(header)}.${typeof payload === 'string' ? payload : base64url(payload)}`;
  const signature = createHmac(hmacHash[algorithm], secret).update(signingInput).digest('base64url');
  return `${signingInput}.${signature}`;
}

/** Claims with some replaced; a `null` replacement removes the claim. */
export function withClaims(base: JsonObject, changes: Record<string, Json | undefined>): JsonObject {
  const result: JsonObject = { ...base };
  for (const [name, value] of Object.entries(changes)) {
    if (value === undefined || value === null) delete result[name];
    else result[name] = value;
  }
  return result;
}

export const nowSeconds = () => Math.floor(Date.now() / 1000);

/**
 * Internals that must never reach a client: stack frames, file paths, SDK and DynamoDB vocabulary,
 * ARNs, bcrypt hashes. Matched on the raw response text.
 */
const INTERNALS =
  /\bat .+:\d+:\d+|node:internal|\.ts:\d+|\/work\/|arn:|\$2[aby]\$|Exception|DynamoDB|dynamo|ECONN|EPIPE|socket hang up|TableName|ConditionExpression|ExpressionAttribute/i;

/** Asserts the response shows nothing of the given secrets, the table names or any internals. */
export function expectNoLeak(api: TestApi, response: ApiResponse, secrets: readonly string[] = []): void {
  for (const secret of secrets) {
    if (secret !== '') expect(response.text, `leaked ${secret.slice(0, 40)}`).not.toContain(secret);
  }
  for (const table of Object.values(api.local.tableNames)) expect(response.text).not.toContain(table);
  expect(response.text).not.toMatch(INTERNALS);
  for (const [name, value] of response.headers) {
    if (name === 'date') continue;
    expect(`${name}: ${value}`).not.toMatch(INTERNALS);
  }
}

/** The body API Gateway answers itself when the authorizer rejects a token. */
export function expectGatewayUnauthorized(response: ApiResponse): void {
  expect(response.status).toBe(401);
  expect(response.body).toEqual({ message: 'Unauthorized' });
}

export function expectFunctionError(response: ApiResponse, status: number, code: string): void {
  expect(response.status).toBe(status);
  expect(response.body.error?.code).toBe(code);
  expect(typeof response.body.error?.message).toBe('string');
}

/** The security headers every function response carries, errors included. */
export function expectSecurityHeaders(response: ApiResponse): void {
  expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  expect(response.headers.get('strict-transport-security')).toMatch(/^max-age=\d{7,}/);
  expect(response.headers.get('cache-control')).toBe('no-store');
  if (response.text !== '') expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
}

/** Makes a user an admin with the project's real admin command, against this test file's tables. */
export async function setRole(api: TestApi, username: string, role: 'admin' | 'user'): Promise<void> {
  await api.admin(['set-role', username, role]);
}

/**
 * A user whose state every attack re-reads afterwards: the same to-dos (titles, ids, done flags), the
 * same role, a password that still works and a session that was not revoked.
 */
export interface Victim {
  username: string;
  password: string;
  tokens: Tokens;
  todos: Body[];
  /** Strings that must never appear in an attacker's response. */
  secrets: string[];
  expectIntact(): Promise<void>;
}

export async function createVictim(api: TestApi, prefix = 'victim', password = 'victim password that is long'): Promise<Victim> {
  const username = `${prefix}-${Math.random().toString(36).slice(2, 10)}`;
  const registered = await api.register(username, password);
  if (registered.status !== 201) throw new Error(`victim register failed: ${registered.text}`);
  const tokens = await api.login(username, password);
  const todos: Body[] = [];
  for (const title of [`secret plan of ${username}`, `second secret of ${username}`, `third note of ${username}`]) {
    const created = await api.request('POST', '/todos', { token: tokens.access, json: { title } });
    if (created.status !== 201) throw new Error(`victim todo failed: ${created.text}`);
    todos.push(created.body);
  }
  return {
    username,
    password,
    tokens,
    todos,
    secrets: [username, password, tokens.access, tokens.refresh, ...todos.flatMap((todo) => [String(todo.id), String(todo.title)])],
    async expectIntact() {
      const list = await api.request('GET', '/todos', { token: tokens.access });
      expect(list.status, 'the victim’s own session still works').toBe(200);
      expect(list.body.items, 'the victim’s to-dos are unchanged').toEqual(todos);
      const login = await api.request('POST', '/auth/login', { json: { username, password } });
      expect(login.status, 'the victim can still log in').toBe(200);
      const me = await api.request('GET', '/auth/me', { token: String(login.body.access_token) });
      expect(me.body, 'the victim’s role is unchanged').toEqual({ username, role: 'user' });
      await api.request('POST', '/auth/logout', { token: String(login.body.access_token) });
    },
  };
}
