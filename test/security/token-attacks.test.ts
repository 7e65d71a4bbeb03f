import { createHmac } from 'node:crypto';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_JWT_SECRET, startTestApi, type ApiResponse, type TestApi, type Tokens } from '../support/api.ts';
import {
  base64url,
  createVictim,
  decodeSegment,
  expectFunctionError,
  expectGatewayUnauthorized,
  expectNoLeak,
  forgeHmac,
  nowSeconds,
  withClaims,
  type JsonObject,
  type Victim,
} from '../support/security.ts';

/**
 * Forged, altered and misused tokens (RFC 8725, RFC 7519 §7.2, ASVS 5.0 V9, OWASP API2:2023), through
 * HTTP. Every token is presented where it would do most harm: as the victim listing their to-dos and as
 * an admin deleting one. After each case the victim's to-dos, password, role and session are re-read.
 */

let api: TestApi;
let victim: Victim;
let attacker: Tokens;
/** The victim's real access-token header and claims: forgeries start from them. */
let victimAccessClaims: JsonObject;
let victimRefreshClaims: JsonObject;
let attackerAccessClaims: JsonObject;
const accessHeader = { alg: 'HS256', typ: 'at+jwt' };
const refreshHeader = { alg: 'HS256', typ: 'refresh+jwt' };
const FOREIGN_SECRET = 'an-attacker-secret-that-is-at-least-32-bytes';

let rsa: Awaited<ReturnType<typeof generateKeyPair>>;
let ec: Awaited<ReturnType<typeof generateKeyPair>>;

beforeAll(async () => {
  api = await startTestApi();
  victim = await createVictim(api);
  victimAccessClaims = decodeSegment(victim.tokens.access, 1);
  victimRefreshClaims = decodeSegment(victim.tokens.refresh, 1);
  const registered = await api.newUser('mallory');
  attacker = registered.tokens;
  attackerAccessClaims = decodeSegment(attacker.access, 1);
  rsa = await generateKeyPair('RS256');
  ec = await generateKeyPair('ES256');
});

afterAll(async () => {
  await api?.close();
});

/** A token signed with the real secret, exactly like the server's but built by hand. */
const signed = (claims: JsonObject, header: JsonObject = accessHeader) => forgeHmac(header, claims, TEST_JWT_SECRET);
const victimAccess = (changes: Parameters<typeof withClaims>[1], header: JsonObject = accessHeader) =>
  signed(withClaims(victimAccessClaims, changes), header);
const segments = (token: string) => token.split('.') as [string, string, string];

/** Re-signs nothing: swaps the payload of a real token and keeps its signature. */
function tamperedPayload(token: string, changes: Parameters<typeof withClaims>[1]): string {
  const [header, payload, signature] = segments(token);
  const claims = withClaims(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as JsonObject, changes);
  return `${header}.${base64url(claims)}.${signature}`;
}

function noneToken(alg: string, withSignature: boolean): string {
  const [, , signature] = segments(victim.tokens.access);
  return `${base64url({ alg, typ: 'at+jwt' })}.${base64url(victimAccessClaims)}.${withSignature ? signature : ''}`;
}

async function asymmetric(alg: 'RS256' | 'ES256', extraHeader: 'jwk' | 'jku' | 'x5u'): Promise<string> {
  const pair = alg === 'RS256' ? rsa : ec;
  const header = {
    alg,
    typ: 'at+jwt',
    ...(extraHeader === 'jwk' && { jwk: await exportJWK(pair.publicKey) }),
    ...(extraHeader === 'jku' && { jku: 'https://evil.example/jwks.json', kid: 'attacker' }),
    ...(extraHeader === 'x5u' && { x5u: 'https://evil.example/cert.pem' }),
  };
  return new SignJWT({ ...victimAccessClaims, role: 'admin' }).setProtectedHeader(header).sign(pair.privateKey);
}

const bigClaim = (bytes: number) => victimAccess({ pad: 'x'.repeat(bytes) });

interface AccessTokenCase {
  name: string;
  token: () => string | Promise<string>;
}

