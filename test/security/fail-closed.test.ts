import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PASSWORD, startTestApi, uniqueName, type ApiResponse, type TestApi, type Tokens } from '../support/api.ts';
import type { DynamoDbCall } from '../support/counting-proxy.ts';
import { expectGatewayUnauthorized, expectNoLeak, expectSecurityHeaders, setRole } from '../support/security.ts';

/**
 * Fail closed (ASVS 5.0 V16.5, OWASP API8:2023): when DynamoDB is unreachable, in whole or for one
 * operation, nothing is allowed that would not be allowed otherwise, clients get a generic 5xx, and
 * once DynamoDB is back the data shows no half-done operation.
 */

let api: TestApi;
let admin: Tokens;

beforeAll(async () => {
  api = await startTestApi();
  const boss = await api.newUser('boss');
  await setRole(api, boss.username, 'admin');
  admin = await api.login(boss.username);
});

afterEach(() => {
  api.dynamo.setReachable(true);
  api.dynamo.failWhen(undefined);
});

afterAll(async () => {
  await api?.close();
});

async function duringOutage<T>(action: () => Promise<T>): Promise<T> {
  api.dynamo.setReachable(false);
  try {
    return await action();
  } finally {
    api.dynamo.setReachable(true);
  }
}

async function duringFault<T>(predicate: (call: DynamoDbCall) => boolean, action: () => Promise<T>): Promise<T> {
  api.dynamo.failWhen(predicate);
  try {
    const result = await action();
    expect(api.dynamo.failed.length, 'the simulated fault was hit').toBeGreaterThan(0);
    return result;
  } finally {
    api.dynamo.failWhen(undefined);
  }
}

const on = (operation: string, table: () => string) => (call: DynamoDbCall) => call.operation === operation && call.tables.includes(table());

function expectGatewayInternalError(response: ApiResponse): void {
  expect(response.status).toBe(500);
  expect(response.body).toEqual({ message: 'Internal Server Error' });
}

function expectGenericFunctionError(response: ApiResponse): void {
  expect(response.status).toBe(500);
  expect(response.body).toEqual({ error: { code: 'internal_error', message: expect.any(String) } });
  expect(response.body.access_token).toBeUndefined();
  expectSecurityHeaders(response);
  expectNoLeak(api, response);
}

async function todoOf(tokens: Tokens, title = 'keep me'): Promise<string> {
  const created = await api.request('POST', '/todos', { token: tokens.access, json: { title } });
  expect(created.status).toBe(201);
  return String(created.body.id);
}

const list = async (tokens: Tokens) => (await api.request('GET', '/todos', { token: tokens.access })).body.items;

describe('DynamoDB entirely unreachable: the authorizer never allows', () => {
  it.each([
    { route: 'GET /auth/me', method: 'GET', path: () => '/auth/me' },
    { route: 'GET /todos', method: 'GET', path: () => '/todos' },
    { route: 'POST /todos', method: 'POST', path: () => '/todos', json: { title: 'during outage' } },
    { route: 'GET /todos/{id}', method: 'GET', path: (id: string) => `/todos/${id}` },
    { route: 'PATCH /todos/{id}', method: 'PATCH', path: (id: string) => `/todos/${id}`, json: { title: 'changed during outage' } },
    { route: 'DELETE /todos/{id} (admin)', method: 'DELETE', path: (id: string) => `/todos/${id}`, asAdmin: true },
    { route: 'POST /auth/logout', method: 'POST', path: () => '/auth/logout' },
  ])('$route: API Gateway 500, and nothing changed once DynamoDB is back', async ({ method, path, json, asAdmin }) => {
    const { tokens } = await api.newUser('outage');
    const id = await todoOf(tokens);
    const before = await list(tokens);

    const response = await duringOutage(() => api.request(method, path(id), { token: (asAdmin ? admin : tokens).access, ...(json && { json }) }));

    expectGatewayInternalError(response);
    expect(await list(tokens)).toEqual(before);
    expect((await api.request('GET', '/auth/me', { token: tokens.access })).status).toBe(200);
  });

  it('still rejects a bad token with 401 (token checks come before any read)', async () => {
    const response = await duringOutage(() => api.request('GET', '/auth/me', { token: 'a.b.c' }));

    expectGatewayUnauthorized(response);
  });
});

describe('DynamoDB entirely unreachable: functions answer a generic 500 and write nothing', () => {
  it('register: no account is left behind', async () => {
    const username = uniqueName('reg');

    const response = await duringOutage(() => api.register(username));

    expectGenericFunctionError(response);
    expect((await api.request('POST', '/auth/login', { json: { username, password: DEFAULT_PASSWORD } })).status).toBe(401);
    expect((await api.register(username)).status).toBe(201);
  });

  it('login: no token, and the attempt counts against nothing', async () => {
    const username = uniqueName('login');
    await api.register(username);

    const responses = await duringOutage(async () => {
      const answers: ApiResponse[] = [];
      for (let i = 0; i < 6; i++) answers.push(await api.request('POST', '/auth/login', { json: { username, password: 'wrong password!' } }));
      return answers;
    });

    for (const response of responses) expectGenericFunctionError(response);
    expect((await api.request('POST', '/auth/login', { json: { username, password: DEFAULT_PASSWORD } })).status).toBe(200);
  });

  it('refresh: the refresh token is not consumed and the session is not revoked', async () => {
    const { tokens } = await api.newUser('refresh');

    const response = await duringOutage(() => api.request('POST', '/auth/refresh', { token: tokens.refresh }));

    expectGenericFunctionError(response);
    const retried = await api.request('POST', '/auth/refresh', { token: tokens.refresh });
    expect(retried.status).toBe(200);
    expect((await api.request('GET', '/auth/me', { token: String(retried.body.access_token) })).status).toBe(200);
  });
});

