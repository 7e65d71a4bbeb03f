import { randomUUID } from 'node:crypto';
import { SignJWT, jwtVerify, type JWTPayload } from 'jose';
import { readTokenSettings } from '#lib/config';
import { epochSeconds } from '#lib/dynamo';
import { InvalidTokenError } from '#lib/errors';
import type { Role } from '#lib/routes';
import { loadSigningKey } from '#lib/signing-key';
import { USERNAME_PATTERN } from '#lib/usernames';

/**
 * Access and refresh tokens: HS256 JWTs whose `typ` header tells them apart, so neither is ever
 * accepted where the other is expected (RFC 8725 §3.11). Verification pins the algorithm, issuer,
 * audience and type and then checks every claim's JSON type by hand: a token is untrusted input until
 * each field has been looked at.
 */

export const ACCESS_TOKEN_TYPE = 'at+jwt';
export const REFRESH_TOKEN_TYPE = 'refresh+jwt';
const ALGORITHM = 'HS256';
/** Real tokens are ~400 bytes; anything much larger is refused before any parsing or crypto. */
export const MAX_TOKEN_LENGTH = 4096;
const CLOCK_TOLERANCE_SECONDS = 5;

export const tokenSettings = readTokenSettings();
const signingKey = await loadSigningKey();

export interface AccessClaims {
  username: string;
  role: Role;
  sid: string;
  jti: string;
  exp: number;
}

export interface RefreshClaims {
  username: string;
  sid: string;
  jti: string;
  exp: number;
  /** When the session's login happened (OIDC's `auth_time`): the session ends a fixed time after it. */
  authTime: number;
}

/** A login session: its id, carried by every token, and when its login happened. */
export interface Session {
  sid: string;
  authTime: number;
}

export interface IssuedTokens {
  accessToken: string;
  refreshToken: string;
  refreshJti: string;
  refreshExpiresAt: number;
  expiresIn: number;
}

export function newSession(): Session {
  return { sid: randomUUID(), authTime: epochSeconds() };
}

/**
 * A token pair for the session. Refreshing slides the refresh token's expiry forward, but never past
 * the session's absolute end (`authTime` + the maximum session lifetime): then the user logs in again.
 */
export async function issueTokens(user: { username: string; role: Role }, session: Session): Promise<IssuedTokens> {
  const now = epochSeconds();
  const refreshJti = randomUUID();
  const sessionEnd = session.authTime + tokenSettings.sessionMaxLifetimeSeconds;
  const refreshExpiresAt = Math.min(now + tokenSettings.refreshTokenTtlSeconds, sessionEnd);
  const accessExpiresAt = Math.min(now + tokenSettings.accessTokenTtlSeconds, sessionEnd);
  const { sid } = session;
  const sign = (claims: JWTPayload, typ: string, jti: string, exp: number) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: ALGORITHM, typ })
      .setIssuer(tokenSettings.issuer)
      .setAudience(tokenSettings.audience)
      .setSubject(user.username)
      .setJti(jti)
      .setIssuedAt(now)
      .setExpirationTime(exp)
      .sign(signingKey);
  const [accessToken, refreshToken] = await Promise.all([
    sign({ role: user.role, sid }, ACCESS_TOKEN_TYPE, randomUUID(), accessExpiresAt),
    sign({ sid, auth_time: session.authTime }, REFRESH_TOKEN_TYPE, refreshJti, refreshExpiresAt),
  ]);
  return { accessToken, refreshToken, refreshJti, refreshExpiresAt, expiresIn: accessExpiresAt - now };
}

/** The token of an `Authorization: Bearer …` header, or undefined for anything else. */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined || header.length > MAX_TOKEN_LENGTH + 16) return undefined;
  const match = /^Bearer +([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+) *$/i.exec(header);
  return match?.[1];
}

export async function verifyAccessToken(token: string): Promise<AccessClaims> {
  const payload = await verifySigned(token, ACCESS_TOKEN_TYPE);
  const role = payload.role;
  if (role !== 'user' && role !== 'admin') throw new InvalidTokenError();
  const { username, sid, jti, exp } = commonClaims(payload);
  return { username, sid, jti, exp, role };
}

export async function verifyRefreshToken(token: string): Promise<RefreshClaims> {
  const payload = await verifySigned(token, REFRESH_TOKEN_TYPE);
  const claims = commonClaims(payload);
  const authTime = payload.auth_time;
  if (typeof authTime !== 'number' || !Number.isInteger(authTime) || authTime > claims.iat) throw new InvalidTokenError();
  // The token's own exp already ends with the session; this also closes jose's clock tolerance there.
  if (authTime + tokenSettings.sessionMaxLifetimeSeconds <= epochSeconds()) throw new InvalidTokenError();
  return { username: claims.username, sid: claims.sid, jti: claims.jti, exp: claims.exp, authTime };
}

async function verifySigned(token: string, typ: string): Promise<JWTPayload> {
  if (token.length > MAX_TOKEN_LENGTH) throw new InvalidTokenError();
  try {
    const { payload } = await jwtVerify(token, signingKey, {
      algorithms: [ALGORITHM],
      typ,
      issuer: tokenSettings.issuer,
      audience: tokenSettings.audience,
      requiredClaims: ['exp', 'iat', 'sub', 'jti', 'sid'],
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
    });
    return payload;
  } catch {
    // Which check failed is nobody's business but ours; every failure is the same 401.
    throw new InvalidTokenError();
  }
}

const IDENTIFIER = /^[A-Za-z0-9-]{1,64}$/;

function commonClaims(payload: JWTPayload): { username: string; sid: string; jti: string; exp: number; iat: number } {
  const { sub, sid, jti, iat, exp } = payload;
  const valid =
    typeof sub === 'string' &&
    USERNAME_PATTERN.test(sub) &&
    typeof sid === 'string' &&
    IDENTIFIER.test(sid) &&
    typeof jti === 'string' &&
    IDENTIFIER.test(jti) &&
    typeof exp === 'number' &&
    Number.isInteger(exp) &&
    typeof iat === 'number' &&
    Number.isInteger(iat) &&
    // jose accepts an `iat` from the future; a token minted ahead of time is not ours.
    iat <= epochSeconds() + CLOCK_TOLERANCE_SECONDS;
  if (!valid) throw new InvalidTokenError();
  return { username: sub, sid, jti, exp, iat };
}
