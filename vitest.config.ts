import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    // Integration tests start processes and servers; a unit test that takes this long is a bug anyway.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
