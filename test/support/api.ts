import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { inject } from 'vitest';
import { startLocalApi, type LocalApi } from '#infra/local/start';
import { tableEnvironment } from '#infra/local/tables';
import { startCountingProxy, type CountingProxy } from './counting-proxy.ts';
import { requestJson, type ApiResponse, type RequestOptions } from './http-client.ts';

export type { ApiResponse, Body, RequestOptions } from './http-client.ts';

export const TEST_JWT_SECRET = 'test-secret-that-is-at-least-32-bytes-long!!';

export interface Tokens {
  access: string;
  refresh: string;
}

export interface TestApi {
  url: string;
  local: LocalApi;
  /** Every DynamoDB call the functions made, through a counting hop in front of the real server. */
  dynamo: CountingProxy;
  request(method: string, path: string, options?: RequestOptions): Promise<ApiResponse>;
  register(username: string, password?: string): Promise<ApiResponse>;
  login(username: string, password?: string): Promise<Tokens>;
  /** Registers a fresh user with a unique name and logs in. */
  newUser(prefix?: string): Promise<{ username: string; password: string; tokens: Tokens }>;
  /** Runs the real admin command (`npm run admin -- …`) against this API's tables. */
  admin(args: string[]): Promise<{ stdout: string; stderr: string }>;
  close(): Promise<void>;
}

export const DEFAULT_PASSWORD = 'correct horse battery staple';

export function uniqueName(prefix = 'user'): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/**
 * Starts the local API (the real handlers behind the API Gateway emulation) for one test file, on the
 * run's DynamoDB (DynamoDB Local unless Java is missing) with tables of its own.
 */
export async function startTestApi(options: { dynamoDbEndpoint?: string; environment?: Record<string, string> } = {}): Promise<TestApi> {
  const dynamo = await startCountingProxy(options.dynamoDbEndpoint ?? inject('dynamoDbEndpoint'));
  const local = await startLocalApi({
    dynamoDbEndpoint: dynamo.endpoint,
    jwtSecret: TEST_JWT_SECRET,
    tablePrefix: `t${randomUUID().slice(0, 8)}-`,
    // A low bcrypt cost keeps the suite fast; the cost itself is covered by the password unit tests.
    environment: { BCRYPT_COST: '6', LOG_LEVEL: 'error', ...options.environment },
  });

  const request = (method: string, path: string, requestOptions: RequestOptions = {}): Promise<ApiResponse> =>
    requestJson(local.url, method, path, requestOptions);

  async function register(username: string, password = DEFAULT_PASSWORD) {
    return request('POST', '/auth/register', { json: { username, password } });
  }

  async function login(username: string, password = DEFAULT_PASSWORD): Promise<Tokens> {
    const response = await request('POST', '/auth/login', { json: { username, password } });
    if (response.status !== 200) throw new Error(`login failed with ${response.status}: ${response.text}`);
    return { access: String(response.body.access_token), refresh: String(response.body.refresh_token) };
  }

  return {
    url: local.url,
    local,
    dynamo,
    request,
    register,
    login,
    async newUser(prefix = 'user') {
      const username = uniqueName(prefix);
      const registered = await register(username);
      if (registered.status !== 201) throw new Error(`register failed with ${registered.status}: ${registered.text}`);
      return { username, password: DEFAULT_PASSWORD, tokens: await login(username) };
    },
    admin: (args) =>
      promisify(execFile)(process.execPath, ['--import', 'tsx', 'infra/admin.ts', ...args], {
        env: { ...process.env, DYNAMODB_ENDPOINT: dynamo.endpoint, ...tableEnvironment(local.tableNames) },
      }),
    async close() {
      await local.close();
      await dynamo.close();
    },
  };
}
