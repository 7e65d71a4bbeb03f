import { LogLevel, OutputFormat, SourceMapMode, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { BuildOptions } from 'esbuild';

/**
 * How every handler is bundled, declared once: the CDK stack hands `lambdaBundling` to NodejsFunction,
 * and anything that must bundle a handler "exactly as the stack does" (the cold-start benchmark, a
 * debugging session) uses `esbuildOptions`, which is derived from the same constants.
 *
 * The AWS SDK is bundled, not left to the runtime's copy: the version then is the one package-lock.json
 * pins and the tests ran against (the runtime's SDK changes under us without a deploy), and esbuild keeps
 * only the DynamoDB/Secrets Manager commands we import, so the bundle loads faster than the runtime's
 * full SDK from disk would.
 */

/** Lambda's Node.js runtime these bundles target (keep in step with the function runtime). */
export const NODE_TARGET = 'node22';

/**
 * ESM output may not call `require`, but some CommonJS inside bundled dependencies (parts of the AWS
 * SDK's Smithy stack) `require` Node built-ins at runtime; esbuild then emits a throwing `__require`
 * shim unless a real `require` is in scope.
 */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";

/** `module` first: ESM builds of the SDK tree-shake far better than their CommonJS twins. */
const MAIN_FIELDS = ['module', 'main'];

/**
 * Environment the bundles expect at run time: Node applies the source maps to stack traces only when
 * asked. It costs reading the map at cold start (hundreds of KB); the benchmark measures it.
 */
export const BUNDLE_RUNTIME_ENVIRONMENT: Readonly<Record<string, string>> = { NODE_OPTIONS: '--enable-source-maps' };

/** NodejsFunction's view of the options above. */
export const lambdaBundling: BundlingOptions = {
  format: OutputFormat.ESM,
  target: NODE_TARGET,
  mainFields: MAIN_FIELDS,
  banner: ESM_REQUIRE_BANNER,
  minify: true,
  sourceMap: true,
  sourceMapMode: SourceMapMode.DEFAULT,
  // Stack traces need file names and lines, not our source text shipped in every zip.
  sourcesContent: false,
  // Empty on purpose: without it NodejsFunction marks `@aws-sdk/*` external for Node 18+ runtimes.
  externalModules: [],
  // Bundle with the project's own esbuild (a devDependency), never in a Docker container.
  forceDockerBundling: false,
  // esbuild's per-bundle size report, 11 times per synth, drowns what matters; warnings still show.
  logLevel: LogLevel.WARNING,
};

/** esbuild's view of the same options: `entry` is a file under functions/, `outfile` ends in `.mjs`. */
export function esbuildOptions(entry: string, outfile: string): BuildOptions {
  return {
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: NODE_TARGET,
    mainFields: MAIN_FIELDS,
    banner: { js: ESM_REQUIRE_BANNER },
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    external: [],
  };
}
