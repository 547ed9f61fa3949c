import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    // graphql 16 ships CommonJS (`main`) and ESM (`module`) side by side. Node loads the CommonJS build for
    // every dependency (Pothos, Yoga), while Vite would give our own sources the ESM build: two graphql
    // realms, and "Cannot use GraphQLSchema from another module or realm". Everyone gets `main`.
    alias: [{ find: /^graphql$/, replacement: "graphql/index.js" }],
  },
  test: {
    include: ["test/**/*.test.ts"],
    // Each file opens its own database (PGlite in memory, or a fresh one on TEST_DATABASE_URL's server).
    testTimeout: 60_000,
    hookTimeout: 300_000,
    pool: "forks",
    maxWorkers: 2,
  },
});
