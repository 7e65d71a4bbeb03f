import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { ensureTables, localTableNames, tableEnvironment } from '#infra/local/tables';
import { functionLogicalId } from '#infra/stacks/api-function';
import { authorizer, listRoutes } from '#lib/routes';
import { at, synthesize, type Resource, type SynthesizedApp } from './synth.ts';

/**
 * The functions exactly as Lambda and `sam local` run them: the zipped asset directories of the cloud
 * assembly (index.mjs as esbuild bundled it), each started in a fresh Node process with nothing but
 * the environment the template declares, filled in the way `sam local invoke --env-vars` fills it,
 * and invoked with its sample event from events/.
 */

const run = promisify(execFile);
const JWT_SECRET = `bundle-test-${randomUUID()}-${randomUUID()}`;
const RESULT_MARKER = '@@invocation-result ';
const handlers = [authorizer.handler, ...listRoutes().map((route) => route.handler)];

/** Imports the bundle (cold start), optionally invokes it once, and prints the outcome on its own line. */
const RUNNER = `
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
const [bundle, eventFile] = process.argv.slice(1);
const report = (outcome) => { process.stdout.write('\\n${RESULT_MARKER}' + JSON.stringify(outcome) + '\\n'); process.exit(0); };
try {
  const { handler } = await import(pathToFileURL(bundle).href);
  if (!eventFile) report({ started: typeof handler === 'function' });
  const context = { awsRequestId: crypto.randomUUID(), functionName: process.env.AWS_LAMBDA_FUNCTION_NAME, getRemainingTimeInMillis: () => 10000 };
  report({ result: await handler(JSON.parse(readFileSync(eventFile, 'utf8')), context) });
} catch (error) {
  report({ error: { name: error?.name, message: error?.message } });
}
`;

interface Outcome {
  started?: boolean;
  result?: { statusCode?: number; body?: string; isAuthorized?: boolean; context?: Record<string, string> } & Record<string, unknown>;
  error?: { name: string; message: string };
}

interface BundledFunction {
  logicalId: string;
  entry: string;
  environment: Record<string, string>;
}

let app: SynthesizedApp;
let workDir: string;
const bundled = new Map<string, BundledFunction>();

beforeAll(async () => {
  app = synthesize({ samLocal: 'true' });
  workDir = mkdtempSync(join(tmpdir(), 'bundled-events-'));
  const endpoint = inject('dynamoDbEndpoint');
  const tableNames = localTableNames(`b${randomUUID().slice(0, 8)}-`);
  await ensureTables(endpoint, tableNames);

  // What sam-env.example.json's "Parameters" provide, with this run's values.
  const samParameters = JSON.parse(readFileSync(new URL('../../sam-env.example.json', import.meta.url), 'utf8')).Parameters as Record<string, string>;
  const values: Record<string, string> = { ...tableEnvironment(tableNames), DYNAMODB_ENDPOINT: endpoint, JWT_SECRET, JWT_SECRET_ARN: '' };
  const resources = app.api.toJSON().Resources as Record<string, Resource>;

  for (const handler of handlers) {
    const logicalId = functionLogicalId(handler);
    const fn = resources[logicalId];
    if (!fn) throw new Error(`No ${logicalId} in the template`);
    // The asset SAM and Lambda run: the Code property's asset directory in the cloud assembly.
    expect(fn.Metadata?.['aws:asset:property']).toBe('Code');
    const assetPath = String(fn.Metadata?.['aws:asset:path']);
    const declared = (at(fn.Properties, 'Environment', 'Variables') ?? {}) as Record<string, unknown>;
    const environment: Record<string, string> = {};
    for (const [name, templateValue] of Object.entries(declared)) {
      if (name in samParameters) {
        environment[name] = values[name] ?? samParameters[name] ?? '';
      } else if (typeof templateValue === 'string') {
        environment[name] = templateValue;
      } else {
        throw new Error(`${logicalId} declares ${name} from another stack, but sam-env.example.json does not provide it`);
      }
    }
    bundled.set(handler, { logicalId, entry: join(app.outdir, assetPath, String(fn.Properties.Handler).replace(/\.handler$/, '.mjs')), environment });
  }
}, 300_000);