/** Tokens that must never get past the authorizer. Each becomes 401 {"message":"Unauthorized"}. */
const accessTokenAttacks: AccessTokenCase[] = [
  ...(['none', 'None', 'NONE', 'nOnE'] as const).flatMap((alg) => [
    { name: `alg "${alg}" without a signature`, token: () => noneToken(alg, false) },
    { name: `alg "${alg}" with the original signature kept`, token: () => noneToken(alg, true) },
  ]),
  { name: 'alg none signed with an empty HMAC key', token: () => forgeHmac({ alg: 'none', typ: 'at+jwt' }, victimAccessClaims, '') },
  { name: 'an empty signature segment', token: () => `${segments(victim.tokens.access).slice(0, 2).join('.')}.` },
  { name: 'payload tampered: role → admin (signature kept)', token: () => tamperedPayload(attacker.access, { role: 'admin' }) },
  { name: 'payload tampered: sub → victim (signature kept)', token: () => tamperedPayload(attacker.access, { sub: victim.username }) },
  { name: 'payload tampered: sid → victim’s session (signature kept)', token: () => tamperedPayload(attacker.access, { sid: String(victimAccessClaims.sid) }) },
  { name: 'header tampered: typ changed (signature kept)', token: () => `${base64url({ alg: 'HS256', typ: 'JWT' })}.${segments(victim.tokens.access).slice(1).join('.')}` },
  { name: 'HS256 with a foreign key', token: () => forgeHmac(accessHeader, { ...victimAccessClaims, role: 'admin' }, FOREIGN_SECRET) },
  { name: 'HS256 with an empty key', token: () => forgeHmac(accessHeader, victimAccessClaims, '') },
  { name: 'HS384 with the right secret', token: () => forgeHmac({ ...accessHeader, alg: 'HS384' }, victimAccessClaims, TEST_JWT_SECRET, 'HS384') },
  { name: 'HS512 with the right secret', token: () => forgeHmac({ ...accessHeader, alg: 'HS512' }, victimAccessClaims, TEST_JWT_SECRET, 'HS512') },
  { name: 'HS256 label over an HS512 signature', token: () => forgeHmac(accessHeader, victimAccessClaims, TEST_JWT_SECRET, 'HS512') },
  { name: 'RS256 with an attacker key in an embedded jwk', token: () => asymmetric('RS256', 'jwk') },
  { name: 'ES256 with an attacker key in an embedded jwk', token: () => asymmetric('ES256', 'jwk') },
  { name: 'RS256 with a jku pointing to the attacker', token: () => asymmetric('RS256', 'jku') },
  { name: 'ES256 with an x5u pointing to the attacker', token: () => asymmetric('ES256', 'x5u') },
  {
    name: 'HS256 with the attacker’s key embedded as an oct jwk',
    token: () => forgeHmac({ ...accessHeader, jwk: { kty: 'oct', k: base64url(FOREIGN_SECRET) } }, victimAccessClaims, FOREIGN_SECRET),
  },
  { name: 'a kid pointing at /dev/null with an empty key', token: () => forgeHmac({ ...accessHeader, kid: '../../../../dev/null' }, victimAccessClaims, '') },
  { name: 'an unknown critical header (crit)', token: () => signed(victimAccessClaims, { ...accessHeader, crit: ['x-unknown'], 'x-unknown': true }) },
  { name: 'an unencoded payload (b64: false, crit)', token: () => signed(victimAccessClaims, { ...accessHeader, b64: false, crit: ['b64'] }) },
  { name: 'a truncated signature', token: () => victim.tokens.access.slice(0, -8) },
  { name: 'a signature with one character flipped', token: () => flipLastCharacter(victim.tokens.access) },
  { name: 'an extra fourth segment', token: () => `${victim.tokens.access}.${segments(victim.tokens.access)[2]}` },
  { name: 'a five-segment JWE-looking token', token: () => `${base64url({ alg: 'dir', enc: 'A256GCM' })}..aaaa.bbbb.cccc` },
  { name: 'only two segments', token: () => segments(victim.tokens.access).slice(0, 2).join('.') },
  { name: 'standard base64 (+ / =) instead of base64url', token: () => toStandardBase64(victim.tokens.access) },
  { name: 'a payload that is not JSON, correctly signed', token: () => forgeHmac(accessHeader, base64url('not json at all'), TEST_JWT_SECRET) },
  { name: 'a header that is not JSON, correctly signed', token: () => forgeHmac(base64url('{alg:HS256'), victimAccessClaims, TEST_JWT_SECRET) },
  { name: 'a payload that is a JSON array, correctly signed', token: () => forgeHmac(accessHeader, base64url('[1,2,3]'), TEST_JWT_SECRET) },
  { name: 'a 10 KB token, correctly signed', token: () => bigClaim(10 * 1024) },
  { name: 'an expired token (beyond the clock tolerance)', token: () => victimAccess({ exp: nowSeconds() - 60, iat: nowSeconds() - 1000 }) },
  { name: 'a future nbf', token: () => victimAccess({ nbf: nowSeconds() + 3600 }) },
  { name: 'a future iat', token: () => victimAccess({ iat: nowSeconds() + 3600, exp: nowSeconds() + 7200 }) },
  ...(['exp', 'iat', 'sub', 'jti', 'sid', 'role', 'iss', 'aud'] as const).map((claim) => ({
    name: `a missing ${claim}`,
    token: () => victimAccess({ [claim]: null }),
  })),
  { name: 'a wrong iss', token: () => victimAccess({ iss: 'https://evil.example' }) },
  { name: 'a wrong aud', token: () => victimAccess({ aud: 'another-api' }) },
  { name: 'sub as a number', token: () => victimAccess({ sub: 12345 }) },
  { name: 'sub as an array', token: () => victimAccess({ sub: [victim.username] }) },
  { name: 'sub as an object', token: () => victimAccess({ sub: { username: victim.username } }) },
  { name: 'sub with a NoSQL operator', token: () => victimAccess({ sub: { $ne: null } }) },
  { name: 'sub that is not a normalized username', token: () => victimAccess({ sub: victim.username.toUpperCase() }) },
  { name: 'role as an array', token: () => victimAccess({ role: ['admin'] }) },
  { name: 'role in another case (ADMIN)', token: () => victimAccess({ role: 'ADMIN' }) },
  { name: 'role of an unknown value (root)', token: () => victimAccess({ role: 'root' }) },
  { name: 'exp as a string', token: () => victimAccess({ exp: String(nowSeconds() + 600) }) },
  { name: 'exp as a fraction', token: () => victimAccess({ exp: nowSeconds() + 600.5 }) },
  { name: 'iat as a string', token: () => victimAccess({ iat: String(nowSeconds()) }) },
  { name: 'jti as a number', token: () => victimAccess({ jti: 42 }) },
  { name: 'sid as an object', token: () => victimAccess({ sid: { S: 'x' } }) },
  { name: 'the victim’s refresh token', token: () => victim.tokens.refresh },
  { name: 'typ JWT', token: () => victimAccess({}, { alg: 'HS256', typ: 'JWT' }) },
  { name: 'typ none', token: () => victimAccess({}, { alg: 'HS256', typ: 'none' }) },
  { name: 'no typ at all', token: () => victimAccess({}, { alg: 'HS256' }) },
  { name: 'access claims with typ refresh+jwt', token: () => victimAccess({}, refreshHeader) },
];

