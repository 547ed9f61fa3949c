import { mkdir, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type SQL, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import {
  type SearchStrategy,
  searchChunksByVector,
  type VectorSearchOptions,
} from "../src/domains/search/vector-search.js";
import { defaultSearchTuning, type SearchTuning } from "../src/platform/config/index.js";
import { Database, migrate } from "../src/platform/db/index.js";
import { type Corpus, createCorpus, loadCorpus, recallOf, skewedSizes } from "../test/search/corpus.js";

// `npm run bench:search` (not part of CI): semantic search over a synthetic clustered corpus of 100k chunks in
// 10 tenants of skewed sizes, on a real PostgreSQL server with pgvector, through the tenant door (RLS) exactly
// as the gateway searches. For each tenant: p50/p99 latency, recall@10 against the exact path, and fill rate
// (results / k) for HNSW with iterative scan off / relaxed_order / strict_order, the exact path, and the rule
// (auto, default tuning). Writes bench/results/search-<date>.md.
//
// Environment:
//   BENCH_ADMIN_URL or DATABASE_URL  a superuser URL of the server (default postgres://postgres@127.0.0.1:5432/postgres);
//                                    the benchmark creates its own database there and drops it at the end
//   BENCH_CHUNKS                     corpus size (default 100000)
//   BENCH_QUERIES                    queries per tenant and mode (default 50)
//   BENCH_KEEP_DATABASE=1            keep the database (and reuse it on the next run with the same BENCH_CHUNKS)

const k = 10;
const adminUrl =
  process.env.BENCH_ADMIN_URL || process.env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres";
const totalChunks = positive("BENCH_CHUNKS", 100_000);
const queriesPerTenant = positive("BENCH_QUERIES", 50);
const keepDatabase = process.env.BENCH_KEEP_DATABASE === "1";
const databaseName = `trovella_bench_search_${totalChunks}`;
const resultsDir = fileURLToPath(new URL("./results/", import.meta.url));

function positive(name: string, fallback: number): number {
  const raw = process.env[name];
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive whole number`);
  return value;
}

function log(message: string): void {
  process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${message}\n`);
}

interface Mode {
  name: string;
  description: string;
  options: Partial<VectorSearchOptions>;
}

// Generous statement timeout: the benchmark measures each path, it does not want them cut short.
const measured: Partial<SearchTuning> = { statementTimeoutMs: 120_000 };
const modes: Mode[] = [
  {
    name: "hnsw, iterative off",
    description: "HNSW as most code uses it: no iterative scan, pgvector's default ef_search = 40",
    options: { strategy: "hnsw", tuning: { ...measured, iterativeScan: "off", efSearch: 40, exactFallback: false } },
  },
  {
    name: "hnsw, relaxed_order",
    description: `iterative scan relaxed_order, ef_search ${defaultSearchTuning.efSearch}, max_scan_tuples ${defaultSearchTuning.maxScanTuples}, no fallback`,
    options: { strategy: "hnsw", tuning: { ...measured, iterativeScan: "relaxed_order", exactFallback: false } },
  },
  {
    name: "hnsw, strict_order",
    description: `iterative scan strict_order, ef_search ${defaultSearchTuning.efSearch}, max_scan_tuples ${defaultSearchTuning.maxScanTuples}, no fallback`,
    options: { strategy: "hnsw", tuning: { ...measured, iterativeScan: "strict_order", exactFallback: false } },
  },
  {
    name: "exact",
    description: "exact distance over the tenant's rows, read through the organization_id index",
    options: { strategy: "exact", tuning: measured },
  },
  {
    name: "auto (the rule)",
    description: `the production rule: exact at ≤ ${defaultSearchTuning.exactMaxRows} candidate rows, else relaxed_order with exact fallback`,
    options: { strategy: "auto", tuning: measured },
  },
];

interface Sample {
  ms: number;
  ids: string[];
  strategy: SearchStrategy;
  fellBack: boolean;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

async function prepareDatabase(): Promise<{ url: string; seeded: boolean }> {
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    const existing = await admin`select 1 from pg_database where datname = ${databaseName}`;
    const url = new URL(adminUrl);
    url.pathname = `/${databaseName}`;
    if (existing.length > 0) {
      const probe = postgres(url.toString(), { max: 1, onnotice: () => {} });
      try {
        const [row] = await probe`select count(*)::int as n from document_chunk`;
        if (keepDatabase && Number(row?.n) === totalChunks) {
          log(`reusing database ${databaseName} (${totalChunks} chunks already there)`);
          return { url: url.toString(), seeded: true };
        }
      } catch {
        // not a usable bench database: recreate it
      } finally {
        await probe.end();
      }
      await admin.unsafe(`drop database "${databaseName}" with (force)`);
    }
    await admin.unsafe(`create database "${databaseName}"`);
    log(`created database ${databaseName}`);
    return { url: url.toString(), seeded: false };
  } finally {
    await admin.end();
  }
}

