#!/usr/bin/env -S MALLOC_ARENA_MAX=1 node
// One malloc arena, not one per thread that allocates: a few MB less resident memory at no
// measurable CPU cost (docs/tui.md, Memory). Long-running commands also keep V8's young
// generation small (src/heap.ts).
// Installed, the program runs its dependencies' production builds (React's development build
// costs memory and CPU); a test runner's NODE_ENV is kept. Set before the CLI loads anything.
process.env.NODE_ENV ??= 'production';
const { main } = await import('../dist/cli.js');

main(process.argv.slice(2));
