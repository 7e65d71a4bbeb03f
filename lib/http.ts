import middy, { type MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type * as z from 'zod/mini';
import {
  ApiError,
  ForbiddenError,
  InvalidTokenError,
  MalformedJsonError,
  NotFoundError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '#lib/errors';
import { errorFields, logger } from '#lib/logger';
import { routes, type Role, type RouteKey } from '#lib/routes';
import { USERNAME_PATTERN } from '#lib/usernames';
import { parseOrThrow, type Schema } from '#lib/validation';

/**
 * The HTTP layer every function shares: parses and checks the request (body, principal, role) inside
 * the error handling, so bad input is always a clean 4xx; maps typed errors to the contract's error body in
 * one place; puts the security headers on every response, errors included; writes one access-log line
 * per request with no body, header or token in it.
 */

export const MAX_BODY_BYTES = 16 * 1024;

/** What the Lambda authorizer hands to functions (all strings, as API Gateway passes them). */
export interface AuthorizerContext {
  sub: string;
  role: Role;
  sid: string;
  jti: string;
}

export type ApiEvent = APIGatewayProxyEventV2 & {
  requestContext: APIGatewayProxyEventV2['requestContext'] & { authorizer?: { lambda?: Record<string, unknown> } };
};
export type ApiResult = APIGatewayProxyStructuredResultV2;

export interface Principal {
  username: string;
  role: Role;
  sid: string;
  jti: string;
}

export interface HttpResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export function json(status: number, body: unknown, headers?: Record<string, string>): HttpResponse {
  return { status, body, ...(headers && { headers }) };
}

export function noContent(): HttpResponse {
  return { status: 204 };
}

type PrincipalFor<K extends RouteKey> = (typeof routes)[K]['auth'] extends 'access-token' ? Principal : undefined;
type BodyFor<S> = S extends Schema ? z.infer<S> : undefined;

export interface ApiRequest<K extends RouteKey, B> {
  body: B;
  principal: PrincipalFor<K>;
  headers: Readonly<Record<string, string | undefined>>;
  query: Readonly<Record<string, string | undefined>>;
  /** A path parameter; absent means the route cannot match, which is a 404. */
  pathParameter(name: string): string;
  sourceIp: string;
  requestId: string;
}

export interface EndpointSpec<K extends RouteKey, S extends Schema | undefined> {
  route: K;
  body?: S;
}

const securityHeaders: Readonly<Record<string, string>> = {
  'content-type': 'application/json; charset=utf-8',
  // Private data and credentials: no browser, proxy or CDN may keep a copy.
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'strict-transport-security': 'max-age=63072000; includeSubDomains',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

export function toResult(response: HttpResponse): ApiResult {
  const headers = { ...securityHeaders, ...response.headers };
  if (response.body === undefined) {
    const { 'content-type': _omitted, ...withoutType } = headers;
    return { statusCode: response.status, headers: withoutType };
  }
  return { statusCode: response.status, headers, body: JSON.stringify(response.body) };
}

function errorResult(error: ApiError): ApiResult {
  return toResult({
    status: error.status,
    body: { error: { code: error.code, message: error.message, ...(error.details && { details: error.details }) } },
    ...(error.headers && { headers: { ...error.headers } }),
  });
}

const internalErrorResult = (): ApiResult =>
  toResult({ status: 500, body: { error: { code: 'internal_error', message: 'Something went wrong on our side' } } });

/** Typed errors become their response; anything else a generic 500 that reveals nothing. */
function errorResponses(): MiddlewareObj<ApiEvent, ApiResult, Error, Context> {
  return {
    onError: (request) => {
      const { error } = request;
      if (error instanceof ApiError) {
        request.response = errorResult(error);
        return;
      }
      logger.error('unhandled error', { requestId: request.context.awsRequestId, route: request.event.routeKey, ...errorFields(error) });
      request.response = internalErrorResult();
    },
  };
}

/** One line per request: route, status, latency. Never the body, headers, query or tokens. */
function accessLog(): MiddlewareObj<ApiEvent, ApiResult, Error, Context> {
  const startedAt = new WeakMap<object, number>();
  const log = (request: { event: ApiEvent; context: Context; response?: ApiResult | undefined | null }) => {
    const started = startedAt.get(request.event) ?? performance.now();
    const status = request.response?.statusCode ?? 500;
    logger.info('request', {
      requestId: request.context.awsRequestId,
      route: request.event.routeKey,
      status,
      ms: Math.round((performance.now() - started) * 10) / 10,
    });
  };
  return {
    before: (request) => {
      startedAt.set(request.event, performance.now());
    },
    after: log,
    onError: log,
  };
}

/** `fatal` rejects invalid UTF-8 instead of silently turning it into U+FFFD. Created once, reused per request. */
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function isJsonContentType(value: string | undefined): boolean {
  if (value === undefined) return false;
  const mediaType = value.split(';')[0]?.trim().toLowerCase();
  return mediaType === 'application/json';
}

/** The JSON a request carries, checked for size, media type and syntax; `undefined` for no body at all. */
function readJsonBody(event: ApiEvent): { present: false } | { present: true; value: unknown } {
  const raw = event.body ?? '';
  // Checked on the raw size first so a huge base64 body is never decoded.
  if (raw.length > (event.isBase64Encoded ? Math.ceil((MAX_BODY_BYTES * 4) / 3) + 4 : MAX_BODY_BYTES * 4)) {
    throw new PayloadTooLargeError(MAX_BODY_BYTES);
  }
  const bytes = Buffer.from(raw, event.isBase64Encoded ? 'base64' : 'utf8');
  if (bytes.byteLength > MAX_BODY_BYTES) throw new PayloadTooLargeError(MAX_BODY_BYTES);
  // Many clients send Content-Type on every request: an empty body is no body, whatever its type says.
  if (bytes.byteLength === 0) return { present: false };
  if (!isJsonContentType(event.headers['content-type'])) throw new UnsupportedMediaTypeError();
  try {
    return { present: true, value: JSON.parse(strictUtf8.decode(bytes)) };
  } catch {
    throw new MalformedJsonError();
  }
}

function parseJsonBody<S extends Schema>(event: ApiEvent, schema: S): z.infer<S> {
  const body = readJsonBody(event);
  if (!body.present) throw new ValidationError('A JSON request body is required');
  return parseOrThrow(schema, body.value, 'request body');
}

/**
 * Routes that take no body accept none, or an empty JSON object (what some clients always send): any
 * field there would be an unknown field, and the contract answers those with 400.
 */
function expectNoBody(event: ApiEvent): void {
  const body = readJsonBody(event);
  if (!body.present) return;
  const { value } = body;
  const isEmptyObject = typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0;
  if (!isEmptyObject) throw new ValidationError('This endpoint takes no request body');
}

/**
 * The caller, from the authorizer's context. Re-checked here although the authorizer already did: a
 * function must fail closed if it is ever wired to a route without the authorizer.
 */
function readPrincipal(event: ApiEvent): Principal {
  const context = event.requestContext.authorizer?.lambda;
  const sub = context?.sub;
  const role = context?.role;
  const sid = context?.sid;
  const jti = context?.jti;
  if (
    typeof sub !== 'string' ||
    !USERNAME_PATTERN.test(sub) ||
    (role !== 'user' && role !== 'admin') ||
    typeof sid !== 'string' ||
    typeof jti !== 'string'
  ) {
    throw new InvalidTokenError();
  }
  return { username: sub, role, sid, jti };
}

function buildRequest<K extends RouteKey, S extends Schema | undefined>(
  spec: EndpointSpec<K, S>,
  event: ApiEvent,
  context: Context,
): ApiRequest<K, BodyFor<S>> {
  const route = routes[spec.route];
  const principal = route.auth === 'access-token' ? readPrincipal(event) : undefined;
  const requiredRole: Role | undefined = 'role' in route ? route.role : undefined;
  if (requiredRole !== undefined && principal?.role !== requiredRole) {
    throw new ForbiddenError(`This requires the ${requiredRole} role`);
  }
  const pathParameters = event.pathParameters ?? {};
  return {
    body: (spec.body === undefined ? expectNoBody(event) : parseJsonBody(event, spec.body)) as BodyFor<S>,
    principal: principal as PrincipalFor<K>,
    headers: event.headers,
    query: event.queryStringParameters ?? {},
    pathParameter(name) {
      const value = pathParameters[name];
      if (value === undefined || value === '') throw new NotFoundError();
      return value;
    },
    sourceIp: event.requestContext.http.sourceIp,
    requestId: context.awsRequestId,
  };
}

/**
 * Wraps an endpoint's function as a Lambda handler. The route key ties it to lib/routes.ts, which says
 * whether a principal is required and which role.
 */
export function endpoint<K extends RouteKey, S extends Schema | undefined = undefined>(
  spec: EndpointSpec<K, S>,
  handle: (request: ApiRequest<K, BodyFor<S>>) => Promise<HttpResponse>,
) {
  return middy<ApiEvent, ApiResult, Error, Context>()
    .use(accessLog())
    .use(errorResponses())
    .handler(async (event, context) => toResult(await handle(buildRequest(spec, event, context))));
}
