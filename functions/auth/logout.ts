import { endpoint, noContent, type ApiRequest } from '#lib/http';
import { revokeSession } from '#lib/revocation';

/**
 * POST /auth/logout: blocklists the session, which stops its access tokens at the authorizer and its
 * refresh token at /auth/refresh on the very next request. The user's other sessions are untouched.
 */
async function logout({ principal }: ApiRequest<'POST /auth/logout', undefined>) {
  await revokeSession(principal.sid, 'logout');
  return noContent();
}

export const handler = endpoint({ route: 'POST /auth/logout' }, logout);