function flipLastCharacter(token: string): string {
  const last = token.at(-2) === 'A' ? 'B' : 'A';
  return `${token.slice(0, -2)}${last}${token.at(-1) ?? ''}`;
}

function toStandardBase64(token: string): string {
  return token
    .split('.')
    .map((segment) => Buffer.from(segment, 'base64url').toString('base64'))
    .join('.');
}

describe('the authorizer', () => {
  it('accepts a hand-forged token with the right secret and unchanged claims (so the forgeries below are meaningful)', async () => {
    const control = signed(victimAccessClaims);

    const response = await api.request('GET', '/auth/me', { token: control });

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ username: victim.username, role: 'user' });
  });

  it.each(accessTokenAttacks)('rejects $name: 401 as the victim, 401 as an admin, nothing leaked or changed', async ({ token }) => {
    const forged = await token();
    const victimTodo = String(victim.todos[0]?.id);

    const asVictim = await api.request('GET', '/todos', { token: forged });
    const asAdmin = await api.request('DELETE', `/todos/${victimTodo}`, { token: forged });
    const logout = await api.request('POST', '/auth/logout', { token: forged });

    for (const response of [asVictim, asAdmin, logout]) {
      expectGatewayUnauthorized(response);
      expectNoLeak(api, response, victim.secrets);
    }
    await victim.expectIntact();
  });

  it('rejects a 100 KB Authorization header without reaching any function', async () => {
    api.dynamo.reset();

    const response = await api.request('GET', '/todos', { token: bigClaim(100 * 1024) });

    // Node's HTTP server refuses headers over 16 KiB with 431, as API Gateway refuses them over 10 KB.
    expect(response.status).toBe(431);
    expect(response.text).not.toContain(victim.username);
    expect(api.dynamo.calls).toEqual([]);
    await victim.expectIntact();
  });
});

interface RefreshCase {
  name: string;
  token: () => string | Promise<string>;
}