describe('one DynamoDB operation failing: no half-done operation', () => {
  it('authorizer: a failed revocation read is a 500, never "not revoked"', async () => {
    const { tokens } = await api.newUser('revread');

    const response = await duringFault(on('GetItem', () => api.local.tableNames.revocations), () =>
      api.request('GET', '/todos', { token: tokens.access }),
    );

    expectGatewayInternalError(response);
  });

  it('create: the to-do write fails, nothing is listed afterwards', async () => {
    const { tokens } = await api.newUser('create');

    const response = await duringFault(on('PutItem', () => api.local.tableNames.todos), () =>
      api.request('POST', '/todos', { token: tokens.access, json: { title: 'lost' } }),
    );

    expectGenericFunctionError(response);
    expect(response.headers.get('location')).toBeNull();
    expect(await list(tokens)).toEqual([]);
  });

  it('update: the to-do is unchanged', async () => {
    const { tokens } = await api.newUser('update');
    const id = await todoOf(tokens);
    const before = await list(tokens);

    const response = await duringFault(on('UpdateItem', () => api.local.tableNames.todos), () =>
      api.request('PATCH', `/todos/${id}`, { token: tokens.access, json: { title: 'half', done: true } }),
    );

    expectGenericFunctionError(response);
    expect(await list(tokens)).toEqual(before);
  });

  it('delete (admin): the to-do is still there', async () => {
    const { tokens } = await api.newUser('delete');
    const id = await todoOf(tokens);

    const response = await duringFault(on('DeleteItem', () => api.local.tableNames.todos), () =>
      api.request('DELETE', `/todos/${id}`, { token: admin.access }),
    );

    expectGenericFunctionError(response);
    expect((await api.request('GET', `/todos/${id}`, { token: tokens.access })).status).toBe(200);
  });

  it('register: the account write fails, no account exists', async () => {
    const username = uniqueName('regfault');

    const response = await duringFault(on('PutItem', () => api.local.tableNames.users), () => api.register(username));

    expectGenericFunctionError(response);
    expect((await api.request('POST', '/auth/login', { json: { username, password: DEFAULT_PASSWORD } })).status).toBe(401);
  });

  it('login: the session write fails, so no token is handed out and none would work', async () => {
    const username = uniqueName('sessfault');
    await api.register(username);

    const response = await duringFault(on('PutItem', () => api.local.tableNames.sessions), () =>
      api.request('POST', '/auth/login', { json: { username, password: DEFAULT_PASSWORD } }),
    );

    expectGenericFunctionError(response);
    expect((await api.request('POST', '/auth/login', { json: { username, password: DEFAULT_PASSWORD } })).status).toBe(200);
  });

  it('login: when the attempt cannot be counted, no tokens are issued even for the right password', async () => {
    const username = uniqueName('ctrfault');
    await api.register(username);

    const response = await duringFault(on('UpdateItem', () => api.local.tableNames.loginAttempts), () =>
      api.request('POST', '/auth/login', { json: { username, password: DEFAULT_PASSWORD } }),
    );

    expectGenericFunctionError(response);
    expect(response.text).not.toContain('access_token');
  });

  it('refresh: the rotation write fails, the old refresh token stays the current one', async () => {
    const { tokens } = await api.newUser('rotfault');

    const response = await duringFault(on('UpdateItem', () => api.local.tableNames.sessions), () =>
      api.request('POST', '/auth/refresh', { token: tokens.refresh }),
    );

    expectGenericFunctionError(response);
    expect((await api.request('GET', '/auth/me', { token: tokens.access })).status).toBe(200);
    const retried = await api.request('POST', '/auth/refresh', { token: tokens.refresh });
    expect(retried.status).toBe(200);
    expect((await api.request('POST', '/auth/refresh', { token: tokens.refresh })).status).toBe(401);
  });

  it('refresh replay: if the session cannot be revoked the replay still gets no tokens, and the next replay revokes it', async () => {
    const { tokens } = await api.newUser('reusefault');
    const rotated = await api.request('POST', '/auth/refresh', { token: tokens.refresh });
    expect(rotated.status).toBe(200);

    const replay = await duringFault(on('PutItem', () => api.local.tableNames.revocations), () =>
      api.request('POST', '/auth/refresh', { token: tokens.refresh }),
    );

    expectGenericFunctionError(replay);
    expect((await api.request('POST', '/auth/refresh', { token: tokens.refresh })).status).toBe(401);
    expectGatewayUnauthorized(await api.request('GET', '/auth/me', { token: String(rotated.body.access_token) }));
  });

  it('logout: a failed blocklist write leaves the session fully alive (client saw 5xx), and a retry logs out', async () => {
    const { tokens } = await api.newUser('logoutfault');

    const response = await duringFault(on('PutItem', () => api.local.tableNames.revocations), () =>
      api.request('POST', '/auth/logout', { token: tokens.access }),
    );

    expectGenericFunctionError(response);
    expect((await api.request('GET', '/auth/me', { token: tokens.access })).status).toBe(200);
    const retry = await api.request('POST', '/auth/logout', { token: tokens.access });
    expect(retry.status).toBe(204);
    expectGatewayUnauthorized(await api.request('GET', '/auth/me', { token: tokens.access }));
    expect((await api.request('POST', '/auth/refresh', { token: tokens.refresh })).status).toBe(401);
  });
});
