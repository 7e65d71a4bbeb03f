import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.ts';

/** What the local server does as API Gateway, and what the shared HTTP layer does for every function. */

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi();
});

afterAll(async () => {
  await api?.close();
});

describe('API Gateway semantics', () => {
  it('answers 401 {"message":"Unauthorized"} without a token, without invoking the authorizer', async () => {
    api.dynamo.reset();

    const response = await api.request('GET', '/todos');

    expect(response.status).toBe(401);
    expect(response.body).toEqual({ message: 'Unauthorized' });
    expect(api.dynamo.calls).toEqual([]);
  });

  it.each([
    ['a non-bearer scheme', 'Basic YWxpY2U6cGFzc3dvcmQ='],
    ['a garbage token', 'Bearer abc.def.ghi'],
    ['an empty bearer', 'Bearer '],
  ])('answers 401 for %s', async (_case, authorization) => {
    const response = await api.request('GET', '/auth/me', { headers: { authorization } });

    expect(response.status).toBe(401);
    expect(response.body).toEqual({ message: 'Unauthorized' });
  });

  it.each([
    ['GET', '/nope'],
    ['GET', '/todos/'],
    ['PUT', '/todos'],
    ['GET', '/auth/login'],
  ])('answers 404 {"message":"Not Found"} for %s %s', async (method, path) => {
    const response = await api.request(method, path);

    expect(response.status).toBe(404);
    expect(response.body).toEqual({ message: 'Not Found' });
  });
});

describe('request bodies', () => {
  it('answers 415 for a body without Content-Type: application/json', async () => {
    const response = await api.request('POST', '/auth/register', {
      body: JSON.stringify({ username: 'ctype', password: 'long enough pw' }),
      headers: { 'content-type': 'text/plain' },
    });

    expect(response.status).toBe(415);
    expect(response.body.error?.code).toBe('unsupported_media_type');
  });

  it('accepts application/json with parameters', async () => {
    const response = await api.request('POST', '/auth/register', {
      body: JSON.stringify({ username: 'cparam', password: 'long enough pw' }),
      headers: { 'content-type': 'Application/JSON; charset=UTF-8' },
    });

    expect(response.status).toBe(201);
  });

  it('answers 400 malformed_json for broken JSON, echoing none of it', async () => {
    const response = await api.request('POST', '/auth/login', {
      body: '{"username":"x","password":"hunter2-secret',
      headers: { 'content-type': 'application/json' },
    });

    expect(response.status).toBe(400);
    expect(response.body.error?.code).toBe('malformed_json');
    expect(response.text).not.toContain('hunter2');
  });

  it('answers 400 for a missing body and for a JSON body that is not an object', async () => {
    for (const body of [undefined, '[]', '"text"', 'null', '42']) {
      const response = await api.request('POST', '/auth/register', {
        ...(body !== undefined && { body }),
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
      });
      expect(response.status).toBe(400);
    }
  });

  it('answers 413 for a body over 16 KiB', async () => {
    const response = await api.request('POST', '/auth/register', {
      json: { username: 'big', password: 'x'.repeat(17 * 1024) },
    });

    expect(response.status).toBe(413);
    expect(response.body.error?.code).toBe('payload_too_large');
  });
});

describe('responses', () => {
  it('carry the security headers on success, client errors and gateway-forwarded function errors', async () => {
    const { tokens } = await api.newUser();
    const responses = [
      await api.request('GET', '/auth/me', { token: tokens.access }),
      await api.request('POST', '/todos', { token: tokens.access, json: {} }),
      await api.request('GET', '/todos/01ARZ3NDEKTSV4RRFFQ69G5FAV', { token: tokens.access }),
      await api.request('DELETE', '/todos/01ARZ3NDEKTSV4RRFFQ69G5FAV', { token: tokens.access }),
    ];

    expect(responses.map((response) => response.status)).toEqual([200, 400, 404, 403]);
    for (const response of responses) {
      expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.body.error === undefined || typeof response.body.error.message === 'string').toBe(true);
    }
  });
});

describe('when DynamoDB is unreachable', () => {
  it('never lets a request through: the authorizer fails and API Gateway answers 500', async () => {
    const { tokens } = await api.newUser('outage');
    api.dynamo.setReachable(false);
    try {
      const me = await api.request('GET', '/auth/me', { token: tokens.access });
      const register = await api.request('POST', '/auth/register', { json: { username: 'during-outage', password: 'long enough pw' } });

      expect(me.status).toBe(500);
      expect(me.body).toEqual({ message: 'Internal Server Error' });
      expect(register.status).toBe(500);
      expect(register.body).toEqual({ error: { code: 'internal_error', message: expect.any(String) } });
      expect(register.text).not.toMatch(/table|dynamo|ECONN|arn:/i);
    } finally {
      api.dynamo.setReachable(true);
    }
    expect((await api.request('GET', '/auth/me', { token: tokens.access })).status).toBe(200);
    expect((await api.request('POST', '/auth/login', { json: { username: 'during-outage', password: 'long enough pw' } })).status).toBe(401);
  });
});

describe('routes that take no body', () => {
  it('accept no body or an empty JSON object, and refuse anything else like any other body', async () => {
    const { tokens } = await api.newUser('nobody');
    const logoutWith = async (options: { body?: string; headers?: Record<string, string> }) => {
      const fresh = await api.login(String((await api.request('GET', '/auth/me', { token: tokens.access })).body.username));
      return api.request('POST', '/auth/logout', { token: fresh.access, ...options });
    };

    expect((await logoutWith({})).status).toBe(204);
    // Many clients send a Content-Type on every request: with no body it means nothing.
    expect((await logoutWith({ headers: { 'content-type': 'application/json' } })).status).toBe(204);
    expect((await logoutWith({ body: '{}', headers: { 'content-type': 'application/json' } })).status).toBe(204);
    expect((await logoutWith({ body: '{"everywhere":true}', headers: { 'content-type': 'application/json' } })).status).toBe(400);
    expect((await logoutWith({ body: 'hello', headers: { 'content-type': 'text/plain' } })).status).toBe(415);
    expect((await logoutWith({ body: '{"a":', headers: { 'content-type': 'application/json' } })).status).toBe(400);
    expect((await logoutWith({ body: 'x'.repeat(17 * 1024), headers: { 'content-type': 'application/json' } })).status).toBe(413);
  });
});
