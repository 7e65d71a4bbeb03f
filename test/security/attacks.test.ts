import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PASSWORD, startTestApi, uniqueName, type ApiResponse, type RequestOptions, type TestApi, type Tokens } from '../support/api.ts';
import { base64url, createVictim, expectFunctionError, expectNoLeak, expectSecurityHeaders, setRole, type Victim } from '../support/security.ts';

/**
 * Attacks on the functions themselves, through HTTP (OWASP API Top 10 2023: API1 BOLA, API3 property
 * level authorization, API5 function level authorization, API4 resource consumption; ASVS 5.0 V6, V8).
 * Each case asserts the status, that the response shows nothing of the victim or of the internals, and
 * afterwards that the victim's to-dos, password, role and session are exactly as they were.
 */

let api: TestApi;
let victim: Victim;
let attacker: Tokens;
let attackerName: string;
let attackerTodoId: string;
let admin: Tokens;

beforeAll(async () => {
  api = await startTestApi();
  victim = await createVictim(api);
  const mallory = await api.newUser('mallory');
  attacker = mallory.tokens;
  attackerName = mallory.username;
  const own = await api.request('POST', '/todos', { token: attacker.access, json: { title: 'mallory’s own' } });
  attackerTodoId = String(own.body.id);
  const boss = await api.newUser('boss');
  await setRole(api, boss.username, 'admin');
  admin = await api.login(boss.username);
});

afterAll(async () => {
  await api?.close();
});

const victimTodoId = (index = 0) => String(victim.todos[index]?.id);
const rawJson = (body: string, contentType = 'application/json'): RequestOptions => ({ body, headers: { 'content-type': contentType } });

async function expectNoAccount(username: string, password = DEFAULT_PASSWORD): Promise<void> {
  const login = await api.request('POST', '/auth/login', { json: { username, password } });
  expect([401, 400]).toContain(login.status);
}

describe('registration cannot assign privileges (mass assignment)', () => {
  it.each([
    { name: 'role: admin', body: (u: string) => JSON.stringify({ username: u, password: DEFAULT_PASSWORD, role: 'admin' }) },
    { name: 'isAdmin: true', body: (u: string) => JSON.stringify({ username: u, password: DEFAULT_PASSWORD, isAdmin: true }) },
    { name: 'a __proto__ carrying role admin', body: (u: string) => `{"username":"${u}","password":"${DEFAULT_PASSWORD}","__proto__":{"role":"admin"}}` },
    { name: 'constructor.prototype carrying role admin', body: (u: string) => `{"username":"${u}","password":"${DEFAULT_PASSWORD}","constructor":{"prototype":{"role":"admin"}}}` },
    { name: 'a passwordHash of the attacker’s choosing', body: (u: string) => JSON.stringify({ username: u, password: DEFAULT_PASSWORD, passwordHash: '$2b$04$abcdefghijklmnopqrstuu' }) },
    { name: 'a createdAt', body: (u: string) => JSON.stringify({ username: u, password: DEFAULT_PASSWORD, createdAt: '1970-01-01T00:00:00.000Z' }) },
    { name: 'a username that is a NoSQL operator object', body: () => JSON.stringify({ username: { $ne: null }, password: DEFAULT_PASSWORD }) },
  ])('rejects $name with 400, creates no account, and later sign-ups are still plain users', async ({ body }) => {
    const username = uniqueName('mass');

    const response = await api.request('POST', '/auth/register', rawJson(body(username)));

    expectFunctionError(response, 400, 'validation_error');
    expectSecurityHeaders(response);
    expectNoLeak(api, response, victim.secrets);
    await expectNoAccount(username);
    const fresh = await api.newUser('after');
    expect((await api.request('GET', '/auth/me', { token: fresh.tokens.access })).body.role).toBe('user');
    await victim.expectIntact();
  });
});

