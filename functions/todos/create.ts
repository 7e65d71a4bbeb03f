import * as z from 'zod/mini';
import { endpoint, json, type ApiRequest } from '#lib/http';
import { TodoTitleSchema } from '#lib/schemas';
import { createTodo } from '#lib/todos';

/** Strict: `id`, `owner`, timestamps and anything else unknown are rejected, never assigned. */
const CreateTodoBody = z.strictObject({ title: TodoTitleSchema, done: z.optional(z.boolean()) });

/** POST /todos: the owner is the caller, from the verified token, never from the request. */
async function create({ principal, body }: ApiRequest<'POST /todos', z.infer<typeof CreateTodoBody>>) {
  const todo = await createTodo(principal.username, body);
  return json(201, todo, { location: `/todos/${todo.id}` });
}

export const handler = endpoint({ route: 'POST /todos', body: CreateTodoBody }, create);
