import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    // Integration tests start processes and servers; a unit test that takes this long is a bug anyway.
    testTimeout: 120_000,
    // Two test files at a time: most integration tests wait on child processes, servers and queue heartbeats,
    // so a second file uses the time the first spends waiting (vitest's default on two cores is one).
    maxWorkers: 2,
    hookTimeout: 120_000,
  },
});