describe('to-do properties a client may not set', () => {
  it.each([
    { name: 'create with owner = victim', method: 'POST', body: () => ({ title: 'planted', owner: victim.username }) },
    { name: 'create with an id of the victim’s', method: 'POST', body: () => ({ title: 'overwrite', id: victimTodoId() }) },
    { name: 'create with createdAt', method: 'POST', body: () => ({ title: 'backdated', createdAt: '2000-01-01T00:00:00.000Z' }) },
    { name: 'create with updatedAt', method: 'POST', body: () => ({ title: 'x', updatedAt: '2000-01-01T00:00:00.000Z' }) },
    { name: 'create with a __proto__ owner', method: 'POST', raw: () => `{"title":"x","__proto__":{"owner":"${victim.username}"}}` },
    { name: 'create with constructor.prototype', method: 'POST', raw: () => '{"title":"x","constructor":{"prototype":{"isAdmin":true}}}' },
    { name: 'update with owner = victim', method: 'PATCH', body: () => ({ done: true, owner: victim.username }) },
    { name: 'update with a new id', method: 'PATCH', body: () => ({ title: 'moved', id: victimTodoId() }) },
    { name: 'update with createdAt', method: 'PATCH', body: () => ({ title: 'x', createdAt: '2000-01-01T00:00:00.000Z' }) },
    { name: 'update with a __proto__ done', method: 'PATCH', raw: () => '{"title":"x","__proto__":{"done":true}}' },
    { name: 'update with done as a string', method: 'PATCH', body: () => ({ done: 'true' }) },
  ])('rejects $name with 400 and changes nothing', async ({ method, body, raw }) => {
    const before = await api.request('GET', '/todos', { token: attacker.access });
    const path = method === 'POST' ? '/todos' : `/todos/${attackerTodoId}`;

    const response = await api.request(method, path, {
      token: attacker.access,
      ...(raw ? rawJson(raw()) : { json: body?.() }),
    });

    expectFunctionError(response, 400, 'validation_error');
    expectNoLeak(api, response, victim.secrets.filter((secret) => secret !== victimTodoId()));
    const after = await api.request('GET', '/todos', { token: attacker.access });
    expect(after.body.items).toEqual(before.body.items);
    await victim.expectIntact();
  });
});

/** The ownership tag lib/todos.ts puts in cursors; not a secret, so an attacker can compute it too. */
const cursorFor = (owner: string, lastId: string) =>
  base64url({ v: 1, o: createHash('sha256').update(`todo-cursor:${owner}`).digest('base64url').slice(0, 16), k: lastId });

describe('another user’s to-dos (BOLA / IDOR)', () => {
  it.each([
    { name: 'GET the victim’s to-do', method: 'GET', path: () => `/todos/${victimTodoId()}`, status: 404, code: 'not_found' },
    { name: 'PATCH the victim’s to-do', method: 'PATCH', path: () => `/todos/${victimTodoId()}`, json: { title: 'pwned', done: true }, status: 404, code: 'not_found' },
    { name: 'DELETE the victim’s to-do as a non-admin', method: 'DELETE', path: () => `/todos/${victimTodoId()}`, status: 403, code: 'forbidden' },
    { name: 'list with the victim’s own cursor', method: 'GET', path: () => `/todos?limit=1&cursor=${victimCursor}`, status: 400, code: 'validation_error' },
    { name: 'list with a cursor forged for the victim', method: 'GET', path: () => `/todos?cursor=${cursorFor(victim.username, victimTodoId())}`, status: 400, code: 'validation_error' },
    { name: 'list with a cursor of raw DynamoDB keys', method: 'GET', path: () => `/todos?cursor=${base64url({ owner: victim.username, id: victimTodoId() })}`, status: 400, code: 'validation_error' },
  ])('$name: $status, and the victim’s to-do is untouched', async ({ method, path, json, status, code }) => {
    const response = await api.request(method, path(), { token: attacker.access, ...(json && { json }) });

    expectFunctionError(response, status, code);
    expectSecurityHeaders(response);
    expectNoLeak(api, response, victim.secrets);
    await victim.expectIntact();
  });

  let victimCursor = '';
  beforeAll(async () => {
    const page = await api.request('GET', '/todos?limit=1', { token: victim.tokens.access });
    victimCursor = String(page.body.nextCursor);
  });

  it('a cursor carrying the attacker’s own tag but the victim’s id still lists only the attacker’s items', async () => {
    const response = await api.request('GET', `/todos?cursor=${cursorFor(attackerName, victimTodoId(0))}`, { token: attacker.access });

    expect(response.status).toBe(200);
    const items = response.body.items as { id: string }[];
    expect(items.every((item) => item.id !== victimTodoId(1) && item.id !== victimTodoId(2))).toBe(true);
    expectNoLeak(api, response, victim.secrets);
    await victim.expectIntact();
  });

  it('answers another user’s to-do exactly like a missing one (no existence oracle)', async () => {
    const missing = '01ARZ3NDEKTSV4RRFFQ69G5FAV';
    for (const method of ['GET', 'PATCH'] as const) {
      const options = { token: attacker.access, ...(method === 'PATCH' && { json: { done: true } }) };
      const theirs = await api.request(method, `/todos/${victimTodoId()}`, options);
      const nobodys = await api.request(method, `/todos/${missing}`, options);
      expect(theirs.status).toBe(404);
      expect(theirs.text).toBe(nobodys.text);
      expect([...theirs.headers.keys()].sort()).toEqual([...nobodys.headers.keys()].sort());
    }
    await victim.expectIntact();
  });
});

