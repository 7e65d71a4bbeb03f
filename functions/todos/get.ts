import { endpoint, json, type ApiRequest } from '#lib/http';
import { getTodo } from '#lib/todos';

/** GET /todos/{id}: another user's to-do is a 404, exactly like a missing one. */
async function get({ principal, pathParameter }: ApiRequest<'GET /todos/{id}', undefined>) {
  return json(200, await getTodo(principal.username, pathParameter('id')));
}

export const handler = endpoint({ route: 'GET /todos/{id}' }, get);
