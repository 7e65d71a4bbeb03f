import * as z from 'zod/mini';
import { endpoint, json, type ApiRequest } from '#lib/http';
import { TodoTitleSchema } from '#lib/schemas';
import { updateTodo } from '#lib/todos';

const UpdateTodoBody = z
  .strictObject({ title: z.optional(TodoTitleSchema), done: z.optional(z.boolean()) })
  .check(z.refine((body) => body.title !== undefined || body.done !== undefined, 'send at least one of title and done'));

/** PATCH /todos/{id}: changes only the caller's own to-do; anyone else's is a 404. */
async function update({ principal, body, pathParameter }: ApiRequest<'PATCH /todos/{id}', z.infer<typeof UpdateTodoBody>>) {
  return json(200, await updateTodo(principal.username, pathParameter('id'), body));
}

export const handler = endpoint({ route: 'PATCH /todos/{id}', body: UpdateTodoBody }, update);
