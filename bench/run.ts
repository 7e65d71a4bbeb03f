/**
 * `npm run bench`: cold start per function, authorizer CPU per request, DynamoDB round trips per route,
 * login cost and local-server throughput. Every timing is a ratio to a baseline measured in the same run
 * (these machines are shared and noisy). Prints a table, writes bench/results.json and the table into
 * README.md between its bench markers.
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { promisify } from 'node:util';
import { measureColdStarts, type ColdStartResult } from './cold-start.ts';

const run = promisify(execFile);
const COLD_START_RUNS = Number(process.env.BENCH_COLD_START_RUNS ?? 25);
const LOGIN_SAMPLES = Number(process.env.BENCH_LOGIN_SAMPLES ?? 15);

/** The targets of issue 5, checked against this run's figures. */
const TARGETS = { coldStartRatio: 1.1, authorizerCpuRatio: 1.15, loginToBcrypt: 1.15, unknownToKnownTolerance: 0.1 };

const progress = (message: string) => process.stderr.write(`… ${message}\n`);

async function child<T>(script: string, args: string[]): Promise<T> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', script, ...args], {
    maxBuffer: 16 * 1024 * 1024,
    env: { ...process.env, LOG_LEVEL: 'silent', NODE_NO_WARNINGS: '1' },
  });
  const line = stdout.trim().split('\n').reverse().find((candidate) => candidate.startsWith('{'));
  if (!line) throw new Error(`${script} printed no result`);
  return JSON.parse(line) as T;
}

interface AuthorizerFigure {
  cpuUs: number;
  baselineUs: number;
  cpuRatio: number;
}

interface TimingFigures {
  login: { ms: number; bcryptMs: number; ratioToBcrypt: number; unknownUserMs: number; wrongPasswordMs: number; unknownToKnown: number; bcryptCost: number; samples: number };
  localServer: { rps: number; concurrency: number; failed: number; route: string; dynamodb: string };
}

const mark = (ok: boolean) => (ok ? '✓' : '✗ over');

function renderTable(results: {
  machine: string;
  date: string;
  node: string;
  baseline: ColdStartResult['baseline'];
  empty: ColdStartResult['empty'];
  coldStart: ColdStartResult['coldStart'];
  authorizer: AuthorizerFigure & { roundTrips: number };
  roundTrips: Record<string, number>;
  login: TimingFigures['login'];
  localServer: TimingFigures['localServer'];
  runs: number;
}): string {
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;
  const lines = [
    `Measured ${results.date} on ${results.machine}, Node.js ${results.node}.`,
    '',
    `**Cold start** (bundled as the CDK stack bundles them; init = median of ${results.runs} fresh processes importing the bundle; its ratio is the median of per-round ratios to the baseline). ` +
      `Baseline (DynamoDB client + one GetItem): ${kb(results.baseline.bytes)}, ${results.baseline.initMs} ms; an empty handler: ${results.empty.initMs} ms. Target ≤ ${TARGETS.coldStartRatio}×.`,
    '',
    '| function | bundle | × baseline | init | × baseline | largest additions over the baseline |',
    '|---|---:|---:|---:|---:|---|',
    ...results.coldStart.map(
      (item) =>
        `| ${item.function} | ${kb(item.bytes)} | ${item.sizeRatio} ${mark(item.sizeRatio <= TARGETS.coldStartRatio)} | ${item.initMs} ms | ${item.initRatio} ${mark(item.initRatio <= TARGETS.coldStartRatio)} | ${
          item.addedOverBaseline
            .slice(0, 3)
            .map((added) => `${added.input.replace(/^@aws-sdk\//, 'sdk/')} ${kb(added.bytes)}`)
            .join(', ') || '—'
        } |`,
    ),
    '',
    '| figure | value | baseline (same run) | ratio | target |',
    '|---|---:|---:|---:|---|',
    `| authorizer CPU per warm request | ${results.authorizer.cpuUs} µs | jwtVerify + one SDK GetItem: ${results.authorizer.baselineUs} µs | ${results.authorizer.cpuRatio} | ≤ ${TARGETS.authorizerCpuRatio} ${mark(results.authorizer.cpuRatio <= TARGETS.authorizerCpuRatio)} |`,
    `| login (HTTP, embedded DynamoDB, bcrypt cost ${results.login.bcryptCost}) | ${results.login.ms} ms | one bcrypt.compare: ${results.login.bcryptMs} ms | ${results.login.ratioToBcrypt} | ≤ ${TARGETS.loginToBcrypt} ${mark(results.login.ratioToBcrypt <= TARGETS.loginToBcrypt)} |`,
    `| login, unknown user vs wrong password | ${results.login.unknownUserMs} ms | ${results.login.wrongPasswordMs} ms | ${results.login.unknownToKnown} | within ±${TARGETS.unknownToKnownTolerance * 100}% ${mark(Math.abs(results.login.unknownToKnown - 1) <= TARGETS.unknownToKnownTolerance)} |`,
    `| local server, authenticated ${results.localServer.route}, ${results.localServer.concurrency} concurrent clients | ${results.localServer.rps} req/s | — | — | reported |`,
    '',
    '**DynamoDB round trips per request** (counted on the wire; functions behind the authorizer shown without its one read):',
    '',
    '| request | round trips |',
    '|---|---:|',
    ...Object.entries(results.roundTrips).map(([label, count]) => `| ${label} | ${count} |`),
  ];
  return lines.join('\n');
}

const START = '<!-- bench:start (written by npm run bench) -->';
const END = '<!-- bench:end -->';

function writeIntoReadme(table: string): void {
  const readme = readFileSync('README.md', 'utf8');
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) {
    progress('README.md has no bench markers; table not written there');
    return;
  }
  writeFileSync('README.md', `${readme.slice(0, start + START.length)}\n${table}\n${readme.slice(end)}`);
}

const cpu = cpus();
const machine = `${cpu[0]?.model ?? 'unknown CPU'} (${cpu.length} cores), ${Math.round(totalmem() / 2 ** 30)} GiB`;

progress('cold start');
const coldStart = await measureColdStarts(COLD_START_RUNS, progress);
progress('authorizer CPU per request');
const authorizer = await child<AuthorizerFigure>('bench/authorizer-cpu.ts', ['2000']);
progress('DynamoDB round trips per route');
const { roundTrips } = await child<{ roundTrips: Record<string, number> }>('bench/api-figures.ts', ['round-trips']);
progress('login and local-server throughput');
const timings = await child<TimingFigures>('bench/api-figures.ts', ['timings', String(LOGIN_SAMPLES)]);

const results = {
  machine,
  date: new Date().toISOString(),
  node: process.version,
  runs: coldStart.runs,
  baseline: coldStart.baseline,
  empty: coldStart.empty,
  coldStart: coldStart.coldStart,
  authorizer: { ...authorizer, roundTrips: roundTrips['authorizer (GET /auth/me)'] ?? -1 },
  roundTrips,
  login: timings.login,
  localServer: timings.localServer,
  targets: TARGETS,
};
writeFileSync('bench/results.json', `${JSON.stringify(results, null, 2)}\n`);
const table = renderTable(results);
writeIntoReadme(table);
console.log(`\n${table}\n\nWritten to bench/results.json and README.md.`);
