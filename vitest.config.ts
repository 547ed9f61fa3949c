import { defineConfig } from "vitest/config";

// Tests that start their own throwaway PostgreSQL cluster (test/ops/support/cluster.ts) do not use the backend
// under test, so the embedded leg and the real-server leg would run the same thing twice. They run where a real
// server is configured (TEST_DATABASE_URL, CI's second leg) or with TEST_CLUSTER=1; the embedded default's
// `npm test` (a newcomer's, CI's first leg) leaves them out and says so.
const clusterTests = [
  "test/ops/topology.test.ts",
  "test/ops/production.test.ts",
  "test/ops/server-process.test.ts",
  "test/ops/pgbouncer.test.ts",
  "test/ops/faults.test.ts",
  "test/ops/readiness.test.ts",
  "test/ops/hostile-http.test.ts",
  "test/ops/transaction-failures.test.ts",
  "test/federation/router-headers.test.ts",
];
const runClusterTests = Boolean(process.env.TEST_DATABASE_URL) || process.env.TEST_CLUSTER === "1";
if (!runClusterTests) {
  console.info(
    `vitest: ${clusterTests.length} files on a throwaway PostgreSQL cluster run with TEST_DATABASE_URL or TEST_CLUSTER=1 (CI's real-server leg): ${clusterTests.join(", ")}`,
  );
}

export default defineConfig({
  resolve: {
    // graphql 16 ships CommonJS (`main`) and ESM (`module`) side by side. Node loads the CommonJS build for
    // every dependency (Pothos, Yoga), while Vite would give our own sources the ESM build: two graphql
    // realms, and "Cannot use GraphQLSchema from another module or realm". Everyone gets `main`.
    alias: [{ find: /^graphql$/, replacement: "graphql/index.js" }],
  },
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["**/node_modules/**", ...(runClusterTests ? [] : clusterTests)],
    // Each file opens its own database (PGlite in memory, or a fresh one on TEST_DATABASE_URL's server).
    testTimeout: 60_000,
    hookTimeout: 300_000,
    pool: "forks",
    maxWorkers: 2,
  },
});