async function invoke(handler: string, event?: unknown): Promise<Outcome> {
  const fn = bundled.get(handler);
  if (!fn) throw new Error(`no bundle for ${handler}`);
  const args = ['--input-type=module', '-e', RUNNER, fn.entry];
  if (event !== undefined) {
    const eventFile = join(workDir, `${randomUUID()}.json`);
    writeFileSync(eventFile, JSON.stringify(event));
    args.push(eventFile);
  }
  const { stdout } = await run(process.execPath, args, {
    // Only what Lambda itself sets, plus the function's declared variables.
    env: { PATH: process.env.PATH ?? '', AWS_REGION: 'us-east-1', AWS_LAMBDA_FUNCTION_NAME: fn.logicalId, ...fn.environment },
    timeout: 20_000,
  });
  const line = stdout.split('\n').find((candidate) => candidate.startsWith(RESULT_MARKER));
  if (!line) throw new Error(`${handler} printed no result:\n${stdout}`);
  return JSON.parse(line.slice(RESULT_MARKER.length)) as Outcome;
}

/** A sample event from events/, as far as these tests look into it. */
interface SampleEvent {
  routeKey?: string;
  headers?: Record<string, string>;
  identitySource?: string[];
  requestContext: { http?: Record<string, unknown>; [key: string]: unknown };
  [key: string]: unknown;
}

function sampleEvent(name: string): SampleEvent {
  return JSON.parse(readFileSync(new URL(`../../events/${name}.json`, import.meta.url), 'utf8')) as SampleEvent;
}

function withBody(event: SampleEvent, body: unknown): SampleEvent {
  return { ...event, body: JSON.stringify(body), isBase64Encoded: false };
}

function withPrincipal(event: SampleEvent, principal: Record<string, string>): SampleEvent {
  return { ...event, requestContext: { ...event.requestContext, authorizer: { lambda: principal } } };
}

function withBearer(event: SampleEvent, token: string): SampleEvent {
  const authorization = `Bearer ${token}`;
  return { ...event, headers: { ...event.headers, authorization }, ...(event.identitySource && { identitySource: [authorization] }) };
}

function withTodoId(event: SampleEvent, id: string): SampleEvent {
  return { ...event, rawPath: `/todos/${id}`, pathParameters: { id }, requestContext: { ...event.requestContext, http: { ...event.requestContext.http, path: `/todos/${id}` } } };
}

function statusOf(outcome: Outcome): number | undefined {
  if (outcome.error) throw new Error(`the function threw ${outcome.error.name}: ${outcome.error.message}`);
  return outcome.result?.statusCode;
}

interface ResponseBody {
  [key: string]: unknown;
  access_token?: string;
  refresh_token?: string;
  id?: string;
  items?: { id: string }[];
}

function bodyOf(outcome: Outcome): ResponseBody {
  return JSON.parse(outcome.result?.body ?? '{}') as ResponseBody;
}

