import { build, type Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { esbuildOptions } from '#infra/bundling';
import { authorizer, listRoutes } from '#lib/routes';

/**
 * What each bundle pulls in, bundled exactly as the stack bundles it. Cold start grows with what a
 * function loads, so the hot and light functions must not drag in the heavy parts of the others.
 */

async function inputsOf(handler: string): Promise<string[]> {
  const result = await build({ ...esbuildOptions(`functions/${handler}.ts`, `/tmp/bundle-contents/${handler}.mjs`), write: false, metafile: true, logLevel: 'error' });
  const metafile: Metafile = result.metafile;
  return Object.values(metafile.outputs).flatMap((output) => Object.keys(output.inputs));
}

describe('bundle contents', () => {
  it('the authorizer loads no bcrypt, no request schemas and no to-do code', async () => {
    const inputs = await inputsOf(authorizer.handler);

    expect(inputs.some((input) => input.includes('functions/authorizer.ts'))).toBe(true);
    for (const forbidden of ['node_modules/bcryptjs', 'node_modules/zod', 'node_modules/@middy', 'lib/todos.ts', 'lib/passwords.ts', 'lib/schemas.ts', 'lib/http.ts', 'lib/users.ts']) {
      expect(inputs.filter((input) => input.includes(forbidden))).toEqual([]);
    }
  });

  it.each(listRoutes().filter((route) => route.cpuBound !== true))(
    '$handler does not load bcrypt',
    async (route) => {
      const inputs = await inputsOf(route.handler);
      expect(inputs.some((input) => input.includes(`functions/${route.handler}.ts`))).toBe(true);
      expect(inputs.filter((input) => input.includes('node_modules/bcryptjs'))).toEqual([]);
    },
  );

  it.each(listRoutes().filter((route) => route.access.signingKey !== true))('$handler does not load jose or the Secrets Manager client', async (route) => {
    const inputs = await inputsOf(route.handler);
    expect(inputs.filter((input) => /node_modules\/(jose|@aws-sdk\/client-secrets-manager)\//.test(input))).toEqual([]);
  });

  it.each(['todos/get', 'todos/list', 'todos/delete', 'auth/me', 'auth/logout', 'auth/refresh'])('%s, which takes no body, does not load zod', async (handler) => {
    const inputs = await inputsOf(handler);
    expect(inputs.filter((input) => input.includes('node_modules/zod'))).toEqual([]);
  });
});
