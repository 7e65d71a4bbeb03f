/**
 * A JSON client for the API, as a client program would call it: used by the tests (through
 * test/support/api.ts, or against a running `npm start`) and by the benchmarks. No test framework here,
 * so the benchmark can load it.
 */

/** A JSON response body as the tests see it. */
export type Body = Record<string, unknown> & {
  error?: { code: string; message: string; details?: { path: string; message: string }[] };
};

export interface ApiResponse {
  status: number;
  headers: Headers;
  body: Body;
  text: string;
}

export interface RequestOptions {
  token?: string;
  json?: unknown;
  /** A raw body, sent as is (for malformed JSON, wrong content types…). */
  body?: string | Buffer;
  headers?: Record<string, string>;
}

/** Sends one request to the API at `baseUrl` and reads the answer, JSON or not. */
export async function requestJson(baseUrl: string, method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  let body: string | Buffer | undefined = options.body;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(`${baseUrl}${path}`, { method, headers, ...(body !== undefined && { body }) });
  const text = await response.text();
  let parsed: Body = {};
  if (text !== '') {
    try {
      parsed = JSON.parse(text) as Body;
    } catch {
      parsed = {};
    }
  }
  return { status: response.status, headers: response.headers, body: parsed, text };
}
