import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type Body, type TestApi, type Tokens } from '../support/api.ts';

let api: TestApi;
let admin: Tokens;

beforeAll(async () => {
  api = await startTestApi();
  const { username } = await api.newUser('admin');
  await api.admin(['set-role', username, 'admin']);
  admin = await api.login(username);
});

afterAll(async () => {
  await api?.close();
});

async function createTodo(tokens: Tokens, title: string, done?: boolean): Promise<Body> {
  const response = await api.request('POST', '/todos', { token: tokens.access, json: done === undefined ? { title } : { title, done } });
  expect(response.status).toBe(201);
  return response.body;
}

describe('POST /todos', () => {
  it('creates a to-do owned by the caller, with a Location header', async () => {
    const { tokens } = await api.newUser();

    const response = await api.request('POST', '/todos', { token: tokens.access, json: { title: '  buy milk  ' } });

    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      id: expect.stringMatching(/^[0-9A-HJKMNP-TV-Z]{26}$/),
      title: 'buy milk',
      done: false,
      createdAt: expect.any(String),
      updatedAt: response.body.createdAt,
    });
    expect(response.headers.get('location')).toBe(`/todos/${String(response.body.id)}`);
    const fetched = await api.request('GET', String(response.headers.get('location')), { token: tokens.access });
    expect(fetched.body).toEqual(response.body);
  });

  it.each([
    ['an empty title', { title: '' }, 'title'],
    ['a whitespace-only title', { title: '   ' }, 'title'],
    ['a title over 200 characters', { title: 'x'.repeat(201) }, 'title'],
    ['a non-boolean done', { title: 'ok', done: 'yes' }, 'done'],
    ['a null title', { title: null }, 'title'],
    ['an owner field (mass assignment)', { title: 'ok', owner: 'someone-else' }, 'owner'],
    ['an id field (mass assignment)', { title: 'ok', id: '01ARZ3NDEKTSV4RRFFQ69G5FAV' }, 'id'],
  ])('rejects %s with 400 and creates nothing', async (_case, body, field) => {
    const { tokens } = await api.newUser();

    const response = await api.request('POST', '/todos', { token: tokens.access, json: body });

    expect(response.status).toBe(400);
    expect(response.body.error?.details?.map((detail) => detail.path)).toContain(field);
    const list = await api.request('GET', '/todos', { token: tokens.access });
    expect(list.body.items).toEqual([]);
  });

  it('accepts exactly 200 characters, counted as characters not UTF-16 units', async () => {
    const { tokens } = await api.newUser();

    const emoji = await api.request('POST', '/todos', { token: tokens.access, json: { title: '🦄'.repeat(200) } });

    expect(emoji.status).toBe(201);
  });
});

describe('GET /todos', () => {
  it('lists only the caller’s to-dos, oldest first', async () => {
    const { tokens: alice } = await api.newUser('alice');
    const { tokens: bob } = await api.newUser('bob');
    const first = await createTodo(alice, 'first');
    await createTodo(bob, 'bob’s');
    const second = await createTodo(alice, 'second', true);

    const response = await api.request('GET', '/todos', { token: alice.access });

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ items: [first, second], nextCursor: null });
  });

  it('paginates with an opaque cursor until nextCursor is null', async () => {
    const { tokens } = await api.newUser('pages');
    const created: Body[] = [];
    for (let i = 0; i < 5; i++) created.push(await createTodo(tokens, `item ${i}`));

    const seen: unknown[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor === null ? '?limit=2' : `?limit=2&cursor=${encodeURIComponent(cursor)}`;
      const page = await api.request('GET', `/todos${query}`, { token: tokens.access });
      expect(page.status).toBe(200);
      seen.push(...(page.body.items as unknown[]));
      cursor = page.body.nextCursor as string | null;
      pages++;
    } while (cursor !== null && pages < 10);

    expect(pages).toBe(3);
    expect(seen).toEqual(created);
  });

  it('defaults to 50 items per page', async () => {
    const { tokens } = await api.newUser('many');
    for (let i = 0; i < 51; i++) await createTodo(tokens, `n${i}`);

    const page = await api.request('GET', '/todos', { token: tokens.access });

    expect((page.body.items as unknown[]).length).toBe(50);
    expect(page.body.nextCursor).toEqual(expect.any(String));
  });

  it.each(['0', '101', '-1', '1.5', 'ten', '', '1e2'])('rejects limit=%s with 400', async (limit) => {
    const { tokens } = await api.newUser();

    const response = await api.request('GET', `/todos?limit=${limit}`, { token: tokens.access });

    expect(response.status).toBe(400);
    expect(response.body.error?.details?.[0]?.path).toBe('limit');
  });

  it('rejects a tampered cursor and another user’s cursor with 400, never showing their items', async () => {
    const { tokens: alice } = await api.newUser('cura');
    const { tokens: mallory } = await api.newUser('curm');
    for (let i = 0; i < 3; i++) await createTodo(alice, `secret ${i}`);
    const page = await api.request('GET', '/todos?limit=1', { token: alice.access });
    const aliceCursor = String(page.body.nextCursor);
    const decoded = JSON.parse(Buffer.from(aliceCursor, 'base64url').toString()) as Record<string, unknown>;
    const tampered = Buffer.from(JSON.stringify({ ...decoded, k: '0'.repeat(26) })).toString('base64url');
    const withOwner = Buffer.from(JSON.stringify({ ...decoded, owner: 'cura' })).toString('base64url');

    for (const cursor of [aliceCursor, tampered, withOwner, 'not-a-cursor', '%%%', 'e30']) {
      const response = await api.request('GET', `/todos?cursor=${encodeURIComponent(cursor)}`, { token: mallory.access });
      expect(response.status).toBe(400);
      expect(response.text).not.toContain('secret');
    }
  });
});

