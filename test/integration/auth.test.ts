import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PASSWORD, startTestApi, uniqueName, type TestApi } from '../support/api.ts';

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi();
});

afterAll(async () => {
  await api?.close();
});

describe('POST /auth/register', () => {
  it('creates a user with role user and answers 201 without the password hash', async () => {
    const username = uniqueName('reg');
    const response = await api.register(username);

    expect(response.status).toBe(201);
    expect(response.body).toEqual({ username, role: 'user', createdAt: expect.any(String) });
    expect(new Date(String(response.body.createdAt)).toISOString()).toBe(response.body.createdAt);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(response.text).not.toMatch(/hash|\$2[aby]\$/i);
  });

  it('normalizes the username: Alice, ALICE and full-width ａｌｉｃｅ are one account', async () => {
    const base = uniqueName('case').replace('case', 'Case');
    const created = await api.register(base);
    expect(created.status).toBe(201);
    expect(created.body.username).toBe(base.toLowerCase());

    const upper = await api.register(base.toUpperCase());
    const fullWidth = await api.register(base.replace(/[a-z]/gi, (c) => String.fromCharCode(c.toLowerCase().charCodeAt(0) + 0xfee0)));

    expect(upper.status).toBe(409);
    expect(upper.body.error?.code).toBe('username_taken');
    expect(fullWidth.status).toBe(409);
    const tokens = await api.login(base.toUpperCase());
    const me = await api.request('GET', '/auth/me', { token: tokens.access });
    expect(me.body).toEqual({ username: base.toLowerCase(), role: 'user' });
  });

  it('gives exactly one 201 for 20 concurrent registrations of one name', async () => {
    const username = uniqueName('race');

    const responses = await Promise.all(Array.from({ length: 20 }, () => api.register(username)));

    const statuses = responses.map((response) => response.status).sort();
    expect(statuses.filter((status) => status === 201)).toHaveLength(1);
    expect(statuses.filter((status) => status === 409)).toHaveLength(19);
  });

  it.each([
    ['a username that is too short', { username: 'ab', password: DEFAULT_PASSWORD }, 'username'],
    ['a username with forbidden characters', { username: 'al ice!', password: DEFAULT_PASSWORD }, 'username'],
    ['a password shorter than 8 characters', { username: 'shortpw', password: 'abc1234' }, 'password'],
    ['a password longer than 128 characters', { username: 'longpw', password: 'x'.repeat(129) }, 'password'],
    ['a missing password', { username: 'nopw' }, 'password'],
    ['a non-string password', { username: 'numpw', password: 12345678 }, 'password'],
    ['a role field', { username: 'wantsadmin', password: DEFAULT_PASSWORD, role: 'admin' }, 'role'],
  ])('rejects %s with 400 naming the field', async (_case, body, field) => {
    const response = await api.request('POST', '/auth/register', { json: body });

    expect(response.status).toBe(400);
    expect(response.body.error?.code).toBe('validation_error');
    expect(response.body.error?.details?.map((detail) => detail.path)).toContain(field);
  });

  it('never creates an account from a rejected request (role in body)', async () => {
    const username = uniqueName('mass');
    await api.request('POST', '/auth/register', { json: { username, password: DEFAULT_PASSWORD, role: 'admin' } });

    const login = await api.request('POST', '/auth/login', { json: { username, password: DEFAULT_PASSWORD } });

    expect(login.status).toBe(401);
  });
});

describe('POST /auth/login', () => {
  it('returns a token pair that is never cached', async () => {
    const username = uniqueName('login');
    await api.register(username);

    const response = await api.request('POST', '/auth/login', { json: { username, password: DEFAULT_PASSWORD } });

    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      access_token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
      refresh_token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
      token_type: 'Bearer',
      expires_in: 900,
    });
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('answers an unknown user and a wrong password identically', async () => {
    const username = uniqueName('enum');
    await api.register(username);

    const wrongPassword = await api.request('POST', '/auth/login', { json: { username, password: 'wrong password!' } });
    const unknownUser = await api.request('POST', '/auth/login', { json: { username: uniqueName('ghost'), password: 'wrong password!' } });

    expect(wrongPassword.status).toBe(401);
    expect(unknownUser.status).toBe(401);
    expect(unknownUser.text).toBe(wrongPassword.text);
    expect(wrongPassword.body.error?.code).toBe('invalid_credentials');
    const headerNames = (response: typeof wrongPassword) => [...response.headers.keys()].filter((name) => name !== 'date').sort();
    expect(headerNames(unknownUser)).toEqual(headerNames(wrongPassword));
  });

  it('counts every character: two long passwords differing only after byte 72 are different passwords', async () => {
    const username = uniqueName('long');
    const password = `${'a'.repeat(80)}-one`;
    await api.register(username, password);

    const other = await api.request('POST', '/auth/login', { json: { username, password: `${'a'.repeat(80)}-two` } });
    const same = await api.request('POST', '/auth/login', { json: { username, password } });

    expect(other.status).toBe(401);
    expect(same.status).toBe(200);
  });

  it('rejects a malformed body with 400 before looking anything up', async () => {
    const response = await api.request('POST', '/auth/login', { json: { username: 'someone' } });

    expect(response.status).toBe(400);
    expect(response.body.error?.details).toEqual([{ path: 'password', message: 'is required' }]);
  });
});

