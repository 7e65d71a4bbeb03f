import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedDynamoDb, type RunningDynamoDb } from '#infra/local/embedded-dynamodb';
import { startTestApi, type TestApi } from '../support/api.ts';

/**
 * The main flow once more on the embedded DynamoDB that `npm start` uses (dynalite), which differs from
 * DynamoDB Local: no transactions, no UpdateTimeToLive. The code must work on both.
 */

let dynamodb: RunningDynamoDb;
let api: TestApi;

beforeAll(async () => {
  dynamodb = await startEmbeddedDynamoDb();
  api = await startTestApi({ dynamoDbEndpoint: dynamodb.endpoint });
});

afterAll(async () => {
  await api?.close();
  await dynamodb?.close();
});

describe('the main flow on the embedded DynamoDB', () => {
  it('registers, logs in, manages to-dos, refreshes and logs out', async () => {
    const registered = await api.register('embedded-user');
    expect(registered.status).toBe(201);
    expect((await api.register('EMBEDDED-USER')).status).toBe(409);

    const tokens = await api.login('embedded-user');
    const created = await api.request('POST', '/todos', { token: tokens.access, json: { title: 'on dynalite' } });
    expect(created.status).toBe(201);
    const id = String(created.body.id);
    expect((await api.request('PATCH', `/todos/${id}`, { token: tokens.access, json: { done: true } })).body.done).toBe(true);
    const list = await api.request('GET', '/todos', { token: tokens.access });
    expect(list.body).toEqual({ items: [expect.objectContaining({ id, done: true })], nextCursor: null });

    const refreshed = await api.request('POST', '/auth/refresh', { token: tokens.refresh });
    expect(refreshed.status).toBe(200);
    expect((await api.request('POST', '/auth/refresh', { token: tokens.refresh })).status).toBe(401);
    // The replay revoked the session: the rotated pair is dead too.
    expect((await api.request('GET', '/todos', { token: String(refreshed.body.access_token) })).status).toBe(401);

    const again = await api.login('embedded-user');
    expect((await api.request('POST', '/auth/logout', { token: again.access })).status).toBe(204);
    expect((await api.request('GET', '/auth/me', { token: again.access })).status).toBe(401);
    expect((await api.request('POST', '/auth/refresh', { token: again.refresh })).status).toBe(401);
  });

  it('keeps one account per name under 20 concurrent registrations', async () => {
    const responses = await Promise.all(Array.from({ length: 20 }, () => api.register('embedded-race')));
    expect(responses.filter((response) => response.status === 201)).toHaveLength(1);
  });
});
