/**
 * The route table: every endpoint, declared once. The local server serves it, the CDK stack creates a
 * function and an API Gateway route per entry, the tests and the docs read it.
 *
 * `auth`:
 * - `none`: no authorizer; the function is public.
 * - `access-token`: API Gateway runs the shared Lambda authorizer first; the function receives the
 *   verified principal in the authorizer context.
 * - `refresh-token`: no authorizer; the function verifies the refresh token itself (an access token
 *   must never be accepted there, nor a refresh token at the authorizer).
 *
 * `access` lists what the function touches, so the stack can grant exactly that and nothing more.
 */
import type { TableId } from '#lib/tables';

export const ROLES = ['user', 'admin'] as const;
export type Role = (typeof ROLES)[number];
export type TableAccess = 'read' | 'read-write';

export interface FunctionAccess {
  tables?: Partial<Record<TableId, TableAccess>>;
  /** Reads the JWT signing secret (signs or verifies tokens). */
  signingKey?: boolean;
}

export interface RouteDefinition {
  /** Module under functions/ whose `handler` export serves the route. */
  handler: string;
  auth: 'none' | 'access-token' | 'refresh-token';
  /** Role the caller's access token must carry; enforced by the function (403 `forbidden`). */
  role?: Role;
  access: FunctionAccess;
  /** Hashes passwords with bcrypt: CPU-bound, so the stack gives it more memory (Lambda CPU scales with it). */
  cpuBound?: boolean;
  summary: string;
}

export const routes = {
  'POST /auth/register': {
    handler: 'auth/register',
    auth: 'none',
    cpuBound: true,
    access: { tables: { users: 'read-write' } },
    summary: 'Create an account (role user)',
  },
  'POST /auth/login': {
    handler: 'auth/login',
    auth: 'none',
    cpuBound: true,
    access: { tables: { users: 'read', sessions: 'read-write', loginAttempts: 'read-write' }, signingKey: true },
    summary: 'Exchange username and password for an access and a refresh token',
  },
  'POST /auth/refresh': {
    handler: 'auth/refresh',
    auth: 'refresh-token',
    access: { tables: { users: 'read', sessions: 'read-write', revocations: 'read-write' }, signingKey: true },
    summary: 'Rotate a refresh token into a new token pair',
  },
  'POST /auth/logout': {
    handler: 'auth/logout',
    auth: 'access-token',
    access: { tables: { revocations: 'read-write' } },
    summary: 'Revoke the current session (its access and refresh tokens)',
  },
  'GET /auth/me': {
    handler: 'auth/me',
    auth: 'access-token',
    access: {},
    summary: 'The caller’s username and role',
  },
  'GET /todos': {
    handler: 'todos/list',
    auth: 'access-token',
    access: { tables: { todos: 'read' } },
    summary: 'List the caller’s to-dos, oldest first, paginated',
  },
  'POST /todos': {
    handler: 'todos/create',
    auth: 'access-token',
    access: { tables: { todos: 'read-write' } },
    summary: 'Create a to-do',
  },
  'GET /todos/{id}': {
    handler: 'todos/get',
    auth: 'access-token',
    access: { tables: { todos: 'read' } },
    summary: 'Read one of the caller’s to-dos',
  },
  'PATCH /todos/{id}': {
    handler: 'todos/update',
    auth: 'access-token',
    access: { tables: { todos: 'read-write' } },
    summary: 'Change the title or done flag of one of the caller’s to-dos',
  },
  'DELETE /todos/{id}': {
    handler: 'todos/delete',
    auth: 'access-token',
    role: 'admin',
    access: { tables: { todos: 'read-write' } },
    summary: 'Delete any to-do (admins only)',
  },
} as const satisfies Record<string, RouteDefinition>;

export type RouteKey = keyof typeof routes;

/** The shared Lambda authorizer: verifies access tokens and reads the revocation list, nothing else. */
export const authorizer = {
  handler: 'authorizer',
  access: { tables: { revocations: 'read' }, signingKey: true },
} as const satisfies Pick<RouteDefinition, 'handler' | 'access'>;

export interface ResolvedRoute extends RouteDefinition {
  key: RouteKey;
  method: string;
  path: string;
}

export function listRoutes(): ResolvedRoute[] {
  return (Object.entries(routes) as [RouteKey, RouteDefinition][]).map(([key, route]) => {
    const [method = '', path = ''] = key.split(' ');
    return { ...route, key, method, path };
  });
}