/** Tokens that must never be exchanged at POST /auth/refresh: 401 invalid_token, no new pair. */
const refreshTokenAttacks: RefreshCase[] = [
  { name: 'an access token', token: () => victim.tokens.access },
  { name: 'alg none', token: () => `${base64url({ alg: 'none', typ: 'refresh+jwt' })}.${base64url(victimRefreshClaims)}.` },
  { name: 'a foreign key', token: () => forgeHmac(refreshHeader, victimRefreshClaims, FOREIGN_SECRET) },
  { name: 'HS512 with the right secret', token: () => forgeHmac({ ...refreshHeader, alg: 'HS512' }, victimRefreshClaims, TEST_JWT_SECRET, 'HS512') },
  { name: 'payload tampered: sub → victim', token: () => tamperedPayload(attackerRefresh(), { sub: victim.username }) },
  { name: 'payload tampered: sid → victim’s session', token: () => tamperedPayload(attackerRefresh(), { sid: String(victimRefreshClaims.sid) }) },
  { name: 'typ JWT', token: () => signed(victimRefreshClaims, { alg: 'HS256', typ: 'JWT' }) },
  { name: 'an expired refresh token', token: () => signed(withClaims(victimRefreshClaims, { exp: nowSeconds() - 60 }), refreshHeader) },
  { name: 'a missing jti', token: () => signed(withClaims(victimRefreshClaims, { jti: null }), refreshHeader) },
  { name: 'an unknown crit header', token: () => signed(victimRefreshClaims, { ...refreshHeader, crit: ['x-unknown'], 'x-unknown': 1 }) },
  { name: 'a 10 KB refresh token', token: () => signed(withClaims(victimRefreshClaims, { pad: 'x'.repeat(10 * 1024) }), refreshHeader) },
];

let attackerRefreshToken = '';
const attackerRefresh = () => attackerRefreshToken;

describe('POST /auth/refresh', () => {
  beforeAll(async () => {
    attackerRefreshToken = (await api.login(String(attackerAccessClaims.sub))).refresh;
  });

  it.each(refreshTokenAttacks)('refuses $name with 401 invalid_token and issues nothing', async ({ token }) => {
    const response = await api.request('POST', '/auth/refresh', { token: await token() });

    expectFunctionError(response, 401, 'invalid_token');
    expect(response.body.access_token).toBeUndefined();
    expectNoLeak(api, response, victim.secrets);
    await victim.expectIntact();
  });
});

describe('replay and races', () => {
  async function victimSession(): Promise<Tokens> {
    return api.login(victim.username, victim.password);
  }

  it.each([
    {
      name: 'an access token after logout',
      attack: async (session: Tokens) => {
        await api.request('POST', '/auth/logout', { token: session.access });
        const response = await api.request('GET', '/todos', { token: session.access });
        expectGatewayUnauthorized(response);
        return response;
      },
    },
    {
      name: 'a refresh token after logout',
      attack: async (session: Tokens) => {
        await api.request('POST', '/auth/logout', { token: session.access });
        const response = await api.request('POST', '/auth/refresh', { token: session.refresh });
        expectFunctionError(response, 401, 'invalid_token');
        return response;
      },
    },
    {
      name: 'a refresh token after rotation (revokes the session, including the new pair)',
      attack: async (session: Tokens) => {
        const rotated = await api.request('POST', '/auth/refresh', { token: session.refresh });
        expect(rotated.status).toBe(200);
        const response = await api.request('POST', '/auth/refresh', { token: session.refresh });
        expectFunctionError(response, 401, 'invalid_token');
        expectGatewayUnauthorized(await api.request('GET', '/auth/me', { token: String(rotated.body.access_token) }));
        expectFunctionError(await api.request('POST', '/auth/refresh', { token: String(rotated.body.refresh_token) }), 401, 'invalid_token');
        return response;
      },
    },
    {
      name: 'ten concurrent refreshes with one token (at most one pair, and the raced session ends revoked)',
      attack: async (session: Tokens) => {
        const responses = await Promise.all(Array.from({ length: 10 }, () => api.request('POST', '/auth/refresh', { token: session.refresh })));
        expect(responses.filter((response) => response.status === 200).length).toBeLessThanOrEqual(1);
        expect(responses.every((response) => response.status === 200 || response.status === 401)).toBe(true);
        expectFunctionError(await api.request('POST', '/auth/refresh', { token: session.refresh }), 401, 'invalid_token');
        expectGatewayUnauthorized(await api.request('GET', '/auth/me', { token: session.access }));
        return responses.find((response) => response.status === 401) ?? (responses[0] as ApiResponse);
      },
    },
    {
      name: 'an access token re-signed after logout with a fresh jti (revocation is by session)',
      attack: async (session: Tokens) => {
        await api.request('POST', '/auth/logout', { token: session.access });
        const claims = decodeSegment(session.access, 1);
        const response = await api.request('GET', '/todos', { token: signed({ ...claims, jti: createHmac('sha256', 'x').update(String(Date.now())).digest('hex').slice(0, 32) }) });
        expectGatewayUnauthorized(response);
        return response;
      },
    },
  ])('refuses $name', async ({ attack }) => {
    const session = await victimSession();

    const response = await attack(session);

    expectNoLeak(api, response, victim.secrets.filter((secret) => secret !== victim.username));
    await victim.expectIntact();
  });
});
