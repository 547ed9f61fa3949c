import { sql } from "drizzle-orm";
import { demoUsers } from "../src/platform/db/index.js";
import {
  aliceAcme,
  type Credentials,
  planGlobalId,
  type Subscription,
  signIn,
  startLiveServer,
  subscribeSse,
} from "../test/live/support/live-server.js";

// `npm run bench:subscriptions` (not part of CI): N subscribers (SSE, over real sockets) watching M plans of
// three tenants with researchPlanUpdated, while K writes per second (as the owner, outside the gateway) rename
// random plans. Reports delivery latency (commit → client) p50/p99, runtime statements per delivery, and CPU per
// delivery. The gateway runs in this process, so the CPU figure includes the SSE clients and the writer: an
// upper bound of the server's share. On PGlite by default; TEST_DATABASE_URL for a real server.
//
// Environment: BENCH_SUBSCRIBERS (N, default 60), BENCH_PLANS (M, default 12), BENCH_WRITES_PER_SECOND (K,
// default 10), BENCH_SECONDS (default 10).

const setting = (name: string, fallback: number) => {
  const value = Number(process.env[name]);
  return Number.isInteger(value) && value > 0 ? value : fallback;
};
const subscribers = setting("BENCH_SUBSCRIBERS", 60);
const planCount = setting("BENCH_PLANS", 12);
const writesPerSecond = setting("BENCH_WRITES_PER_SECOND", 10);
const seconds = setting("BENCH_SECONDS", 10);

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

async function main(): Promise<void> {
  let statements = 0;
  const server = await startLiveServer(
    { maxPerPrincipal: subscribers, maxPerOrganization: subscribers, recheckIntervalMs: 30_000 },
    { onStatement: () => statements++ },
  );
  try {
    const tenants: Credentials[] = [
      aliceAcme,
      { token: await signIn(server.baseUrl, demoUsers.carol.email), organizationId: "demo-org-globex" },
      { token: await signIn(server.baseUrl, demoUsers.dave.email), organizationId: "demo-org-initech" },
    ];
    const plans: { id: string; tenant: Credentials }[] = [];
    for (const tenant of tenants) {
      const rows = await server.db.asOwner<{ id: string }>(
        sql`select id from research_plan where organization_id = ${tenant.organizationId} order by id limit ${Math.ceil(planCount / tenants.length)}`,
      );
      for (const row of rows) plans.push({ id: row.id, tenant });
    }
    const watched = plans.slice(0, planCount);
    const subscriptions: Subscription[] = [];
    for (let i = 0; i < subscribers; i++) {
      const plan = watched[i % watched.length] as (typeof watched)[number];
      subscriptions.push(
        await subscribeSse(
          server.baseUrl,
          {
            query: `subscription($id: ID!) { researchPlanUpdated(id: $id) { title } }`,
            variables: { id: planGlobalId(plan.id) },
          },
          plan.tenant,
        ),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 500));

    const committedAt = new Map<string, number>();
    const latencies: number[] = [];
    const seen = subscriptions.map(() => 0);
    const statementsBefore = statements;
    const cpuBefore = process.cpuUsage();
    const startedAt = performance.now();
    let writes = 0;
    const poll = setInterval(() => {
      subscriptions.forEach((sub, i) => {
        for (; (seen[i] as number) < sub.results.length; seen[i] = (seen[i] as number) + 1) {
          const title = (sub.results[seen[i] as number]?.data?.researchPlanUpdated as { title?: string } | null)?.title;
          const at = title ? committedAt.get(title) : undefined;
          if (at !== undefined) latencies.push(performance.now() - at);
        }
      });
    }, 5);
    while (performance.now() - startedAt < seconds * 1000) {
      const plan = watched[writes % watched.length] as (typeof watched)[number];
      const title = `bench write ${writes}`;
      await server.db.asOwner(sql`update research_plan set title = ${title} where id = ${plan.id}`);
      committedAt.set(title, performance.now());
      writes += 1;
      const next = startedAt + (writes * 1000) / writesPerSecond;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - performance.now())));
    }
    await new Promise((resolve) => setTimeout(resolve, 1500));
    clearInterval(poll);
    const cpu = process.cpuUsage(cpuBefore);
    const deliveries = subscriptions.reduce((sum, sub) => sum + sub.results.length, 0);
    const sorted = [...latencies].sort((a, b) => a - b);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    const lines = [
      `subscriptions bench (${process.env.TEST_DATABASE_URL ? "postgres" : "pglite"}): ${subscribers} subscribers, ${watched.length} plans in ${tenants.length} tenants, ${writesPerSecond} writes/s for ${seconds} s`,
      `  writes: ${writes}, deliveries: ${deliveries} (expected about ${Math.round((writes * subscribers) / watched.length)}; a re-read that finds a newer title counts once)`,
      `  delivery latency (commit → client): p50 ${percentile(sorted, 50).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms`,
      `  runtime statements per delivery: ${((statements - statementsBefore) / Math.max(1, deliveries)).toFixed(2)} (plus one identity look-up, the re-check)`,
      `  CPU per delivery (this process: gateway, clients and writer): ${(cpuMs / Math.max(1, deliveries)).toFixed(2)} ms`,
    ];
    process.stdout.write(`${lines.join("\n")}\n`);
    for (const sub of subscriptions) sub.close();
  } finally {
    await server.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
