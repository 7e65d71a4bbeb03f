import { Readable } from 'node:stream';

/**
 * A DynamoDB transport that answers at once with a fixed JSON body: it replaces the SDK client's HTTP
 * handler, so everything the SDK does (middleware, signing, serializing, parsing) is still measured, and
 * nothing of the network or a server is.
 */
export function instantDynamoDbHandler(body: string) {
  return {
    handle: async () => ({
      response: {
        statusCode: 200,
        reason: 'OK',
        headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'bench' },
        body: Readable.from([Buffer.from(body)]),
      },
    }),
    updateHttpClientConfig: () => undefined,
    httpHandlerConfigs: () => ({}),
    destroy: () => undefined,
  };
}

/** Swaps the transport of an already-created SDK client (set before its first send). */
export function useInstantTransport(client: { config: object }, body: string): void {
  Object.assign(client.config, { requestHandler: instantDynamoDbHandler(body) });
}
