import { endpoint, noContent, type ApiRequest } from '#lib/http';
import { deleteTodo } from '#lib/todos';

/**
 * DELETE /todos/{id}: admins only (lib/routes.ts declares the role; the HTTP layer answers 403 before
 * this runs), and an admin may delete anyone's to-do.
 */
async function remove({ pathParameter }: ApiRequest<'DELETE /todos/{id}', undefined>) {
  await deleteTodo(pathParameter('id'));
  return noContent();
}

export const handler = endpoint({ route: 'DELETE /todos/{id}' }, remove);
