import { InvalidTokenError } from '#lib/errors';
import { endpoint, type ApiRequest } from '#lib/http';
import { logger } from '#lib/logger';
import { revokeSession } from '#lib/revocation';
import { readRefreshState } from '#lib/refresh-state';
import { rotateRefreshToken } from '#lib/sessions';
import { tokenResponse } from '#lib/token-response';
import { bearerToken, issueTokens, verifyRefreshToken } from '#lib/tokens';

/**
 * POST /auth/refresh with `Authorization: Bearer <refresh token>`. The token is consumed: a conditional
 * write swaps the session's current refresh token for the new one. A refresh token that was already
 * consumed is being replayed, by a thief or by the user after a thief: the whole session is revoked.
 * The new access token carries the user's current role, so a role change reaches the next refresh.
 * Rotation never extends a session past its absolute end (lib/tokens.ts): then the refresh token has
 * expired and the user logs in again.
 */
async function refresh({ headers, requestId }: ApiRequest<'POST /auth/refresh', undefined>) {
  const token = bearerToken(headers.authorization);
  if (token === undefined) throw new InvalidTokenError();
  const claims = await verifyRefreshToken(token);

  const { user, sessionRevoked } = await readRefreshState(claims.username, claims.sid);
  if (!user || sessionRevoked) throw new InvalidTokenError();

  const tokens = await issueTokens(user, { sid: claims.sid, authTime: claims.authTime });
  const rotated = await rotateRefreshToken({
    sid: claims.sid,
    username: claims.username,
    presentedJti: claims.jti,
    nextJti: tokens.refreshJti,
    expiresAt: tokens.refreshExpiresAt,
  });
  if (!rotated) {
    await revokeSession(claims.sid, 'refresh-token-reuse');
    logger.warn('refresh token reuse: session revoked', { requestId, username: claims.username, sid: claims.sid });
    throw new InvalidTokenError();
  }
  return tokenResponse(tokens);
}

export const handler = endpoint({ route: 'POST /auth/refresh' }, refresh);
