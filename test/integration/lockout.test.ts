import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PASSWORD, startTestApi, uniqueName, type TestApi } from '../support/api.ts';

/** Brute-force protection and the password policy, through HTTP. Lock delays are shortened to seconds. */

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi({
    environment: { LOGIN_FREE_FAILURES: '3', LOGIN_LOCKOUT_BASE_SECONDS: '1', LOGIN_LOCKOUT_MAX_SECONDS: '2' },
  });
});

afterAll(async () => {
  await api?.close();
});

const attempt = (username: string, password: string, headers: Record<string, string> = {}) =>
  api.request('POST', '/auth/login', { json: { username, password }, headers });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('login lockout', () => {
  it('refuses with 429 and Retry-After after the free failures, even the right password', async () => {
    const username = uniqueName('lock');
    await api.register(username);

    const failures = [];
    for (let i = 0; i < 3; i++) failures.push((await attempt(username, 'wrong password')).status);
    const locked = await attempt(username, DEFAULT_PASSWORD);

    expect(failures).toEqual([401, 401, 401]);
    expect(locked.status).toBe(429);
    expect(locked.body.error?.code).toBe('too_many_attempts');
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });

  it('lets the right password in once the lock has passed, and a success resets the counter', async () => {
    const username = uniqueName('unlock');
    await api.register(username);
    for (let i = 0; i < 3; i++) await attempt(username, 'wrong password');

    await sleep(1_100);
    const success = await attempt(username, DEFAULT_PASSWORD);
    const afterReset = [];
    for (let i = 0; i < 2; i++) afterReset.push((await attempt(username, 'wrong password')).status);

    expect(success.status).toBe(200);
    expect(afterReset).toEqual([401, 401]);
  });

  it('grows the delay with each further failure, up to the cap', async () => {
    const username = uniqueName('grow');
    await api.register(username);
    for (let i = 0; i < 3; i++) await attempt(username, 'wrong password');
    const first = Number((await attempt(username, 'wrong password')).headers.get('retry-after'));

    await sleep(1_100);
    expect((await attempt(username, 'wrong password')).status).toBe(401);
    const second = Number((await attempt(username, 'wrong password')).headers.get('retry-after'));

    expect(first).toBe(1);
    expect(second).toBe(2);
  });

  it('treats unknown usernames exactly like real ones, so a lockout reveals nothing', async () => {
    const ghost = uniqueName('ghost');
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await attempt(ghost, 'wrong password')).status);

    expect(statuses).toEqual([401, 401, 401, 429]);
  });

  it('cannot be bypassed with X-Forwarded-For', async () => {
    const username = uniqueName('xff');
    await api.register(username);
    for (let i = 0; i < 3; i++) await attempt(username, 'wrong password', { 'x-forwarded-for': `10.0.0.${i}` });

    const spoofed = await attempt(username, DEFAULT_PASSWORD, { 'x-forwarded-for': '203.0.113.99', 'x-real-ip': '203.0.113.99' });

    expect(spoofed.status).toBe(429);
  });

  it('lets at most the free failures through when guesses arrive in parallel', async () => {
    const username = uniqueName('burst');
    await api.register(username);

    const responses = await Promise.all(Array.from({ length: 12 }, () => attempt(username, 'wrong password')));

    const checked = responses.filter((response) => response.status === 401).length;
    expect(checked).toBeLessThanOrEqual(3);
    expect(responses.every((response) => response.status === 401 || response.status === 429)).toBe(true);
  });
});

describe('password policy', () => {
  it.each([
    ['one of the most common passwords', 'password123', 'most commonly used'],
    ['a common password in another case', 'PassWord123', 'most commonly used'],
    ['the username itself', 'USERNAME-PLACEHOLDER', 'same as the username'],
  ])('rejects %s with 400 naming the rule, and creates no account', async (_case, password, rule) => {
    const username = uniqueName('policy');
    const chosen = password === 'USERNAME-PLACEHOLDER' ? username.toUpperCase() : password;

    const response = await api.register(username, chosen);

    expect(response.status).toBe(400);
    expect(response.body.error?.details).toEqual([{ path: 'password', message: expect.stringContaining(rule) }]);
    expect((await attempt(username, chosen)).status).toBe(401);
  });
});