describe('GET /auth/me', () => {
  it('returns the caller’s username and role', async () => {
    const { username, tokens } = await api.newUser('me');

    const response = await api.request('GET', '/auth/me', { token: tokens.access });

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ username, role: 'user' });
  });

  it('rejects a refresh token used as an access token', async () => {
    const { tokens } = await api.newUser('typ');

    const response = await api.request('GET', '/auth/me', { token: tokens.refresh });

    expect(response.status).toBe(401);
    expect(response.body).toEqual({ message: 'Unauthorized' });
  });
});

describe('POST /auth/refresh', () => {
  it('rotates: returns a new pair and consumes the old refresh token', async () => {
    const { tokens } = await api.newUser('rot');

    const first = await api.request('POST', '/auth/refresh', { token: tokens.refresh });

    expect(first.status).toBe(200);
    expect(first.body.token_type).toBe('Bearer');
    expect(first.body.refresh_token).not.toBe(tokens.refresh);
    expect(first.headers.get('cache-control')).toBe('no-store');
    const next = await api.request('POST', '/auth/refresh', { token: String(first.body.refresh_token) });
    expect(next.status).toBe(200);
  });

  it('revokes the whole session when a rotated refresh token is replayed', async () => {
    const { tokens } = await api.newUser('replay');
    const rotated = await api.request('POST', '/auth/refresh', { token: tokens.refresh });
    const newAccess = String(rotated.body.access_token);
    const newRefresh = String(rotated.body.refresh_token);
    expect((await api.request('GET', '/auth/me', { token: newAccess })).status).toBe(200);

    const replay = await api.request('POST', '/auth/refresh', { token: tokens.refresh });

    expect(replay.status).toBe(401);
    expect(replay.body.error?.code).toBe('invalid_token');
    expect((await api.request('GET', '/auth/me', { token: newAccess })).status).toBe(401);
    expect((await api.request('GET', '/auth/me', { token: tokens.access })).status).toBe(401);
    expect((await api.request('POST', '/auth/refresh', { token: newRefresh })).status).toBe(401);
  });

  it('lets at most one of 10 concurrent refreshes with one token succeed', async () => {
    const { tokens } = await api.newUser('conc');

    const responses = await Promise.all(Array.from({ length: 10 }, () => api.request('POST', '/auth/refresh', { token: tokens.refresh })));

    const successes = responses.filter((response) => response.status === 200);
    expect(successes.length).toBeLessThanOrEqual(1);
    expect(responses.every((response) => response.status === 200 || response.status === 401)).toBe(true);
  });

  it('rejects an access token, a missing token and garbage with 401 invalid_token', async () => {
    const { tokens } = await api.newUser('wrongtyp');

    for (const token of [tokens.access, undefined, 'not-a-jwt']) {
      const response = await api.request('POST', '/auth/refresh', token === undefined ? {} : { token });
      expect(response.status).toBe(401);
      expect(response.body.error?.code).toBe('invalid_token');
    }
    expect((await api.request('POST', '/auth/refresh', { token: tokens.refresh })).status).toBe(200);
  });

  it('puts the user’s current role into the new access token', async () => {
    const { username, tokens } = await api.newUser('promote');
    await api.admin(['set-role', username, 'admin']);

    const before = await api.request('GET', '/auth/me', { token: tokens.access });
    const refreshed = await api.request('POST', '/auth/refresh', { token: tokens.refresh });
    const after = await api.request('GET', '/auth/me', { token: String(refreshed.body.access_token) });

    expect(before.body.role).toBe('user');
    expect(after.body.role).toBe('admin');
  });
});

