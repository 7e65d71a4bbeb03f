import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import type { ApiEvent } from '#lib/http';
import { authorizer, listRoutes } from '#lib/routes';
import { createGateway, type LambdaHandler, type ServedRoute } from './api-gateway.ts';
import { ensureTables, localTableNames, tableEnvironment } from './tables.ts';

export interface LocalApiOptions {
  /** DynamoDB to use: DynamoDB Local, the embedded server, or any other endpoint. */
  dynamoDbEndpoint: string;
  jwtSecret: string;
  /** Prefix of the local table names, so several instances can share one DynamoDB. */
  tablePrefix?: string;
  port?: number;
  host?: string;
  /** More environment for the functions (BCRYPT_COST, token lifetimes, LOG_LEVEL…). */
  environment?: Record<string, string>;
}

export interface LocalApi {
  url: string;
  port: number;
  tableNames: ReturnType<typeof localTableNames>;
  close(): Promise<void>;
}

let startedWith: string | undefined;

/**
 * Serves every route of lib/routes.ts with its real handler module, behind the authorizer, the way API
 * Gateway does. The functions read their configuration from the environment when first imported (as on
 * Lambda), so one process hosts one configuration.
 */
export async function startLocalApi(options: LocalApiOptions): Promise<LocalApi> {
  const tablePrefix = options.tablePrefix ?? 'local-';
  const tableNames = localTableNames(tablePrefix);
  const environment: Record<string, string> = {
    DYNAMODB_ENDPOINT: options.dynamoDbEndpoint,
    JWT_SECRET: options.jwtSecret,
    ...tableEnvironment(tableNames),
    ...options.environment,
  };
  const fingerprint = JSON.stringify(environment);
  if (startedWith !== undefined && startedWith !== fingerprint) {
    throw new Error('This process already hosts the functions with another configuration; start another process');
  }
  startedWith = fingerprint;
  Object.assign(process.env, environment);

  await ensureTables(options.dynamoDbEndpoint, tableNames);
  const routes: ServedRoute[] = await Promise.all(
    listRoutes().map(async (route) => ({ route, handler: await loadHandler<ApiEvent>(route.handler) })),
  );
  const authorizerHandler = await loadHandler<APIGatewayRequestAuthorizerEventV2>(authorizer.handler);

  const gateway = createGateway({ routes, authorizer: authorizerHandler });
  const server = createServer((request, response) => void gateway(request, response));
  await listen(server, options.port ?? 0, options.host ?? '127.0.0.1');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    port,
    tableNames,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function loadHandler<E>(modulePath: string): Promise<LambdaHandler<E>> {
  const url = new URL(`../../functions/${modulePath}.ts`, import.meta.url).href;
  const module = (await import(/* @vite-ignore */ url)) as { handler?: unknown };
  if (typeof module.handler !== 'function') throw new Error(`functions/${modulePath}.ts does not export a handler`);
  return module.handler as LambdaHandler<E>;
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
