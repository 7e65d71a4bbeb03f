import { execFile } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { build, type Metafile } from 'esbuild';
import { BUNDLE_RUNTIME_ENVIRONMENT, esbuildOptions } from '#infra/bundling';
import { authorizer, listRoutes } from '#lib/routes';
import { tables } from '#lib/tables';

/**
 * Cold start per function: each handler bundled exactly as the CDK stack bundles it (infra/bundling.ts),
 * its size, and its module init time: the median over fresh `node` processes importing it, run
 * round-robin across all bundles so machine noise spreads evenly. Every figure is also a ratio to the
 * baseline handler (DynamoDB client + one GetItem) bundled and measured the same way in the same run;
 * the init ratio pairs each sample with the baseline's from the same round.
 */

const run = promisify(execFile);
const buildDir = resolve('bench/.build');

export interface BundleFigure {
  function: string;
  bytes: number;
  initMs: number;
  sizeRatio: number;
  /**
   * Median over rounds of (this bundle's init / the baseline's init in the same round): paired samples
   * taken seconds apart, so a change of machine load between rounds cancels out.
   */
  initRatio: number;
  /** What the bundle adds over the baseline, by package or source file, largest first: what pulled the size in. */
  addedOverBaseline: { input: string; bytes: number }[];
}

export interface ColdStartResult {
  runs: number;
  baseline: { bytes: number; initMs: number };
  empty: { bytes: number; initMs: number };
  coldStart: BundleFigure[];
}

interface Bundle {
  name: string;
  file: string;
  bytes: number;
  metafile: Metafile;
}

async function bundle(name: string, entry: string): Promise<Bundle> {
  const file = join(buildDir, `${name.replaceAll('/', '-')}.mjs`);
  const result = await build({ ...esbuildOptions(entry, file), metafile: true, logLevel: 'error' });
  return { name, file, bytes: statSync(file).size, metafile: result.metafile };
}

function bytesByInput(metafile: Metafile): Map<string, number> {
  const byInput = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const key = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1] ?? input;
      byInput.set(key, (byInput.get(key) ?? 0) + bytesInOutput);
    }
  }
  return byInput;
}

function addedOverBaseline(metafile: Metafile, baseline: Metafile): { input: string; bytes: number }[] {
  const base = bytesByInput(baseline);
  return [...bytesByInput(metafile).entries()]
    .map(([input, bytes]) => ({ input, bytes: bytes - (base.get(input) ?? 0) }))
    .filter((entry) => entry.bytes >= 1024)
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 6);
}

function pairedRatio(samples: number[], baselineSamples: number[]): number {
  return median(samples.map((sample, round) => sample / (baselineSamples[round] ?? Number.NaN)));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** The environment a deployed function starts with (table names, runtime options), minus the network. */
function functionEnvironment(): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    ...BUNDLE_RUNTIME_ENVIRONMENT,
    ...Object.fromEntries(Object.values(tables).map((table) => [table.envVar, `bench-${table.envVar.toLowerCase()}`])),
    TABLE_NAME: 'bench',
    // Locally the key comes from JWT_SECRET; in the cloud init adds one Secrets Manager call instead.
    JWT_SECRET: 'bench-secret-that-is-at-least-32-bytes-long',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    LOG_LEVEL: 'silent',
  };
}

async function importTime(file: string): Promise<number> {
  const { stdout } = await run(process.execPath, [resolve('bench/import-once.mjs'), file], { env: functionEnvironment() });
  return Number(stdout);
}

export async function measureColdStarts(runs: number, progress: (message: string) => void): Promise<ColdStartResult> {
  mkdirSync(buildDir, { recursive: true });
  progress('bundling every handler as the CDK stack does');
  const functionEntries: [string, string][] = [
    ...listRoutes().map((route): [string, string] => [route.handler, `functions/${route.handler}.ts`]),
    [authorizer.handler, `functions/${authorizer.handler}.ts`],
  ];
  const bundles = await Promise.all([
    bundle('baseline', 'bench/baseline-handler.ts'),
    bundle('empty', 'bench/empty-handler.ts'),
    ...functionEntries.map(([name, entry]) => bundle(name, entry)),
  ]);

  const samples = new Map<string, number[]>(bundles.map((item) => [item.name, []]));
  for (let round = 0; round < runs; round++) {
    progress(`import round ${round + 1}/${runs}`);
    for (const item of bundles) samples.get(item.name)?.push(await importTime(item.file));
  }

  const figure = (name: string) => {
    const item = bundles.find((candidate) => candidate.name === name);
    if (!item) throw new Error(`no bundle ${name}`);
    return { item, initMs: median(samples.get(name) ?? []) };
  };
  const baseline = figure('baseline');
  const empty = figure('empty');
  const round1 = (value: number) => Math.round(value * 10) / 10;
  const round2 = (value: number) => Math.round(value * 100) / 100;

  return {
    runs,
    baseline: { bytes: baseline.item.bytes, initMs: round1(baseline.initMs) },
    empty: { bytes: empty.item.bytes, initMs: round1(empty.initMs) },
    coldStart: functionEntries.map(([name]) => {
      const { item, initMs } = figure(name);
      return {
        function: name,
        bytes: item.bytes,
        initMs: round1(initMs),
        sizeRatio: round2(item.bytes / baseline.item.bytes),
        initRatio: round2(pairedRatio(samples.get(name) ?? [], samples.get('baseline') ?? [])),
        addedOverBaseline: addedOverBaseline(item.metafile, baseline.item.metafile),
      };
    }),
  };
}