describe('POST /auth/logout', () => {
  it('stops the session’s access and refresh tokens at once, including access tokens from before a refresh', async () => {
    const { tokens } = await api.newUser('logout');
    const refreshed = await api.request('POST', '/auth/refresh', { token: tokens.refresh });
    const access = String(refreshed.body.access_token);
    const refresh = String(refreshed.body.refresh_token);

    const logout = await api.request('POST', '/auth/logout', { token: access });

    expect(logout.status).toBe(204);
    expect(logout.text).toBe('');
    expect((await api.request('GET', '/auth/me', { token: access })).status).toBe(401);
    expect((await api.request('GET', '/auth/me', { token: tokens.access })).status).toBe(401);
    expect((await api.request('POST', '/auth/refresh', { token: refresh })).status).toBe(401);
  });

  it('leaves the user’s other sessions working', async () => {
    const { username, tokens: laptop } = await api.newUser('multi');
    const phone = await api.login(username);

    await api.request('POST', '/auth/logout', { token: laptop.access });

    expect((await api.request('GET', '/auth/me', { token: laptop.access })).status).toBe(401);
    expect((await api.request('GET', '/auth/me', { token: phone.access })).status).toBe(200);
    expect((await api.request('POST', '/auth/refresh', { token: phone.refresh })).status).toBe(200);
  });
});

describe('npm run admin -- set-role', () => {
  it('taking the admin role away ends every session of that user at once', async () => {
    const { username, tokens: laptop } = await api.newUser('demote');
    await api.admin(['set-role', username, 'admin']);
    const phone = await api.login(username);
    expect((await api.request('GET', '/auth/me', { token: phone.access })).body.role).toBe('admin');

    const { stdout } = await api.admin(['set-role', username, 'user']);

    expect(stdout).toContain('Ended their 2 session(s)');
    for (const tokens of [laptop, phone]) {
      expect((await api.request('GET', '/auth/me', { token: tokens.access })).status).toBe(401);
      expect((await api.request('POST', '/auth/refresh', { token: tokens.refresh })).status).toBe(401);
    }
    const again = await api.login(username);
    expect((await api.request('GET', '/auth/me', { token: again.access })).body).toEqual({ username, role: 'user' });
  });

  it('also ends the session of a login that read the admin role just before the change', async () => {
    const { changeRole } = await import('#infra/roles');
    const { username } = await api.newUser('racer');
    await api.admin(['set-role', username, 'admin']);
    // The racing login's session write is held back until after the first sweep has run.
    api.dynamo.delayOnce((call) => call.operation === 'PutItem' && call.tables.includes(api.local.tableNames.sessions), 800);
    api.dynamo.reset();

    const login = api.request('POST', '/auth/login', { json: { username, password: DEFAULT_PASSWORD } });
    while (!api.dynamo.calls.some((call) => call.operation === 'BatchGetItem')) await new Promise((resolve) => setTimeout(resolve, 5));
    let firstSweepFound = -1;
    const change = await changeRole(username, 'user', { settleSeconds: 2, onFirstSweep: (ended) => (firstSweepFound = ended) });
    const racer = await login;

    // The first sweep found only the session newUser() started; the racer's was caught by the second.
    expect(firstSweepFound).toBe(1);
    expect(change).toEqual({ outcome: 'taken-away', endedSessions: 2 });
    expect(racer.status).toBe(200);
    expect((await api.request('GET', '/auth/me', { token: String(racer.body.access_token) })).status).toBe(401);
  });

  it('says so when the role does not change', async () => {
    const { username } = await api.newUser('same');

    const { stdout } = await api.admin(['set-role', username, 'user']);

    expect(stdout).toContain('already has role user');
  });

  it('exits non-zero with a clear message for an unknown user', async () => {
    const failure = await api.admin(['set-role', uniqueName('nobody'), 'admin']).catch((error: { code: number; stderr: string }) => error);

    expect(failure).toMatchObject({ code: 1, stderr: expect.stringContaining('No user named') });
  });

  it('rejects an unknown role with usage help', async () => {
    const failure = await api.admin(['set-role', 'someone', 'root']).catch((error: { code: number; stderr: string }) => error);

    expect(failure).toMatchObject({ code: 2, stderr: expect.stringContaining('Usage: npm run admin') });
  });
});
