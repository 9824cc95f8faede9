import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Whole-program tests spawn the real binary, ptys and servers; two cores are all CI has.
    maxWorkers: 2,
  },
});
