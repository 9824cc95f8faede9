import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Whole-program tests spawn the real binary, ptys and servers; two cores are all CI has.
    maxWorkers: 2,
    // Two long-lived forks run every file. Starting a fresh fork per file under a loaded
    // two-core machine once missed vitest's fixed 60 s worker-start handshake, failing a
    // run whose tests had all passed. The threads pool is no way out: serialport's native
    // poller aborts the process when a worker thread that opened a port exits. No test
    // mocks modules or stubs globals, so sharing a fork between files changes no result.
    isolate: false,
  },
});
