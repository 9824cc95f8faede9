#!/usr/bin/env -S -u NODE_EXTRA_CA_CERTS ECG_MONITOR_EXTRA_CA_CERTS=${NODE_EXTRA_CA_CERTS} MALLOC_ARENA_MAX=1 node --
// NODE_EXTRA_CA_CERTS makes Node parse every root certificate at startup (about 80 ms here)
// whether or not the command goes online; the launcher hides it from startup, puts it back
// below for child processes, and the uploader adds its certificates (src/queue/uploader.ts).
// One malloc arena, not one per thread that allocates: a few MB less resident memory at no
// measurable CPU cost (docs/tui.md, Memory). Long-running commands also keep V8's young
// generation small (src/heap.ts).
// The `--` ends Node's own options: without it Node takes our `--env-file F` as its own flag.
const deferredCaCerts = process.env.ECG_MONITOR_EXTRA_CA_CERTS;
delete process.env.ECG_MONITOR_EXTRA_CA_CERTS;
if (deferredCaCerts) process.env.NODE_EXTRA_CA_CERTS = deferredCaCerts;
// Installed, the program runs its dependencies' production builds (React's development build
// costs memory and CPU); a test runner's NODE_ENV is kept. Set before the CLI loads anything.
process.env.NODE_ENV ??= 'production';
const { main } = await import('../dist/cli.js');

main(process.argv.slice(2));
