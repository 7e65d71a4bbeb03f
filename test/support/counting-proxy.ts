import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A real HTTP hop between the functions and DynamoDB that counts every call (operation and table) and
 * can fail calls: all of them (an outage) or chosen ones (say, the to-do write but not the authorizer's
 * read: partial outages are where half-written state comes from). The SDK is not mocked: it sends real
 * requests, and a failed call meets a closed connection exactly as it would at a dead endpoint.
 */

export interface DynamoDbCall {
  operation: string;
  tables: string[];
}

export interface CountingProxy {
  endpoint: string;
  /** Every call forwarded since the last reset. */
  calls: DynamoDbCall[];
  reset(): void;
  /** false: every call fails, as if DynamoDB were down. */
  setReachable(reachable: boolean): void;
  /** Fail the calls for which `predicate` is true; undefined heals. */
  failWhen(predicate: ((call: DynamoDbCall) => boolean) | undefined): void;
  /** The calls failed since the last `failWhen`. */
  failed: DynamoDbCall[];
  /**
   * Forward the next call matching `predicate` to DynamoDB, then lose its answer (close the connection):
   * the write is applied but the SDK sees a network error and retries.
   */
  loseAnswerOnce(predicate: (call: DynamoDbCall) => boolean): void;
  /** How many answers were lost that way. */
  lostAnswers: DynamoDbCall[];
  /** Hold the next call matching `predicate` for `ms` before forwarding it (a slow network, a race). */
  delayOnce(predicate: (call: DynamoDbCall) => boolean, ms: number): void;
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
  const failed: DynamoDbCall[] = [];
  let reachable = true;
  let failing: ((call: DynamoDbCall) => boolean) | undefined;
  let losing: ((call: DynamoDbCall) => boolean) | undefined;
  let delaying: { predicate: (call: DynamoDbCall) => boolean; ms: number } | undefined;
  const lostAnswers: DynamoDbCall[] = [];
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
      const call = { operation: target.split('.').at(-1) ?? target, tables: tablesOf(body.toString('utf8')) };
      if (failing?.(call)) {
        failed.push(call);
        incoming.socket.destroy();
        return;
      }
      calls.push(call);
      const loseAnswer = losing?.(call) === true;
      if (loseAnswer) losing = undefined;
      const delayMs = delaying?.predicate(call) === true ? delaying.ms : 0;
      if (delayMs > 0) delaying = undefined;
      setTimeout(() => forward(call, body, loseAnswer, incoming, outgoing), delayMs);
    });
  });

  function forward(call: DynamoDbCall, body: Buffer, loseAnswer: boolean, incoming: IncomingMessage, outgoing: ServerResponse): void {
    const forwarded = httpRequest(
      { hostname: upstream.hostname, port: upstream.port, method: incoming.method, path: incoming.url, headers: { ...incoming.headers, host: upstream.host } },
      (answer) => {
        if (loseAnswer) {
          lostAnswers.push(call);
          answer.resume();
          answer.on('end', () => incoming.socket.destroy());
          return;
        }
        outgoing.writeHead(answer.statusCode ?? 500, answer.headers);
        answer.pipe(outgoing);
      },
    );
    forwarded.on('error', () => outgoing.destroy());
    forwarded.end(body);
  }
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
    lostAnswers,
    loseAnswerOnce: (predicate) => {
      losing = predicate;
    },
    delayOnce: (predicate, ms) => {
      delaying = { predicate, ms };
    },
    failed,
    failWhen: (predicate) => {
      failing = predicate;
      failed.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
