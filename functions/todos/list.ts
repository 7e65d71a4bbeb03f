import { ValidationError } from '#lib/errors';
import { endpoint, json, type ApiRequest } from '#lib/http';
import { listTodos } from '#lib/todos';

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 100;

/** GET /todos?limit=&cursor=: the caller's own to-dos, oldest first, `limit` (1–100, default 50) at a time. */
async function list({ principal, query }: ApiRequest<'GET /todos', undefined>) {
  const page = await listTodos(principal.username, { limit: parseLimit(query.limit), cursor: query.cursor });
  return json(200, page);
}

function parseLimit(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_LIMIT;
  const limit = /^\d{1,3}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(limit >= 1 && limit <= MAX_LIMIT)) {
    throw new ValidationError('The query string is invalid', [{ path: 'limit', message: `must be a whole number from 1 to ${MAX_LIMIT}` }]);
  }
  return limit;
}

export const handler = endpoint({ route: 'GET /todos' }, list);
