// Imports one bundle in a fresh process and prints how long the import (module init) took, in ms.
const started = performance.now();
await import(process.argv[2]);
process.stdout.write(String(performance.now() - started));
