import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';

export interface RunningDynamoDb {
  endpoint: string;
  close(): Promise<void>;
}

/**
 * DynamoDB in this process (dynalite), for `npm start`: starts in milliseconds, needs no Java, and with a
 * `path` keeps its data on disk across restarts. It lacks transactions and UpdateTimeToLive, which this
 * project's code therefore does not depend on.
 */
export async function startEmbeddedDynamoDb(options: { path?: string } = {}): Promise<RunningDynamoDb> {
  const server = dynalite({
    ...(options.path !== undefined && { path: options.path }),
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
