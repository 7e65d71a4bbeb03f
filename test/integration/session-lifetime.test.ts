import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.ts';

/** A session's absolute end (SESSION_MAX_LIFETIME_SECONDS), which refreshing cannot push back. */

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi({ environment: { SESSION_MAX_LIFETIME_SECONDS: '600', REFRESH_TOKEN_TTL_SECONDS: '3600' } });
});

afterAll(async () => {
  await api?.close();
});

function claimsOf(token: string): Record<string, number> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as Record<string, number>;
}

describe('maximum session lifetime', () => {
  it('caps the refresh token at login + the maximum, and every refresh keeps that cap and the login time', async () => {
    const { tokens } = await api.newUser('lifetime');
    const first = claimsOf(tokens.refresh);

    const refreshed = await api.request('POST', '/auth/refresh', { token: tokens.refresh });
    const second = claimsOf(String(refreshed.body.refresh_token));

    expect(first.auth_time).toBe(first.iat);
    expect(first.exp).toBe(Number(first.auth_time) + 600);
    expect(refreshed.status).toBe(200);
    expect(second.auth_time).toBe(first.auth_time);
    expect(second.exp).toBe(first.exp);
    expect(Number(refreshed.body.expires_in)).toBeLessThanOrEqual(600);
  });
});
