// Server CPU per request with and without the plan cache, in one process (no sockets, no load generator):
// two gateways on the bench database, one with PLAN_CACHE_SIZE's default and one with 0, fed the same
// workload requests in alternating blocks; process CPU time (user+system) per request for each.
// A seeded bench database first (e.g. `SIZE=small BENCH_DATABASE=trovella_bench_plan npx tsx bench/seed.ts`), then
// `BENCH_DATABASE=trovella_bench_plan npx tsx bench/plan-cache-cpu.ts` (BLOCKS, REQUESTS per block).

import { pino } from "pino";
import { type App, createApp } from "../src/http/app.js";
import { createAuth } from "../src/platform/auth/better-auth.js";
import { defaultBudgets } from "../src/platform/config/index.js";
import { Database } from "../src/platform/db/index.js";
import { globalId } from "./answers.js";
import { loadBenchConfig } from "./config.js";

const config = loadBenchConfig();
const ownerUrl = new URL(config.adminUrl);
ownerUrl.pathname = `/${config.databaseName}`;
const blocks = Number(process.env.BLOCKS ?? 6);
const perBlock = Number(process.env.REQUESTS ?? 150);
const logger = pino({ level: "silent" });

const documents: Record<string, (planId: string) => { query: string; variables?: Record<string, unknown> }> = {
  W1: (id) => ({
    query: "query W1($id: ID!) { researchPlan(id: $id) { id title status version createdAt } }",
    variables: { id: globalId("ResearchPlan", id) },
  }),
  W3: () => ({
    query: `query W3 { researchPlans(first: 20) { nodes { id title
      steps(first: 10) { nodes { id position title status
        branchingConditions { nodes { id label priority rule { kind equals } } } } } } } }`,
  }),
  W6: (id) => ({
    query: `query W6($id: ID!) { researchPlan(id: $id) { id title description status version
      steps(first: 100) { nodes { id position title status
        branchingConditions(first: 20) { nodes { id label priority rule { kind equals expression } targetStep { id position } } } } }
      artifacts(first: 20) { nodes { id title kind extractionResults(first: 20) { nodes { id confidence values } } } }
      outputs(first: 20) { nodes { id title format publishedAt feedback(first: 20) { nodes { id rating comment } } } } } }`,
    variables: { id: globalId("ResearchPlan", id) },
  }),
};

async function gateway(planCacheSize: number): Promise<{ app: App; database: Database }> {
  const database = await Database.open({ databaseUrl: ownerUrl.toString(), poolSize: 4, planCacheSize });
  const auth = createAuth(database, { secret: "x".repeat(32), baseURL: "http://127.0.0.1", logger });
  const app = createApp({
    database,
    auth,
    logger,
    graphiql: false,
    hostileInput: { budgets: { ...defaultBudgets, enabled: false } },
  });
  return { app, database };
}

const orgs = [1, 2, 3, 4].map((i) => {
  const tag = String(i).padStart(3, "0");
  return { id: `bench-org-${tag}`, token: `trv_bench_${tag}_${"0".repeat(32)}`, planId: `pl-${i}-1` };
});

async function run(app: App, workload: string, count: number): Promise<number> {
  const make = documents[workload];
  if (!make) throw new Error(`no workload ${workload}`);
  const started = process.cpuUsage();
  for (let i = 0; i < count; i++) {
    const org = orgs[i % orgs.length] as (typeof orgs)[number];
    const response = await app.fetch(
      new Request("http://127.0.0.1/graphql", {
        method: "POST",
        headers: {
          "content-type": "application/json",
          authorization: `Bearer ${org.token}`,
          "x-organization-id": org.id,
        },
        body: JSON.stringify(make(org.planId)),
      }),
    );
    const body = (await response.json()) as { errors?: unknown };
    if (body.errors) throw new Error(`${workload}: ${JSON.stringify(body.errors).slice(0, 300)}`);
  }
  const used = process.cpuUsage(started);
  return (used.user + used.system) / 1000 / count;
}

const cached = await gateway(1000);
const uncached = await gateway(0);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
for (const workload of (process.env.WORKLOADS ?? "W1,W3,W6").split(",")) {
  await run(cached.app, workload, 50);
  await run(uncached.app, workload, 50);
  const on: number[] = [];
  const off: number[] = [];
  for (let block = 0; block < blocks; block++) {
    // A B, then B A.
    if (block % 2 === 0) {
      on.push(await run(cached.app, workload, perBlock));
      off.push(await run(uncached.app, workload, perBlock));
    } else {
      off.push(await run(uncached.app, workload, perBlock));
      on.push(await run(cached.app, workload, perBlock));
    }
  }
  const a = median(on);
  const b = median(off);
  console.log(
    `${workload}: CPU ms/request, median of ${blocks} blocks of ${perBlock}: plan cache ${a.toFixed(3)}, ` +
      `without ${b.toFixed(3)} (${(((a - b) / b) * 100).toFixed(1)} %); blocks on [${on.map((x) => x.toFixed(2)).join(", ")}] off [${off.map((x) => x.toFixed(2)).join(", ")}]`,
  );
}
console.log(`plan cache: ${JSON.stringify(cached.database.planCacheStats())}`);
await cached.database.close();
await uncached.database.close();
process.exit(0);
