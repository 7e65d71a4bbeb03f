import { createHmac, randomUUID } from 'node:crypto';
import { SignJWT, base64url } from 'jose';
import { describe, expect, it } from 'vitest';
import { InvalidTokenError } from '#lib/errors';
import {
  ACCESS_TOKEN_TYPE,
  REFRESH_TOKEN_TYPE,
  bearerToken,
  issueTokens,
  newSession,
  tokenSettings,
  verifyAccessToken,
  verifyRefreshToken,
} from '#lib/tokens';

const secret = new TextEncoder().encode(process.env.JWT_SECRET);
const now = () => Math.floor(Date.now() / 1000);

function validClaims(overrides: Record<string, unknown> = {}) {
  return {
    iss: tokenSettings.issuer,
    aud: tokenSettings.audience,
    sub: 'alice',
    role: 'user',
    sid: randomUUID(),
    jti: randomUUID(),
    iat: now(),
    exp: now() + 60,
    ...overrides,
  };
}

function sign(claims: Record<string, unknown>, header: Record<string, unknown> = { alg: 'HS256', typ: ACCESS_TOKEN_TYPE }, key = secret) {
  return new SignJWT(claims).setProtectedHeader(header as { alg: string }).sign(key);
}

/** Signs by hand, for headers jose itself refuses to produce. */
function signRaw(header: Record<string, unknown>, claims: Record<string, unknown>): string {
  const input = `${base64url.encode(JSON.stringify(header))}.${base64url.encode(JSON.stringify(claims))}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

describe('issueTokens', () => {
  it('issues an access token and a refresh token of the same session that verify as what they are', async () => {
    const session = newSession();

    const tokens = await issueTokens({ username: 'alice', role: 'admin' }, session);

    const access = await verifyAccessToken(tokens.accessToken);
    const refresh = await verifyRefreshToken(tokens.refreshToken);
    expect(access).toMatchObject({ username: 'alice', role: 'admin', sid: session.sid });
    expect(refresh).toEqual({ username: 'alice', sid: session.sid, jti: tokens.refreshJti, exp: tokens.refreshExpiresAt, authTime: session.authTime });
    expect(access.exp - now()).toBeGreaterThan(tokenSettings.accessTokenTtlSeconds - 5);
    expect(tokens.expiresIn).toBe(900);
  });

  it('writes the headers and claims the API contract requires', async () => {
    const tokens = await issueTokens({ username: 'alice', role: 'user' }, newSession());
    const [header, payload] = tokens.accessToken.split('.').slice(0, 2).map((part) => JSON.parse(new TextDecoder().decode(base64url.decode(part))) as Record<string, unknown>);
    const refreshHeader = JSON.parse(new TextDecoder().decode(base64url.decode(tokens.refreshToken.split('.')[0] ?? ''))) as Record<string, unknown>;

    expect(header).toEqual({ alg: 'HS256', typ: 'at+jwt' });
    expect(refreshHeader).toEqual({ alg: 'HS256', typ: 'refresh+jwt' });
    expect(Object.keys(payload ?? {}).sort()).toEqual(['aud', 'exp', 'iat', 'iss', 'jti', 'role', 'sid', 'sub']);
  });

  it('never lets a session outlive its maximum lifetime, however recently it was refreshed', async () => {
    const endsIn = 100;
    const old = { sid: randomUUID(), authTime: now() - tokenSettings.sessionMaxLifetimeSeconds + endsIn };

    const tokens = await issueTokens({ username: 'alice', role: 'user' }, old);

    const sessionEnd = old.authTime + tokenSettings.sessionMaxLifetimeSeconds;
    expect(tokens.refreshExpiresAt).toBe(sessionEnd);
    expect((await verifyAccessToken(tokens.accessToken)).exp).toBe(sessionEnd);
    expect(tokens.expiresIn).toBeLessThanOrEqual(endsIn);
    expect(tokenSettings.sessionMaxLifetimeSeconds).toBe(90 * 24 * 60 * 60);
  });

  it('never lets a refresh token pass as an access token or the reverse', async () => {
    const tokens = await issueTokens({ username: 'alice', role: 'user' }, newSession());

    await expect(verifyAccessToken(tokens.refreshToken)).rejects.toBeInstanceOf(InvalidTokenError);
    await expect(verifyRefreshToken(tokens.accessToken)).rejects.toBeInstanceOf(InvalidTokenError);
  });
});

describe('verifyAccessToken', () => {
  it('accepts a well-formed token signed with our key', async () => {
    await expect(verifyAccessToken(await sign(validClaims()))).resolves.toMatchObject({ username: 'alice', role: 'user' });
  });

  it.each([
    ['expired', validClaims({ exp: now() - 60 })],
    ['issued in the future', validClaims({ iat: now() + 600 })],
    ['not yet valid', validClaims({ nbf: now() + 600 })],
    ['from another issuer', validClaims({ iss: 'https://evil.example' })],
    ['for another audience', validClaims({ aud: 'other-api' })],
    ['without exp', validClaims({ exp: undefined })],
    ['without sub', validClaims({ sub: undefined })],
    ['without jti', validClaims({ jti: undefined })],
    ['without sid', validClaims({ sid: undefined })],
    ['without iat', validClaims({ iat: undefined })],
    ['with a numeric sub', validClaims({ sub: 42 })],
    ['with an array role', validClaims({ role: ['admin'] })],
    ['with an unknown role', validClaims({ role: 'root' })],
    ['with an object sid', validClaims({ sid: { $ne: null } })],
    ['with a string exp', validClaims({ exp: String(now() + 60) })],
    ['with a sub that is not a normalized username', validClaims({ sub: 'Alice' })],
  ])('rejects a token %s', async (_case, claims) => {
    await expect(verifyAccessToken(await sign(claims))).rejects.toBeInstanceOf(InvalidTokenError);
  });

  it.each([
    ['HS384', { alg: 'HS384', typ: ACCESS_TOKEN_TYPE }],
    ['HS512', { alg: 'HS512', typ: ACCESS_TOKEN_TYPE }],
    ['no typ', { alg: 'HS256' }],
    ['typ JWT', { alg: 'HS256', typ: 'JWT' }],
    ['the refresh typ', { alg: 'HS256', typ: REFRESH_TOKEN_TYPE }],
  ])('rejects a token with %s, even signed with the right secret', async (_case, header) => {
    await expect(verifyAccessToken(await sign(validClaims(), header))).rejects.toBeInstanceOf(InvalidTokenError);
  });

  it('rejects an unknown critical header, even signed with the right secret', async () => {
    const control = signRaw({ alg: 'HS256', typ: ACCESS_TOKEN_TYPE }, validClaims());
    const critical = signRaw({ alg: 'HS256', typ: ACCESS_TOKEN_TYPE, crit: ['x-custom'], 'x-custom': 1 }, validClaims());

    await expect(verifyAccessToken(control)).resolves.toMatchObject({ username: 'alice' });
    await expect(verifyAccessToken(critical)).rejects.toBeInstanceOf(InvalidTokenError);
  });

  it('rejects a token signed with another key', async () => {
    const token = await sign(validClaims(), undefined, new TextEncoder().encode('another-secret-of-at-least-32-bytes!!'));
    await expect(verifyAccessToken(token)).rejects.toBeInstanceOf(InvalidTokenError);
  });

  it('rejects alg none, an empty signature and a tampered payload', async () => {
    const good = await sign(validClaims());
    const [header, payload, signature] = good.split('.') as [string, string, string];
    const none = `${base64url.encode(JSON.stringify({ alg: 'none', typ: ACCESS_TOKEN_TYPE }))}.${payload}.`;
    const tampered = `${header}.${base64url.encode(JSON.stringify({ ...validClaims(), role: 'admin' }))}.${signature}`;

    for (const token of [none, `${header}.${payload}.`, tampered]) {
      await expect(verifyAccessToken(token)).rejects.toBeInstanceOf(InvalidTokenError);
    }
  });

  it('rejects an oversized token before any crypto', async () => {
    const huge = await sign(validClaims({ pad: 'x'.repeat(10_000) }));
    await expect(verifyAccessToken(huge)).rejects.toBeInstanceOf(InvalidTokenError);
  });
});

describe('verifyRefreshToken', () => {
  const refreshClaims = (overrides: Record<string, unknown> = {}): Record<string, unknown> => {
    const { role: _role, ...claims } = validClaims({ auth_time: now() - 60, ...overrides });
    return claims;
  };
  const signRefresh = (claims: Record<string, unknown>) => sign(claims, { alg: 'HS256', typ: REFRESH_TOKEN_TYPE });

  it('accepts a refresh token with its session’s auth_time', async () => {
    const claims = refreshClaims();
    await expect(verifyRefreshToken(await signRefresh(claims))).resolves.toMatchObject({ authTime: claims.auth_time });
  });

  it.each([
    ['without auth_time', { auth_time: undefined }],
    ['with a string auth_time', { auth_time: String(now() - 60) }],
    ['with an auth_time after its iat', { auth_time: now() + 60 }],
    ['of a session past its maximum lifetime, though its exp is not', { auth_time: now() - tokenSettings.sessionMaxLifetimeSeconds - 1, exp: now() + 3 }],
  ])('rejects a refresh token %s', async (_case, overrides) => {
    await expect(verifyRefreshToken(await signRefresh(refreshClaims(overrides)))).rejects.toBeInstanceOf(InvalidTokenError);
  });
});

describe('bearerToken', () => {
  it.each([
    ['Bearer a.b.c', 'a.b.c'],
    ['bearer a.b.c', 'a.b.c'],
    ['Basic a.b.c', undefined],
    ['Bearer a.b', undefined],
    ['Bearer a.b.c.d', undefined],
    ['Bearer a.b.c, Bearer d.e.f', undefined],
    ['Bearer a+b.c.d', undefined],
    [undefined, undefined],
  ])('reads %j as %j', (header, expected) => {
    expect(bearerToken(header)).toBe(expected);
  });
});