describe('GET /todos/{id}', () => {
  it('returns the caller’s to-do', async () => {
    const { tokens } = await api.newUser();
    const todo = await createTodo(tokens, 'read me');

    const response = await api.request('GET', `/todos/${String(todo.id)}`, { token: tokens.access });

    expect(response.status).toBe(200);
    expect(response.body).toEqual(todo);
  });

  it('answers 404 for another user’s to-do, exactly as for a missing one', async () => {
    const { tokens: owner } = await api.newUser();
    const { tokens: other } = await api.newUser();
    const todo = await createTodo(owner, 'private');

    const foreign = await api.request('GET', `/todos/${String(todo.id)}`, { token: other.access });
    const missing = await api.request('GET', '/todos/01ARZ3NDEKTSV4RRFFQ69G5FAV', { token: other.access });

    expect(foreign.status).toBe(404);
    expect(foreign.text).toBe(missing.text);
    expect(foreign.body.error?.code).toBe('not_found');
  });

  it.each(['not-an-id', "x' OR attribute_exists(id)", '%7B%22S%22%3A%221%22%7D'])('answers 404 for the id %s', async (id) => {
    const { tokens } = await api.newUser();

    const response = await api.request('GET', `/todos/${encodeURIComponent(id)}`, { token: tokens.access });

    expect(response.status).toBe(404);
  });
});

describe('PATCH /todos/{id}', () => {
  it('changes title and done and bumps updatedAt', async () => {
    const { tokens } = await api.newUser();
    const todo = await createTodo(tokens, 'draft');

    const response = await api.request('PATCH', `/todos/${String(todo.id)}`, { token: tokens.access, json: { title: 'final', done: true } });

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ id: todo.id, title: 'final', done: true, createdAt: todo.createdAt });
    expect(String(response.body.updatedAt) >= String(todo.updatedAt)).toBe(true);
  });

  it('requires at least one field and rejects unknown ones', async () => {
    const { tokens } = await api.newUser();
    const todo = await createTodo(tokens, 'keep');

    const empty = await api.request('PATCH', `/todos/${String(todo.id)}`, { token: tokens.access, json: {} });
    const owner = await api.request('PATCH', `/todos/${String(todo.id)}`, { token: tokens.access, json: { done: true, owner: 'x' } });

    expect(empty.status).toBe(400);
    expect(owner.status).toBe(400);
    const after = await api.request('GET', `/todos/${String(todo.id)}`, { token: tokens.access });
    expect(after.body).toEqual(todo);
  });

  it('answers 404 for another user’s to-do and leaves it unchanged', async () => {
    const { tokens: owner } = await api.newUser();
    const { tokens: other } = await api.newUser();
    const todo = await createTodo(owner, 'mine');

    const response = await api.request('PATCH', `/todos/${String(todo.id)}`, { token: other.access, json: { title: 'pwned' } });

    expect(response.status).toBe(404);
    expect((await api.request('GET', `/todos/${String(todo.id)}`, { token: owner.access })).body).toEqual(todo);
  });
});

describe('DELETE /todos/{id}', () => {
  it('is forbidden to non-admins, even for their own to-do, and deletes nothing', async () => {
    const { tokens } = await api.newUser();
    const todo = await createTodo(tokens, 'stay');

    const response = await api.request('DELETE', `/todos/${String(todo.id)}`, { token: tokens.access });

    expect(response.status).toBe(403);
    expect(response.body.error?.code).toBe('forbidden');
    expect((await api.request('GET', `/todos/${String(todo.id)}`, { token: tokens.access })).status).toBe(200);
  });

  it('ignores method-override headers: a POST with X-HTTP-Method-Override: DELETE deletes nothing', async () => {
    const { tokens } = await api.newUser();
    const todo = await createTodo(tokens, 'stay too');

    const response = await api.request('POST', `/todos/${String(todo.id)}`, {
      token: tokens.access,
      headers: { 'x-http-method-override': 'DELETE', 'x-method-override': 'DELETE' },
    });

    expect(response.status).toBe(404);
    expect((await api.request('GET', `/todos/${String(todo.id)}`, { token: tokens.access })).status).toBe(200);
  });

  it('lets an admin delete anyone’s to-do', async () => {
    const { tokens } = await api.newUser();
    const todo = await createTodo(tokens, 'doomed');

    const response = await api.request('DELETE', `/todos/${String(todo.id)}`, { token: admin.access });

    expect(response.status).toBe(204);
    expect((await api.request('GET', `/todos/${String(todo.id)}`, { token: tokens.access })).status).toBe(404);
    expect((await api.request('DELETE', `/todos/${String(todo.id)}`, { token: admin.access })).status).toBe(404);
  });
});
