import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, uniqueName, type TestApi } from '../support/api.ts';
import type { DynamoDbCall } from '../support/counting-proxy.ts';

/**
 * A write applied by DynamoDB whose answer is lost on the way back (a reset connection, a timeout):
 * the SDK retries it, and a conditional write's retry then fails its condition although the operation
 * succeeded. Produced for real by the DynamoDB hop, which forwards the write and drops the answer.
 * The client must see the success, not a conflict, a lockout or a revoked session.
 */

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi();
});

afterAll(async () => {
  await api?.close();
});

const writeTo = (operation: string, table: keyof TestApi['local']['tableNames']) => (call: DynamoDbCall) =>
  call.operation === operation && call.tables.includes(api.local.tableNames[table]);

describe('when DynamoDB applied a conditional write but its answer was lost', () => {
  it('a refresh still succeeds and does not revoke the session as a reuse', async () => {
    const { tokens } = await api.newUser();
    api.dynamo.loseAnswerOnce(writeTo('UpdateItem', 'sessions'));

    const refreshed = await api.request('POST', '/auth/refresh', { token: tokens.refresh });

    expect(api.dynamo.lostAnswers.map((call) => call.operation)).toContain('UpdateItem');
    expect(refreshed.status).toBe(200);
    expect((await api.request('GET', '/auth/me', { token: String(refreshed.body.access_token) })).status).toBe(200);
    expect((await api.request('POST', '/auth/refresh', { token: String(refreshed.body.refresh_token) })).status).toBe(200);
  });

  it('a login still succeeds instead of answering 429', async () => {
    const { username } = await api.newUser();
    api.dynamo.loseAnswerOnce(writeTo('UpdateItem', 'loginAttempts'));

    const login = await api.request('POST', '/auth/login', { json: { username, password: 'correct horse battery staple' } });

    expect(login.status).toBe(200);
  });

  it('a registration still answers 201, not 409 for the user’s own name', async () => {
    const username = uniqueName('lost');
    api.dynamo.loseAnswerOnce(writeTo('PutItem', 'users'));

    const registered = await api.register(username);

    expect(registered.status).toBe(201);
    expect((await api.register(username)).status).toBe(409);
  });

  it('creating a to-do still answers 201, and exactly one exists', async () => {
    const { tokens } = await api.newUser();
    api.dynamo.loseAnswerOnce(writeTo('PutItem', 'todos'));

    const created = await api.request('POST', '/todos', { token: tokens.access, json: { title: 'once' } });

    expect(created.status).toBe(201);
    const list = await api.request('GET', '/todos', { token: tokens.access });
    expect(list.body.items).toEqual([created.body]);
  });
});

describe('when the login’s session write was applied but its answer was lost', () => {
  it('the login still succeeds with a working session', async () => {
    const { username } = await api.newUser();
    api.dynamo.loseAnswerOnce(writeTo('PutItem', 'sessions'));

    const login = await api.request('POST', '/auth/login', { json: { username, password: 'correct horse battery staple' } });

    expect(api.dynamo.lostAnswers.at(-1)?.operation).toBe('PutItem');
    expect(login.status).toBe(200);
    expect((await api.request('POST', '/auth/refresh', { token: String(login.body.refresh_token) })).status).toBe(200);
  });
});