interface MethodCase {
  name: string;
  method: string;
  path: () => string;
  headers: Record<string, string>;
  status: number;
}

describe('deleting is for admins only, whatever the method spelling', () => {
  it.each<MethodCase>([
    { name: 'DELETE of the attacker’s own to-do', method: 'DELETE', path: () => `/todos/${attackerTodoId}`, headers: {}, status: 403 },
    { name: 'GET with X-HTTP-Method-Override: DELETE', method: 'GET', path: () => `/todos/${attackerTodoId}`, headers: { 'x-http-method-override': 'DELETE' }, status: 200 },
    { name: 'GET with X-Method-Override: DELETE', method: 'GET', path: () => `/todos/${attackerTodoId}`, headers: { 'x-method-override': 'DELETE' }, status: 200 },
    { name: 'GET with X-HTTP-Method: DELETE', method: 'GET', path: () => `/todos/${attackerTodoId}`, headers: { 'x-http-method': 'DELETE' }, status: 200 },
    { name: 'GET with ?_method=DELETE', method: 'GET', path: () => `/todos/${attackerTodoId}?_method=DELETE`, headers: {}, status: 200 },
    { name: 'POST with X-HTTP-Method-Override: DELETE', method: 'POST', path: () => `/todos/${attackerTodoId}`, headers: { 'x-http-method-override': 'DELETE' }, status: 404 },
    { name: 'POST with ?_method=DELETE', method: 'POST', path: () => `/todos/${attackerTodoId}?_method=DELETE`, headers: {}, status: 404 },
    { name: 'DELETE of the victim’s to-do with ?_method and an override', method: 'DELETE', path: () => `/todos/${victimTodoId()}?_method=DELETE`, headers: { 'x-http-method-override': 'DELETE' }, status: 403 },
    { name: 'lower-case delete', method: 'delete', path: () => `/todos/${attackerTodoId}`, headers: {}, status: 403 },
  ])('$name: $status and nothing is deleted', async ({ method, path, headers, status }) => {
    const response = await api.request(method, path(), { token: attacker.access, headers });

    expect(response.status).toBe(status);
    if (status === 403) expectFunctionError(response, 403, 'forbidden');
    expectNoLeak(api, response, victim.secrets);
    expect((await api.request('GET', `/todos/${attackerTodoId}`, { token: attacker.access })).status).toBe(200);
    await victim.expectIntact();
  });
});

describe('ids and query values that look like expressions or injection', () => {
  const hostileIds = [
    "' OR 1=1 --",
    '{"S":"x"}',
    '#owner',
    ':v',
    '*',
    'attribute_exists(id)',
    '../../users',
    '%00',
    '0'.repeat(2000),
  ];

  it.each(hostileIds.flatMap((id) => [
    { id, method: 'GET', as: 'attacker' as const },
    { id, method: 'PATCH', as: 'attacker' as const },
    { id, method: 'DELETE', as: 'admin' as const },
  ]))('$method /todos/$id as $as: 404 not_found, nothing else touched', async ({ id, method, as }) => {
    const response = await api.request(method, `/todos/${encodeURIComponent(id)}`, {
      token: (as === 'admin' ? admin : attacker).access,
      ...(method === 'PATCH' && { json: { done: true } }),
    });

    expectFunctionError(response, 404, 'not_found');
    expectNoLeak(api, response, victim.secrets);
    await victim.expectIntact();
  });

  it.each(['0', '-1', '101', '1e2', '50 OR 1=1', '{"N":"1"}', '10&limit=1000'])('GET /todos?limit=%s: 400', async (limit) => {
    const response = await api.request('GET', `/todos?limit=${encodeURIComponent(limit)}`, { token: attacker.access });

    expectFunctionError(response, 400, 'validation_error');
    expectNoLeak(api, response, victim.secrets);
    await victim.expectIntact();
  });
});