async function seed(url: string, corpus: Corpus): Promise<{ loadSeconds: number; indexSeconds: number }> {
  // One owner connection: the session settings below apply to the index build.
  const ownerSql = postgres(url, { max: 1, onnotice: () => {} });
  const owner = drizzle({ client: ownerSql });
  const exec = (query: SQL) => owner.execute(query);
  await exec(sql`set maintenance_work_mem = '2GB'`);
  await exec(sql`set max_parallel_maintenance_workers = ${sql.raw(String(Math.max(1, os.cpus().length - 1)))}`);
  const started = Date.now();
  let indexStarted = started;
  let lastReport = 0;
  await loadCorpus(exec, corpus, {
    batchSize: 200,
    rebuildIndex: true,
    onProgress: (written, total) => {
      const now = Date.now();
      if (written === total || now - lastReport > 5_000) {
        lastReport = now;
        const rate = written / ((now - started) / 1000);
        const eta = Math.round((total - written) / Math.max(rate, 1));
        log(
          `seeding: ${written.toLocaleString("en")} / ${total.toLocaleString("en")} chunks (${Math.round(rate)}/s, ~${eta}s left)`,
        );
      }
    },
    onIndexBuild: () => {
      indexStarted = Date.now();
      log("seeding: building the HNSW index (halfvec_cosine_ops, the migration's definition)…");
    },
  });
  const done = Date.now();
  log(`seeding: index built in ${((done - indexStarted) / 1000).toFixed(1)}s`);
  await ownerSql.end();
  return { loadSeconds: (indexStarted - started) / 1000, indexSeconds: (done - indexStarted) / 1000 };
}

