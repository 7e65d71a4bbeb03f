/**
 * Figures that need the whole API running (`node --import tsx bench/api-figures.ts MODE SAMPLES`), the
 * API in this process on the embedded DynamoDB. Prints one JSON line.
 * - `round-trips`: DynamoDB calls per route, counted by a hop between the functions and DynamoDB;
 * - `timings`: login time against one bcrypt comparison, unknown-user against wrong-password login
 *   time, and local-server throughput with the load from another process (no counting hop in the way).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import bcrypt from 'bcryptjs';
import { startEmbeddedDynamoDb } from '#infra/local/embedded-dynamodb';
import { startLocalApi } from '#infra/local/start';
import { startCountingProxy, type CountingProxy } from '../test/support/counting-proxy.ts';
import { requestJson, type RequestOptions } from '../test/support/http-client.ts';

const BCRYPT_COST = 10;
const MODE = process.argv[2] === 'round-trips' ? 'round-trips' : 'timings';
const SAMPLES = Number(process.argv[3] ?? 15);
const PASSWORD = 'correct horse battery staple';

const dynamodb = await startEmbeddedDynamoDb();
const proxy = MODE === 'round-trips' ? await startCountingProxy(dynamodb.endpoint) : undefined;
const api = await startLocalApi({
  dynamoDbEndpoint: proxy?.endpoint ?? dynamodb.endpoint,
  jwtSecret: 'bench-secret-that-is-at-least-32-bytes-long',
  tablePrefix: 'bench-',
  // Lockout is not what is measured here: let the wrong-password samples through.
  environment: { BCRYPT_COST: String(BCRYPT_COST), LOG_LEVEL: 'silent', LOGIN_FREE_FAILURES: '1000' },
});

const call = (method: string, path: string, options: RequestOptions = {}) => requestJson(api.url, method, path, options);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

/** Times one request, and refuses to report a figure for a request that did not answer as it should. */
async function timed(action: () => Promise<{ status: number }>, expectedStatus?: number): Promise<number> {
  const started = performance.now();
  const { status } = await action();
  const elapsed = performance.now() - started;
  if (expectedStatus !== undefined && status !== expectedStatus) throw new Error(`expected ${expectedStatus}, got ${status}`);
  return elapsed;
}

await call('POST', '/auth/register', { json: { username: 'bench-user', password: PASSWORD } });
const login = async () => call('POST', '/auth/login', { json: { username: 'bench-user', password: PASSWORD } });
const tokens = (await login()).body;
const access = String(tokens.access_token);

async function measureRoundTrips(counter: CountingProxy): Promise<Record<string, number>> {
  const roundTrips: Record<string, number> = {};
  async function count(label: string, action: () => Promise<{ status: number }>) {
    counter.reset();
    const { status } = await action();
    if (status >= 400) throw new Error(`${label} answered ${status}`);
    roundTrips[label] = counter.calls.length;
  }
  await count('authorizer (GET /auth/me)', () => call('GET', '/auth/me', { token: access }));
  await count('POST /auth/register', () => call('POST', '/auth/register', { json: { username: 'bench-other', password: PASSWORD } }));
  await count('POST /auth/login', login);
  const second = (await login()).body;
  await count('POST /auth/refresh', () => call('POST', '/auth/refresh', { token: String(second.refresh_token) }));
  await count('POST /todos', () => call('POST', '/todos', { token: access, json: { title: 'bench' } }));
  const list = await call('GET', '/todos', { token: access });
  const id = String((list.body.items as { id: string }[])[0]?.id);
  await count('GET /todos', () => call('GET', '/todos', { token: access }));
  await count('GET /todos/{id}', () => call('GET', `/todos/${id}`, { token: access }));
  await count('PATCH /todos/{id}', () => call('PATCH', `/todos/${id}`, { token: access, json: { done: true } }));
  const third = (await login()).body;
  await count('POST /auth/logout', () => call('POST', '/auth/logout', { token: String(third.access_token) }));
  // Functions behind the authorizer: subtract its one read to report the function's own.
  for (const label of ['POST /todos', 'GET /todos', 'GET /todos/{id}', 'PATCH /todos/{id}', 'POST /auth/logout']) {
    roundTrips[label] = (roundTrips[label] ?? 0) - 1;
  }
  return roundTrips;
}

async function measureTimings() {
  // Login against one bcrypt comparison at the same cost, interleaved so noise hits both.
  const hash = await bcrypt.hash('some password', BCRYPT_COST);
  const loginMs: number[] = [];
  const bcryptMs: number[] = [];
  const unknownMs: number[] = [];
  const wrongMs: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    loginMs.push(await timed(login, 200));
    bcryptMs.push(await timed(async () => ({ status: (await bcrypt.compare('some password', hash)) ? 200 : 401 }), 200));
    unknownMs.push(await timed(() => call('POST', '/auth/login', { json: { username: `nobody-${i}`, password: PASSWORD } }), 401));
    wrongMs.push(await timed(() => call('POST', '/auth/login', { json: { username: 'bench-user', password: 'wrong password!' } }), 401));
  }

  // Throughput of authenticated GET /todos, load from another process.
  for (let i = 0; i < 9; i++) await call('POST', '/todos', { token: access, json: { title: `item ${i}` } });
  const concurrency = 16;
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'bench/load.ts', `${api.url}/todos`, access, String(concurrency), '5']);
  const load = JSON.parse(stdout) as { rps: number; failed: number };

  return {
    login: {
      samples: SAMPLES,
      bcryptCost: BCRYPT_COST,
      ms: round(median(loginMs)),
      bcryptMs: round(median(bcryptMs)),
      ratioToBcrypt: round(median(loginMs) / median(bcryptMs), 2),
      unknownUserMs: round(median(unknownMs)),
      wrongPasswordMs: round(median(wrongMs)),
      unknownToKnown: round(median(unknownMs) / median(wrongMs), 2),
    },
    localServer: { rps: load.rps, concurrency, failed: load.failed, route: 'GET /todos (10 items)', dynamodb: 'embedded (dynalite)' },
  };
}

const result = proxy ? { roundTrips: await measureRoundTrips(proxy) } : await measureTimings();
await api.close();
await proxy?.close();
await dynamodb.close();
process.stdout.write(`${JSON.stringify(result)}\n`);