describe('input validation at the edge', () => {
  const register = (body: unknown) => api.request('POST', '/auth/register', { json: body });
  const login = (body: unknown) => api.request('POST', '/auth/login', { json: body });
  const deep = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;

  it.each([
    { name: 'register: empty username', send: () => register({ username: '', password: DEFAULT_PASSWORD }), status: 400 },
    { name: 'register: whitespace username', send: () => register({ username: '   ', password: DEFAULT_PASSWORD }), status: 400 },
    { name: 'register: null username', send: () => register({ username: null, password: DEFAULT_PASSWORD }), status: 400 },
    { name: 'register: numeric username', send: () => register({ username: 12345, password: DEFAULT_PASSWORD }), status: 400 },
    { name: 'register: array username', send: () => register({ username: ['alice'], password: DEFAULT_PASSWORD }), status: 400 },
    { name: 'register: boolean password', send: () => register({ username: uniqueName('t'), password: true }), status: 400 },
    { name: 'register: null password', send: () => register({ username: uniqueName('t'), password: null }), status: 400 },
    { name: 'register: lone surrogate in the username', send: () => register({ username: `ab\ud800c`, password: DEFAULT_PASSWORD }), status: 400 },
    { name: 'register: lone surrogate in the password', send: () => register({ username: uniqueName('sur'), password: 'long enough \udc00 pw' }), status: 400 },
    { name: 'register: a Cyrillic homoglyph of a-z', send: () => register({ username: `\u0430${victim.username.slice(1)}`, password: DEFAULT_PASSWORD }), status: 400 },
    { name: 'register: dotless ı', send: () => register({ username: 'adm\u0131n', password: DEFAULT_PASSWORD }), status: 400 },
    { name: 'register: dotted İ', send: () => register({ username: '\u0130nfo', password: DEFAULT_PASSWORD }), status: 400 },
    { name: 'register: a zero-width joiner in the username', send: () => register({ username: `${victim.username}\u200d`, password: DEFAULT_PASSWORD }), status: 400 },
    { name: 'login: empty password', send: () => login({ username: victim.username, password: '' }), status: 400 },
    { name: 'login: object password', send: () => login({ username: victim.username, password: { $gt: '' } }), status: 400 },
    { name: 'login: array of passwords', send: () => login({ username: victim.username, password: [victim.password] }), status: 400 },
    { name: 'login: lone surrogate in the password', send: () => login({ username: victim.username, password: '\ud83d' }), status: 400 },
    { name: 'create: lone surrogate in the title', send: () => api.request('POST', '/todos', { token: attacker.access, json: { title: 'x\ud800' } }), status: 400 },
    { name: 'create: whitespace title', send: () => api.request('POST', '/todos', { token: attacker.access, json: { title: ' \n\t ' } }), status: 400 },
    { name: 'create: null title', send: () => api.request('POST', '/todos', { token: attacker.access, json: { title: null } }), status: 400 },
    { name: 'malformed JSON', send: () => api.request('POST', '/auth/login', rawJson('{"username":"x",')), status: 400 },
    { name: 'JSON with a trailing comma', send: () => api.request('POST', '/auth/login', rawJson('{"username":"abc","password":"x",}')), status: 400 },
    { name: 'invalid UTF-8 bytes', send: () => api.request('POST', '/auth/login', { body: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]), headers: { 'content-type': 'application/json' } }), status: 400 },
    { name: 'a JSON array body', send: () => api.request('POST', '/auth/register', rawJson('[]')), status: 400 },
    { name: 'a 5,000-level nested array as the username (under 16 KiB)', send: () => api.request('POST', '/auth/register', rawJson(`{"username":${deep(5000)},"password":"x"}`)), status: 400 },
    { name: 'a 2,500-level nested object as the title (15 KB)', send: () => api.request('POST', '/todos', { token: attacker.access, ...rawJson(`{"title":${'{"a":'.repeat(2500)}1${'}'.repeat(2500)}}`) }), status: 400 },
    { name: 'a form-encoded body', send: () => api.request('POST', '/auth/login', rawJson(`username=${victim.username}&password=x`, 'application/x-www-form-urlencoded')), status: 415 },
    { name: 'JSON sent as text/plain', send: () => api.request('POST', '/auth/login', rawJson(JSON.stringify({ username: victim.username, password: 'x' }), 'text/plain')), status: 415 },
    { name: 'JSON sent as application/json-patch+json', send: () => api.request('POST', '/todos', { token: attacker.access, ...rawJson('{"title":"x"}', 'application/json-patch+json') }), status: 415 },
    { name: 'a body over 16 KiB (register)', send: () => register({ username: uniqueName('big'), password: 'x'.repeat(16 * 1024) }), status: 413 },
    { name: 'a body over 16 KiB (create)', send: () => api.request('POST', '/todos', { token: attacker.access, json: { title: 'x', pad: 'y'.repeat(17 * 1024) } }), status: 413 },
    { name: 'a 1 MiB body', send: () => api.request('POST', '/auth/login', rawJson(`{"username":"${'a'.repeat(1024 * 1024)}"}`)), status: 413 },
  ])('$name: $status', async ({ send, status }) => {
    const response = await send();

    expect(response.status).toBe(status);
    expect(response.body.error?.code).toEqual(expect.any(String));
    expectSecurityHeaders(response);
    expectNoLeak(api, response, victim.secrets.filter((secret) => secret !== victim.username));
    // The server still behaves: a normal request right after gets a normal answer.
    expect((await api.request('GET', '/auth/me', { token: attacker.access })).body).toEqual({ username: attackerName, role: 'user' });
    await victim.expectIntact();
  });
});

