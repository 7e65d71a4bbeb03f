import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { APIGatewayRequestAuthorizerEventV2, Context } from 'aws-lambda';
import type { ApiEvent } from '#lib/http';
import { errorFields, logger } from '#lib/logger';
import type { ResolvedRoute } from '#lib/routes';

/**
 * API Gateway HTTP API semantics over node:http, so the functions run locally exactly as they are
 * invoked in the cloud: payload format 2.0 events, the Lambda authorizer run the way API Gateway runs it
 * (simple responses), API Gateway's own error bodies, and handler results mapped as it maps them.
 */

export type LambdaHandler<E> = (event: E, context: Context) => Promise<unknown>;

export interface ServedRoute {
  route: ResolvedRoute;
  handler: LambdaHandler<ApiEvent>;
}

export interface GatewayOptions {
  routes: readonly ServedRoute[];
  authorizer: LambdaHandler<APIGatewayRequestAuthorizerEventV2>;
}

/** API Gateway's payload limit; the functions enforce their own, much smaller one. */
const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;
/** API Gateway's integration timeout. */
const INTEGRATION_TIMEOUT_MS = 30_000;

interface GatewayResponse {
  status: number;
  headers: Record<string, string>;
  cookies?: string[];
  body?: Buffer;
}

const gatewayError = (status: number, message: string): GatewayResponse => ({
  status,
  headers: { 'content-type': 'application/json' },
  body: Buffer.from(JSON.stringify({ message })),
});

class PayloadTooLarge extends Error {}

interface CompiledRoute extends ServedRoute {
  pattern: RegExp;
  parameterNames: string[];
}

function compile(served: ServedRoute): CompiledRoute {
  const parameterNames: string[] = [];
  const source = served.route.path
    .replace(/[.*+?^$()|[\]\\]/g, '\\$&')
    .replace(/\{(\w+)\}/g, (_match, name: string) => {
      parameterNames.push(name);
      return '([^/]+)';
    });
  return { ...served, pattern: new RegExp(`^${source}$`), parameterNames };
}

export function createGateway(options: GatewayOptions) {
  const compiled = options.routes.map(compile);

  return async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let result: GatewayResponse;
    try {
      result = await route(request);
    } catch (error) {
      result = error instanceof PayloadTooLarge ? gatewayError(413, 'Request Entity Too Large') : gatewayError(500, 'Internal Server Error');
      if (!(error instanceof PayloadTooLarge)) logger.error('local gateway failure', errorFields(error));
    }
    send(response, result);
  };

  async function route(request: IncomingMessage): Promise<GatewayResponse> {
    const method = (request.method ?? 'GET').toUpperCase();
    const url = new URL(request.url ?? '/', 'http://localhost');
    const match = findRoute(method, url.pathname);
    const body = await readBody(request);
    if (!match) return gatewayError(404, 'Not Found');

    const requestId = randomUUID();
    const event = buildEvent(request, method, url, match, body, requestId);

    if (match.served.route.auth === 'access-token') {
      const decision = await authorize(event, requestId);
      if (decision.kind === 'deny') return decision.response;
      event.requestContext.authorizer = { lambda: decision.context };
    }
    return invoke(match.served, event, requestId);
  }

  function findRoute(method: string, path: string) {
    for (const served of compiled) {
      if (served.route.method !== method) continue;
      const found = served.pattern.exec(path);
      if (!found) continue;
      const pathParameters: Record<string, string> = {};
      served.parameterNames.forEach((name, index) => {
        const raw = found[index + 1] ?? '';
        pathParameters[name] = safeDecode(raw);
      });
      return { served, pathParameters };
    }
    return undefined;
  }

  async function authorize(
    event: ApiEvent,
    requestId: string,
  ): Promise<{ kind: 'allow'; context: Record<string, unknown> } | { kind: 'deny'; response: GatewayResponse }> {
    const identity = event.headers.authorization;
    // The identity source is missing: API Gateway answers 401 without invoking the authorizer.
    if (identity === undefined || identity === '') return { kind: 'deny', response: gatewayError(401, 'Unauthorized') };

    const authorizerEvent: APIGatewayRequestAuthorizerEventV2 = {
      version: '2.0',
      type: 'REQUEST',
      routeArn: `arn:aws:execute-api:local:000000000000:local/$default/${event.requestContext.http.method}${event.rawPath}`,
      identitySource: [identity],
      routeKey: event.routeKey,
      rawPath: event.rawPath,
      rawQueryString: event.rawQueryString,
      ...(event.cookies && { cookies: event.cookies }),
      headers: { ...event.headers },
      ...(event.queryStringParameters && { queryStringParameters: { ...event.queryStringParameters } }),
      requestContext: event.requestContext,
      ...(event.pathParameters && { pathParameters: { ...event.pathParameters } }),
      stageVariables: {},
    } as APIGatewayRequestAuthorizerEventV2;

    let result: unknown;
    try {
      result = await withTimeout(options.authorizer(authorizerEvent, lambdaContext('authorizer', requestId)));
    } catch (error) {
      if (error instanceof Error && error.message === 'Unauthorized') return { kind: 'deny', response: gatewayError(401, 'Unauthorized') };
      logger.error('authorizer failed', { requestId, ...errorFields(error) });
      return { kind: 'deny', response: gatewayError(500, 'Internal Server Error') };
    }
    if (typeof result !== 'object' || result === null || typeof (result as { isAuthorized?: unknown }).isAuthorized !== 'boolean') {
      return { kind: 'deny', response: gatewayError(500, 'Internal Server Error') };
    }
    const { isAuthorized, context } = result as { isAuthorized: boolean; context?: unknown };
    if (!isAuthorized) return { kind: 'deny', response: gatewayError(403, 'Forbidden') };
    return { kind: 'allow', context: typeof context === 'object' && context !== null ? { ...context } : {} };
  }

  async function invoke(served: CompiledRoute, event: ApiEvent, requestId: string): Promise<GatewayResponse> {
    let result: unknown;
    try {
      result = await withTimeout(served.handler(event, lambdaContext(served.route.handler, requestId)));
    } catch (error) {
      logger.error('function failed', { requestId, route: event.routeKey, ...errorFields(error) });
      return gatewayError(500, 'Internal Server Error');
    }
    return mapResult(result);
  }
}

