import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, uniqueName, type TestApi } from '../support/api.ts';

/**
 * DynamoDB round trips per request, counted on the wire between the functions and DynamoDB. On Lambda
 * these are the latency and the bill, so the budget of each route is asserted here.
 */

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi();
});

afterAll(async () => {
  await api?.close();
});

async function callsOf(action: () => Promise<{ status: number }>, expectedStatus: number) {
  api.dynamo.reset();
  const response = await action();
  expect(response.status).toBe(expectedStatus);
  const calls = [...api.dynamo.calls];
  return {
    total: calls.length,
    onTable: (table: keyof TestApi['local']['tableNames']) => calls.filter((call) => call.tables.includes(api.local.tableNames[table])),
  };
}

describe('DynamoDB round trips per request', () => {
  it('the authorizer makes exactly one: a consistent read of the blocklist', async () => {
    const { tokens } = await api.newUser();

    const calls = await callsOf(() => api.request('GET', '/auth/me', { token: tokens.access }), 200);

    expect(calls.total).toBe(1);
    expect(calls.onTable('revocations')).toEqual([{ operation: 'GetItem', tables: [api.local.tableNames.revocations] }]);
  });

  it('the authorizer makes exactly one also when it rejects a revoked session', async () => {
    const { tokens } = await api.newUser();
    await api.request('POST', '/auth/logout', { token: tokens.access });

    const calls = await callsOf(() => api.request('GET', '/auth/me', { token: tokens.access }), 401);

    expect(calls.total).toBe(1);
  });

  it('a bad signature costs no round trip at all', async () => {
    const { tokens } = await api.newUser();
    const forged = `${tokens.access.slice(0, -4)}AAAA`;

    const calls = await callsOf(() => api.request('GET', '/auth/me', { token: forged }), 401);

    expect(calls.total).toBe(0);
  });

  it('register: 1', async () => {
    const calls = await callsOf(() => api.register(uniqueName()), 201);
    expect(calls.total).toBe(1);
  });

  it('login: 2 (read account and counter, write session) plus 2 lockout bookkeeping writes', async () => {
    const username = uniqueName();
    await api.register(username);

    const calls = await callsOf(() => api.request('POST', '/auth/login', { json: { username, password: 'correct horse battery staple' } }), 200);

    expect(calls.total).toBe(4);
    expect(calls.onTable('sessions').map((call) => call.operation)).toEqual(['PutItem']);
    expect(calls.onTable('users').map((call) => call.operation)).toEqual(['BatchGetItem']);
    expect(calls.onTable('loginAttempts').map((call) => call.operation).sort()).toEqual(['BatchGetItem', 'DeleteItem', 'UpdateItem']);
  });

  it('a failed login: the read and the counter write, nothing else', async () => {
    const username = uniqueName();
    await api.register(username);

    const calls = await callsOf(() => api.request('POST', '/auth/login', { json: { username, password: 'not the password' } }), 401);

    expect(calls.total).toBe(2);
  });

  it('refresh: at most 2', async () => {
    const { tokens } = await api.newUser();
    const calls = await callsOf(() => api.request('POST', '/auth/refresh', { token: tokens.refresh }), 200);
    expect(calls.total).toBeLessThanOrEqual(2);
  });

  it('logout: the authorizer’s read and one write', async () => {
    const { tokens } = await api.newUser();
    const calls = await callsOf(() => api.request('POST', '/auth/logout', { token: tokens.access }), 204);
    expect(calls.total).toBe(2);
    expect(calls.onTable('revocations').map((call) => call.operation)).toEqual(['GetItem', 'PutItem']);
  });

  it('each to-do operation: the authorizer’s read and one', async () => {
    const { tokens } = await api.newUser();
    const create = await callsOf(() => api.request('POST', '/todos', { token: tokens.access, json: { title: 't' } }), 201);
    const list = await api.request('GET', '/todos', { token: tokens.access });
    const id = String((list.body.items as { id: string }[])[0]?.id);

    const counts = {
      create: create.total,
      list: (await callsOf(() => api.request('GET', '/todos', { token: tokens.access }), 200)).total,
      get: (await callsOf(() => api.request('GET', `/todos/${id}`, { token: tokens.access }), 200)).total,
      update: (await callsOf(() => api.request('PATCH', `/todos/${id}`, { token: tokens.access, json: { done: true } }), 200)).total,
      forbiddenDelete: (await callsOf(() => api.request('DELETE', `/todos/${id}`, { token: tokens.access }), 403)).total,
    };

    expect(counts).toEqual({ create: 2, list: 2, get: 2, update: 2, forbiddenDelete: 1 });
  });
});
