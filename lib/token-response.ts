import { json, type HttpResponse } from '#lib/http';
import type { IssuedTokens } from '#lib/tokens';

/** The body login and refresh answer with (OAuth 2.0 token response field names). Never cached. */
export function tokenResponse(tokens: IssuedTokens): HttpResponse {
  return json(
    200,
    { access_token: tokens.accessToken, refresh_token: tokens.refreshToken, token_type: 'Bearer', expires_in: tokens.expiresIn },
    { 'cache-control': 'no-store', pragma: 'no-cache' },
  );
}