/** Payload 2.0 response mapping: a `statusCode` means a full response; anything else is a 200 JSON body. */
function mapResult(result: unknown): GatewayResponse {
  if (typeof result === 'object' && result !== null && 'statusCode' in result) {
    const { statusCode, headers, cookies, body, isBase64Encoded } = result as {
      statusCode: unknown;
      headers?: Record<string, unknown>;
      cookies?: unknown;
      body?: unknown;
      isBase64Encoded?: unknown;
    };
    if (typeof statusCode !== 'number' || !Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) {
      return gatewayError(500, 'Internal Server Error');
    }
    const responseHeaders: Record<string, string> = {};
    for (const [name, value] of Object.entries(headers ?? {})) responseHeaders[name.toLowerCase()] = String(value);
    return {
      status: statusCode,
      headers: responseHeaders,
      ...(Array.isArray(cookies) && { cookies: cookies.map(String) }),
      ...(typeof body === 'string' && { body: Buffer.from(body, isBase64Encoded === true ? 'base64' : 'utf8') }),
    };
  }
  const body = typeof result === 'string' ? result : JSON.stringify(result ?? null);
  return { status: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(body) };
}

function buildEvent(
  request: IncomingMessage,
  method: string,
  url: URL,
  match: { served: ServedRoute; pathParameters: Record<string, string> },
  body: Buffer,
  requestId: string,
): ApiEvent {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined || name === 'cookie') continue;
    headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const cookies = (Array.isArray(request.headers.cookie) ? request.headers.cookie.join('; ') : request.headers.cookie)
    ?.split(';')
    .map((cookie) => cookie.trim())
    .filter(Boolean);

  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) query[name] = name in query ? `${query[name]},${value}` : value;

  const contentType = headers['content-type'] ?? '';
  const isText = body.byteLength === 0 || /^(text\/|application\/(.+\+)?(json|xml|x-www-form-urlencoded|javascript))/i.test(contentType);
  const now = new Date();
  const routeKey = match.served.route.key;

  return {
    version: '2.0',
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    ...(cookies && cookies.length > 0 && { cookies }),
    headers,
    ...(Object.keys(query).length > 0 && { queryStringParameters: query }),
    ...(Object.keys(match.pathParameters).length > 0 && { pathParameters: match.pathParameters }),
    ...(body.byteLength > 0 && { body: isText ? body.toString('utf8') : body.toString('base64') }),
    isBase64Encoded: !isText,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: (headers.host ?? 'localhost').split('.')[0] ?? 'localhost',
      http: {
        method,
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        // The socket's address, as API Gateway uses the connection's; X-Forwarded-For is only a header.
        sourceIp: request.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
  };
}

function lambdaContext(functionName: string, requestId: string): Context {
  const deadline = Date.now() + INTEGRATION_TIMEOUT_MS;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

function withTimeout<T>(promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('Integration timed out')), INTEGRATION_TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.byteLength;
    if (size > MAX_PAYLOAD_BYTES) throw new PayloadTooLarge();
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

function send(response: ServerResponse, result: GatewayResponse): void {
  const headers: Record<string, string | string[]> = { ...result.headers };
  if (result.cookies && result.cookies.length > 0) headers['set-cookie'] = result.cookies;
  if (result.body !== undefined) headers['content-length'] = String(result.body.byteLength);
  response.writeHead(result.status, headers);
  response.end(result.body);
}