describe('bundled functions (cdk.out assets, as SAM runs them)', () => {
  it('has a sample event for every route and for the authorizer', () => {
    for (const handler of handlers) expect(() => sampleEvent(handler), handler).not.toThrow();
    for (const route of listRoutes()) expect(sampleEvent(route.handler).routeKey, route.handler).toBe(route.key);
  });

  it.each(handlers)('%s starts with only the environment its template declares', async (handler) => {
    expect(await invoke(handler)).toEqual({ started: true });
  });

  describe('one user’s journey through every route', () => {
    const username = `bundle-${randomUUID().slice(0, 8)}`;
    const password = 'correct horse battery staple';
    let tokens: { access: string; refresh: string };
    let principal: Record<string, string>;
    let todoId: string;

    it('registers (201)', async () => {
      const outcome = await invoke('auth/register', withBody(sampleEvent('auth/register'), { username, password }));
      expect(statusOf(outcome)).toBe(201);
      expect(bodyOf(outcome)).toMatchObject({ username, role: 'user' });
    });

    it('logs in (200) and receives a token pair', async () => {
      const outcome = await invoke('auth/login', withBody(sampleEvent('auth/login'), { username, password }));
      expect(statusOf(outcome)).toBe(200);
      const body = bodyOf(outcome);
      tokens = { access: String(body.access_token), refresh: String(body.refresh_token) };
      expect(tokens.access).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    });

    it('is allowed by the authorizer with that access token, which passes on the principal', async () => {
      const outcome = await invoke('authorizer', withBearer(sampleEvent('authorizer'), tokens.access));
      expect(outcome.result?.isAuthorized).toBe(true);
      expect(outcome.result?.context).toMatchObject({ sub: username, role: 'user' });
      principal = outcome.result?.context ?? {};
    });

    it('is refused by the authorizer with a tampered token (throws Unauthorized)', async () => {
      const [header, payload, signature] = tokens.access.split('.') as [string, string, string];
      const tampered = `${header}.${payload}.${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`;
      expect(await invoke('authorizer', withBearer(sampleEvent('authorizer'), tampered))).toEqual({ error: { name: 'Error', message: 'Unauthorized' } });
    });

    it('reads /auth/me (200)', async () => {
      const outcome = await invoke('auth/me', withPrincipal(sampleEvent('auth/me'), principal));
      expect(statusOf(outcome)).toBe(200);
      expect(bodyOf(outcome)).toEqual({ username, role: 'user' });
    });

    it('creates (201), lists (200), reads (200) and updates (200) a to-do', async () => {
      const created = await invoke('todos/create', withPrincipal(withBody(sampleEvent('todos/create'), { title: 'Bundled' }), principal));
      expect(statusOf(created)).toBe(201);
      todoId = String(bodyOf(created).id);

      const listed = await invoke('todos/list', withPrincipal(sampleEvent('todos/list'), principal));
      expect(statusOf(listed)).toBe(200);
      expect(bodyOf(listed).items?.map((item) => item.id)).toEqual([todoId]);

      const read = await invoke('todos/get', withPrincipal(withTodoId(sampleEvent('todos/get'), todoId), principal));
      expect(statusOf(read)).toBe(200);

      const updated = await invoke('todos/update', withPrincipal(withTodoId(sampleEvent('todos/update'), todoId), principal));
      expect(statusOf(updated)).toBe(200);
      expect(bodyOf(updated)).toMatchObject({ id: todoId, done: true });
    });

    it('refuses DELETE to a user (403) and lets an admin delete (204)', async () => {
      const event = withTodoId(sampleEvent('todos/delete'), todoId);
      expect(statusOf(await invoke('todos/delete', withPrincipal(event, principal)))).toBe(403);
      expect(statusOf(await invoke('todos/delete', withPrincipal(event, { ...principal, role: 'admin' })))).toBe(204);
    });

    it('rotates the refresh token (200)', async () => {
      const outcome = await invoke('auth/refresh', withBearer(sampleEvent('auth/refresh'), tokens.refresh));
      expect(statusOf(outcome)).toBe(200);
      expect(bodyOf(outcome).refresh_token).not.toBe(tokens.refresh);
    });

    it('logs out (204), after which the authorizer refuses the access token', async () => {
      expect(statusOf(await invoke('auth/logout', withPrincipal(sampleEvent('auth/logout'), principal)))).toBe(204);
      expect(await invoke('authorizer', withBearer(sampleEvent('authorizer'), tokens.access))).toEqual({ error: { name: 'Error', message: 'Unauthorized' } });
    });
  });
});
