/**
 * A small closed-loop load generator (`node --import tsx bench/load.ts URL TOKEN CONCURRENCY SECONDS`),
 * run in its own process so it does not share an event loop with the server it measures. Each of
 * CONCURRENCY clients sends its next request as soon as the previous one answered. Prints one JSON line.
 */
export {};

const [url = '', token = '', concurrencyArgument = '16', secondsArgument = '5'] = process.argv.slice(2);
const concurrency = Number(concurrencyArgument);
const deadline = performance.now() + Number(secondsArgument) * 1000;
let completed = 0;
let failed = 0;

async function client(): Promise<void> {
  while (performance.now() < deadline) {
    const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    await response.arrayBuffer();
    if (response.status === 200) completed++;
    else failed++;
  }
}

const started = performance.now();
await Promise.all(Array.from({ length: concurrency }, client));
const seconds = (performance.now() - started) / 1000;
process.stdout.write(`${JSON.stringify({ rps: Math.round(completed / seconds), failed, concurrency, seconds: Math.round(seconds * 10) / 10 })}\n`);