async function main(): Promise<void> {
  const sizes = skewedSizes(totalChunks, 10, 0.62);
  // Rounding: make the sizes add up exactly.
  sizes[0] = (sizes[0] ?? 0) + totalChunks - sizes.reduce((a, b) => a + b, 0);
  const corpus = createCorpus({
    tenantSizes: sizes,
    prefix: "bench",
    topicCount: 48,
    topicsPerTenant: 6,
    plansPerTenant: 10,
    artifactsPerPlan: 10,
  });
  log(`corpus: ${totalChunks.toLocaleString("en")} chunks, tenants ${sizes.join(" / ")}`);

  const { url, seeded } = await prepareDatabase();
  const database = await Database.open({ databaseUrl: url, poolSize: 4 });
  let seeding = { loadSeconds: Number.NaN, indexSeconds: Number.NaN };
  try {
    await migrate(database);
    if (!seeded) seeding = await seed(url, corpus);

    const meta = postgres(url, { max: 1, onnotice: () => {} });
    const [server] = await meta`select version() as version,
      (select extversion from pg_extension where extname = 'vector') as pgvector,
      pg_size_pretty(pg_relation_size('document_chunk_embedding_hnsw_idx')) as index_size,
      pg_size_pretty(pg_total_relation_size('document_chunk')) as table_size`;
    await meta.end();

    // Warm-up: every tenant, every mode, a few queries (caches, plans).
    log("warming up…");
    for (const tenant of corpus.tenants) {
      for (const mode of modes) {
        for (let q = 0; q < 2; q++) {
          await database.withTenantContext(
            { organizationId: tenant.organizationId, userId: tenant.userId },
            (tx) => searchChunksByVector(tx, corpus.queryFor(tenant, 10_000 + q), { first: k, ...mode.options }),
            { readOnly: true },
          );
        }
      }
    }

    const loadBefore = os.loadavg();
    const results = new Map<string, Map<number, Sample[]>>();
    for (const mode of modes) results.set(mode.name, new Map());
    for (const tenant of corpus.tenants) {
      const started = Date.now();
      for (let q = 0; q < queriesPerTenant; q++) {
        const vector = corpus.queryFor(tenant, q);
        for (const mode of modes) {
          const sample = await database.withTenantContext(
            { organizationId: tenant.organizationId, userId: tenant.userId },
            async (tx) => {
              const begin = performance.now();
              const result = await searchChunksByVector(tx, vector, { first: k, ...mode.options });
              return {
                ms: performance.now() - begin,
                ids: result.hits.map((hit) => hit.chunkId),
                strategy: result.strategy,
                fellBack: result.fellBack,
              };
            },
            { readOnly: true },
          );
          const byTenant = results.get(mode.name);
          byTenant?.set(tenant.index, [...(byTenant.get(tenant.index) ?? []), sample]);
        }
      }
      log(
        `measured tenant ${tenant.index} (${tenant.size.toLocaleString("en")} chunks): ${queriesPerTenant} queries × ${modes.length} modes in ${((Date.now() - started) / 1000).toFixed(1)}s`,
      );
    }
    const loadAfter = os.loadavg();

    // Tables.
    const exactSamples = results.get("exact");
    const lines: string[] = [];
    const rows: string[][] = [];
    for (const tenant of corpus.tenants) {
      for (const mode of modes) {
        const samples = results.get(mode.name)?.get(tenant.index) ?? [];
        const truth = exactSamples?.get(tenant.index) ?? [];
        const recall = samples.reduce((sum, s, i) => sum + recallOf(s.ids, truth[i]?.ids ?? []), 0) / samples.length;
        const fill = samples.reduce((sum, s) => sum + s.ids.length, 0) / (samples.length * k);
        const full = samples.filter((s) => s.ids.length === k).length / samples.length;
        const exactShare = samples.filter((s) => s.strategy === "exact").length;
        const fellBack = samples.filter((s) => s.fellBack).length;
        const ms = samples.map((s) => s.ms);
        rows.push([
          `${tenant.index}`,
          tenant.size.toLocaleString("en"),
          `${((100 * tenant.size) / totalChunks).toFixed(1)} %`,
          mode.name,
          percentile(ms, 50).toFixed(1),
          percentile(ms, 99).toFixed(1),
          recall.toFixed(3),
          `${(fill * k).toFixed(1)} / ${k}`,
          `${Math.round(full * 100)} %`,
          mode.name.startsWith("auto")
            ? `${exactShare} exact, ${samples.length - exactShare} hnsw, ${fellBack} fallback`
            : "",
        ]);
      }
    }
    const header = [
      "tenant",
      "chunks",
      "share",
      "mode",
      "p50 ms",
      "p99 ms",
      "recall@10",
      "fill",
      "k of k",
      "auto chose",
    ];
    const table = [
      `| ${header.join(" | ")} |`,
      `|${header.map(() => "---").join("|")}|`,
      ...rows.map((row) => `| ${row.join(" | ")} |`),
    ];

    // Summary per mode over all tenants.
    const summary = modes.map((mode) => {
      const all = corpus.tenants.flatMap((t) => results.get(mode.name)?.get(t.index) ?? []);
      const truthAll = corpus.tenants.flatMap((t) => exactSamples?.get(t.index) ?? []);
      const recall = all.reduce((sum, s, i) => sum + recallOf(s.ids, truthAll[i]?.ids ?? []), 0) / all.length;
      const smallest = results.get(mode.name)?.get(corpus.tenants.length - 1) ?? [];
      const smallestFill = smallest.reduce((sum, s) => sum + s.ids.length, 0) / (smallest.length || 1);
      const ms = all.map((s) => s.ms);
      return `| ${mode.name} | ${percentile(ms, 50).toFixed(1)} | ${percentile(ms, 99).toFixed(1)} | ${recall.toFixed(3)} | ${smallestFill.toFixed(1)} / ${k} |`;
    });

    const date = new Date().toISOString().slice(0, 10);
    lines.push(
      `# Semantic search benchmark, ${date}`,
      "",
      "`npm run bench:search` (bench/search.ts). Each query runs as one read-only tenant transaction through",
      "`Database.withTenantContext` (RLS on, runtime role), and the latency is that of `searchChunksByVector`",
      "inside it (settings, candidate count where the mode needs it, the search statement, the savepoint).",
      "",
      "## Setup",
      "",
      `- ${String(server?.version ?? "").split(",")[0]}, pgvector ${server?.pgvector}; ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? "?"}), load average ${loadBefore.map((x) => x.toFixed(1)).join(" ")} before and ${loadAfter.map((x) => x.toFixed(1)).join(" ")} after the measured runs`,
      `- ${totalChunks.toLocaleString("en")} chunks (halfvec(1536), unit vectors) in 10 tenants: ${sizes.map((s) => s.toLocaleString("en")).join(" / ")}; 48 topics × 4 subtopics, each tenant but the largest drawing from 6 topics; table ${server?.table_size}, HNSW index ${server?.index_size} (m 16, ef_construction 64: the migration's)`,
      seeded
        ? "- database reused from an earlier run (BENCH_KEEP_DATABASE=1)"
        : `- seeding: ${seeding.loadSeconds.toFixed(0)} s to write the chunks, ${seeding.indexSeconds.toFixed(0)} s to build the HNSW index`,
      `- ${queriesPerTenant} queries per tenant and mode (query vectors near one of the tenant's subtopics), k = ${k}; recall@10 against the exact path's answer to the same query`,
      "",
      "Modes:",
      "",
      ...modes.map((mode) => `- **${mode.name}**: ${mode.description}`),
      "",
      "## All tenants",
      "",
      "| mode | p50 ms | p99 ms | recall@10 | fill, smallest tenant |",
      "|---|---|---|---|---|",
      ...summary,
      "",
      "## Per tenant",
      "",
      ...table,
      "",
    );
    const markdown = lines.join("\n");
    await mkdir(resultsDir, { recursive: true });
    const file = path.join(resultsDir, `search-${date}.md`);
    await writeFile(file, markdown);
    process.stdout.write(`\n${markdown}\n`);
    log(`wrote ${path.relative(process.cwd(), file)}`);
  } finally {
    await database.close();
    if (!keepDatabase) {
      const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
      await admin.unsafe(`drop database if exists "${databaseName}" with (force)`);
      await admin.end();
      log(`dropped database ${databaseName}`);
    }
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