describe('one account per name: case and Unicode variants collide', () => {
  let target = '';
  const targetPassword = 'kelvin and long s password';
  beforeAll(async () => {
    // Has a "k" and an "s" so the Kelvin sign and the long s have something to fold into.
    target = uniqueName('kessel');
    expect((await api.register(target, targetPassword)).status).toBe(201);
  });
  const fullWidth = (name: string) => name.replace(/[a-z0-9]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));

  it.each([
    { name: 'upper case', variant: (n: string) => n.toUpperCase() },
    { name: 'mixed case', variant: (n: string) => n.charAt(0).toUpperCase() + n.slice(1) },
    { name: 'full-width letters', variant: fullWidth },
    { name: 'the Kelvin sign (U+212A) for k', variant: (n: string) => n.replace('k', '\u212a') },
    { name: 'the long s (U+017F) for s', variant: (n: string) => n.replace('s', '\u017f') },
  ])('$name: register is 409 and neither overwrites the password nor makes a second account', async ({ variant }) => {
    const spelled = variant(target);
    expect(spelled).not.toBe(target);

    const response = await api.register(spelled, 'attacker chosen password');

    expectFunctionError(response, 409, 'username_taken');
    expect((await api.request('POST', '/auth/login', { json: { username: target, password: 'attacker chosen password' } })).status).toBe(401);
    const owner = await api.request('POST', '/auth/login', { json: { username: spelled, password: targetPassword } });
    expect(owner.status).toBe(200);
    expect((await api.request('GET', '/auth/me', { token: String(owner.body.access_token) })).body).toEqual({ username: target, role: 'user' });
    await victim.expectIntact();
  });
});

describe('bcrypt’s 72-byte limit does not truncate passwords', () => {
  it.each([
    { name: 'ASCII, differing at byte 73', password: `${'a'.repeat(72)}X`, other: `${'a'.repeat(72)}Y` },
    { name: 'ASCII, the 72-byte prefix alone', password: `${'b'.repeat(72)}tail`, other: 'b'.repeat(72) },
    { name: '2-byte é ×36 (72 bytes), differing after', password: `${'é'.repeat(36)}1`, other: `${'é'.repeat(36)}2` },
    { name: '4-byte emoji ×18 (72 bytes), differing after', password: `${'🦄'.repeat(18)}!`, other: `${'🦄'.repeat(18)}?` },
    { name: '3-byte characters straddling byte 72', password: `${'a'.repeat(70)}€x`, other: `${'a'.repeat(70)}€y` },
  ])('$name: only the exact password logs in', async ({ password, other }) => {
    const username = uniqueName('bcrypt');
    expect((await api.register(username, password)).status).toBe(201);

    const wrong = await api.request('POST', '/auth/login', { json: { username, password: other } });
    const right = await api.request('POST', '/auth/login', { json: { username, password } });

    expectFunctionError(wrong, 401, 'invalid_credentials');
    expectNoLeak(api, wrong, [password, other, ...victim.secrets]);
    expect(right.status).toBe(200);
    await victim.expectIntact();
  });
});

