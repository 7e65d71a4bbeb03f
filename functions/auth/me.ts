import { endpoint, json, type ApiRequest } from '#lib/http';

/** GET /auth/me: who the access token says the caller is. No database read: the authorizer did the checking. */
async function me({ principal }: ApiRequest<'GET /auth/me', undefined>) {
  return json(200, { username: principal.username, role: principal.role });
}

export const handler = endpoint({ route: 'GET /auth/me' }, me);
