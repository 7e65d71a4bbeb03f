import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A real HTTP hop between the functions and DynamoDB that counts every call (operation and table) and
 * can play an outage. The SDK is not mocked: it sends real requests, and in an outage it meets a closed
 * connection exactly as it would a dead endpoint.
 */

export interface DynamoDbCall {
  operation: string;
  tables: string[];
}

export interface CountingProxy {
  endpoint: string;
  calls: DynamoDbCall[];
  reset(): void;
  setReachable(reachable: boolean): void;
  close(): Promise<void>;
}

function tablesOf(body: string): string[] {
  try {
    const parsed = JSON.parse(body) as { TableName?: string; RequestItems?: Record<string, unknown>; TransactItems?: Record<string, { TableName?: string }>[] };
    if (parsed.TableName) return [parsed.TableName];
    if (parsed.RequestItems) return Object.keys(parsed.RequestItems);
    if (parsed.TransactItems) return parsed.TransactItems.flatMap((item) => Object.values(item).map((op) => op.TableName ?? ''));
  } catch {
    // not JSON: count it without tables
  }
  return [];
}

export async function startCountingProxy(target: string): Promise<CountingProxy> {
  const calls: DynamoDbCall[] = [];
  let reachable = true;
  const upstream = new URL(target);

  const server = createServer((incoming: IncomingMessage, outgoing: ServerResponse) => {
    if (!reachable) {
      incoming.socket.destroy();
      return;
    }
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const body = Buffer.concat(chunks);
      const target = String(incoming.headers['x-amz-target'] ?? '');
      calls.push({ operation: target.split('.').at(-1) ?? target, tables: tablesOf(body.toString('utf8')) });
      const forwarded = httpRequest(
        { hostname: upstream.hostname, port: upstream.port, method: incoming.method, path: incoming.url, headers: { ...incoming.headers, host: upstream.host } },
        (answer) => {
          outgoing.writeHead(answer.statusCode ?? 500, answer.headers);
          answer.pipe(outgoing);
        },
      );
      forwarded.on('error', () => outgoing.destroy());
      forwarded.end(body);
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    reset: () => {
      calls.length = 0;
    },
    setReachable: (value) => {
      reachable = value;
      if (!value) server.closeAllConnections();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