describe('username enumeration', () => {
  const headerNames = (response: ApiResponse) => [...response.headers.keys()].filter((name) => name !== 'date').sort();

  it.each([
    { name: 'login: unknown user vs wrong password', known: () => ({ username: victim.username, password: 'wrong password!' }), status: 401 },
    { name: 'login: unknown user vs wrong password in another case', known: () => ({ username: victim.username.toUpperCase(), password: 'wrong password!' }), status: 401 },
    { name: 'login: unknown user vs a too long password', known: () => ({ username: victim.username, password: 'x'.repeat(129) }), status: 400 },
  ])('$name: same status, body and headers', async ({ known, status }) => {
    const body = known();
    const ghost = { ...body, username: uniqueName('ghost') };

    const real = await api.request('POST', '/auth/login', { json: body });
    const unknown = await api.request('POST', '/auth/login', { json: ghost });

    expect(real.status).toBe(status);
    expect(unknown.status).toBe(status);
    expect(unknown.text).toBe(real.text);
    expect(headerNames(unknown)).toEqual(headerNames(real));
    await victim.expectIntact();
  });

  it('a locked real account and a locked unknown name answer alike (429, same body, same Retry-After)', async () => {
    const real = uniqueName('lockreal');
    const ghost = uniqueName('lockghost');
    await api.register(real);
    for (let i = 0; i < 5; i++) {
      await api.request('POST', '/auth/login', { json: { username: real, password: 'wrong password!' } });
      await api.request('POST', '/auth/login', { json: { username: ghost, password: 'wrong password!' } });
    }

    const realLocked = await api.request('POST', '/auth/login', { json: { username: real, password: 'wrong password!' } });
    const ghostLocked = await api.request('POST', '/auth/login', { json: { username: ghost, password: 'wrong password!' } });

    expectFunctionError(realLocked, 429, 'too_many_attempts');
    expect(ghostLocked.text).toBe(realLocked.text);
    expect(headerNames(ghostLocked)).toEqual(headerNames(realLocked));
    expect(Math.abs(Number(ghostLocked.headers.get('retry-after')) - Number(realLocked.headers.get('retry-after')))).toBeLessThanOrEqual(1);
  });

  it('register is the contract’s one exception: 409 username_taken names an existing account (the API contract)', async () => {
    const response = await api.register(victim.username, 'some other password');

    expectFunctionError(response, 409, 'username_taken');
    expectNoLeak(api, response, [victim.password, victim.tokens.access, String(victim.todos[0]?.title)]);
    await victim.expectIntact();
  });
});

describe('lockout cannot be dodged', () => {
  const attempt = (username: string, password: string, headers: Record<string, string> = {}) =>
    api.request('POST', '/auth/login', { json: { username, password }, headers });

  it.each([
    { name: 'rotating X-Forwarded-For', headers: (i: number) => ({ 'x-forwarded-for': `198.51.100.${i}` }) },
    { name: 'rotating X-Real-IP and Forwarded', headers: (i: number) => ({ 'x-real-ip': `203.0.113.${i}`, forwarded: `for=203.0.113.${i}` }) },
    { name: 'a spoofed chain of proxies', headers: (i: number) => ({ 'x-forwarded-for': `10.0.0.${i}, 127.0.0.1`, 'x-client-ip': `10.1.1.${i}` }) },
    { name: 'the username in another case', headers: () => ({}), spell: (name: string) => name.toUpperCase() },
    { name: 'the username in full-width letters', headers: () => ({}), spell: (name: string) => name.replace(/[a-z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)) },
  ])('$name: the sixth try is 429 even with the right password, and stays locked', async ({ headers, spell }) => {
    const username = uniqueName('locked');
    await api.register(username);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await attempt(username, 'wrong password!', headers(i))).status);

    const locked = await attempt(spell ? spell(username) : username, DEFAULT_PASSWORD, headers(99));
    const again = await attempt(username, DEFAULT_PASSWORD, headers(100));

    expect(statuses).toEqual([401, 401, 401, 401, 401]);
    expectFunctionError(locked, 429, 'too_many_attempts');
    expectSecurityHeaders(locked);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(again.status).toBe(429);
    await victim.expectIntact();
  });
});

interface CorsCase {
  name: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  status: number;
}

describe('CORS: no browser origin is allowed by default', () => {
  it.each<CorsCase>([
    { name: 'a GET from https://evil.example', method: 'GET', path: '/todos', headers: { origin: 'https://evil.example' }, status: 200 },
    { name: 'a login from https://evil.example', method: 'POST', path: '/auth/login', headers: { origin: 'https://evil.example' }, status: 200 },
    { name: 'a GET from the null origin', method: 'GET', path: '/auth/me', headers: { origin: 'null' }, status: 200 },
    {
      name: 'a preflight for DELETE /todos/{id}',
      method: 'OPTIONS',
      path: '/todos/01ARZ3NDEKTSV4RRFFQ69G5FAV',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'DELETE', 'access-control-request-headers': 'authorization' },
      status: 404,
    },
    { name: 'a preflight for POST /auth/login', method: 'OPTIONS', path: '/auth/login', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' }, status: 404 },
  ])('$name: no Access-Control-Allow-* headers', async ({ method, path, headers, status }) => {
    const options: RequestOptions = { headers };
    if (method === 'GET') options.token = attacker.access;
    if (path === '/auth/login') options.json = { username: attackerName, password: DEFAULT_PASSWORD };

    const response = await api.request(method, path, options);

    expect(response.status).toBe(status);
    const allowHeaders = [...response.headers.keys()].filter((name) => name.startsWith('access-control-'));
    expect(allowHeaders).toEqual([]);
    expectNoLeak(api, response, victim.secrets);
    await victim.expectIntact();
  });
});

describe('security headers on every function response, errors included', () => {
  it.each([
    { name: '200 /auth/me', status: 200, send: () => api.request('GET', '/auth/me', { token: attacker.access }) },
    { name: '201 register', status: 201, send: () => api.register(uniqueName('hdr')) },
    { name: '400 validation', status: 400, send: () => api.request('POST', '/todos', { token: attacker.access, json: {} }) },
    { name: '400 malformed JSON', status: 400, send: () => api.request('POST', '/auth/login', rawJson('{')) },
    { name: '401 invalid_credentials', status: 401, send: () => api.request('POST', '/auth/login', { json: { username: uniqueName('h'), password: 'nope nope' } }) },
    { name: '401 invalid_token (refresh)', status: 401, send: () => api.request('POST', '/auth/refresh', { token: 'a.b.c' }) },
    { name: '403 forbidden', status: 403, send: () => api.request('DELETE', `/todos/${attackerTodoId}`, { token: attacker.access }) },
    { name: '404 not_found', status: 404, send: () => api.request('GET', '/todos/01ARZ3NDEKTSV4RRFFQ69G5FAV', { token: attacker.access }) },
    { name: '409 username_taken', status: 409, send: () => api.register(attackerName) },
    { name: '413 payload_too_large', status: 413, send: () => api.register('x'.repeat(20_000)) },
    { name: '415 unsupported_media_type', status: 415, send: () => api.request('POST', '/auth/login', rawJson('{}', 'text/plain')) },
    {
      name: '429 too_many_attempts',
      status: 429,
      send: async () => {
        const name = uniqueName('hdrlock');
        for (let i = 0; i < 5; i++) await api.request('POST', '/auth/login', { json: { username: name, password: 'wrong password!' } });
        return api.request('POST', '/auth/login', { json: { username: name, password: 'wrong password!' } });
      },
    },
    {
      name: '500 internal_error (DynamoDB unreachable)',
      status: 500,
      send: async () => {
        api.dynamo.setReachable(false);
        try {
          return await api.register(uniqueName('hdr500'));
        } finally {
          api.dynamo.setReachable(true);
        }
      },
    },
  ])('$name', async ({ status, send }) => {
    const response = await send();

    expect(response.status).toBe(status);
    expectSecurityHeaders(response);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(response.headers.get('x-powered-by')).toBeNull();
    if (status >= 400) expect(Object.keys(response.body)).toEqual(['error']);
    expectNoLeak(api, response, victim.secrets);
    await victim.expectIntact();
  });
});
