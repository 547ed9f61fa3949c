import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus } from "node:os";
import { fileURLToPath } from "node:url";
import type { SizeName } from "./config.js";
import type { SystemName, WorkloadName } from "./workloads.js";

// The results table: printed, and written to bench/results/<date>-<label>.md with the raw figures in .json.

export interface CountSummary {
  /** Per operation, as PostgreSQL received them. */
  data: number;
  settings: number;
  transaction: number;
  auth: number;
  other: number;
  /** data + settings + transaction + auth */
  total: number;
  /** Round trips of the tenant connection / of the auth login, per operation. */
  roundTrips: number;
  authRoundTrips: number;
  examples: { text: string; perOperation: number }[];
}

export interface BenchMeasurement {
  workload: WorkloadName;
  title: string;
  rootFields: number;
  system: SystemName;
  load: {
    rps: number;
    rpsPerRound: number[];
    p50: number;
    p99: number;
    p99Max: number;
    errors: number;
    requests: number;
    serverCpuMsPerRequest: number;
    loadCpuMsPerRequest: number;
    postgresCpuMsPerRequest: number;
    serverCores: number;
    loadCores: number;
  };
  sql?: CountSummary;
  /** The server's resident memory (MiB) after this workload's runs, and its peak since it started. */
  memoryMb?: { rss: number; peak: number };
  /** Plan-cache lookups during the timed runs (ours: src/platform/db/plan-cache.ts). */
  planCache?: { hit: number; miss: number; bypass: number };
}

export interface ReportInput {
  label: string;
  size: SizeName;
  organizations: number;
  plans: number;
  durationSeconds: number;
  warmupSeconds: number;
  connections: number;
  rounds: number;
  poolSize: number;
  pinned: boolean;
  /** 1-minute load average of the machine when the run started (other work skews results) and when it ended. */
  loadAverage: [number, number];
  /** PostgreSQL's server_version. */
  postgres: string;
  /** The Node.js version the servers run on (BENCH_NODE). */
  serverNode: string;
  measurements: BenchMeasurement[];
  write: boolean;
  wallSeconds: number;
}

const f0 = (n: number) => n.toFixed(0);
const f1 = (n: number) => n.toFixed(1);
const f2 = (n: number) => n.toFixed(2);
const fn = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(2));

function table(rows: string[][]): string {
  const [head, ...body] = rows;
  if (!head) return "";
  return [
    `| ${head.join(" | ")} |`,
    `|${head.map(() => "---").join("|")}|`,
    ...body.map((r) => `| ${r.join(" | ")} |`),
  ].join("\n");
}

function sqlCell(sql: CountSummary | undefined): [string, string, string] {
  if (!sql) return ["–", "–", "–"];
  return [
    fn(sql.data),
    `${fn(sql.total)} (${fn(sql.auth)}+${fn(sql.transaction)}+${fn(sql.settings)}+${fn(sql.data)})`,
    `${fn(sql.roundTrips)}+${fn(sql.authRoundTrips)}`,
  ];
}

function planCacheCell(counts: BenchMeasurement["planCache"]): string {
  if (!counts) return "–";
  const all = counts.hit + counts.miss + counts.bypass;
  if (all === 0) return "0 lookups";
  const pct = (n: number) => `${((100 * n) / all).toFixed(1)} %`;
  return `${pct(counts.hit)} (${pct(counts.miss)}, ${pct(counts.bypass)})`;
}

export function renderReport(input: ReportInput): string {
  const lines: string[] = [];
  const date = new Date().toISOString();
  lines.push(`# Benchmark ${input.label} — ${date.slice(0, 10)}`);
  lines.push("");
  lines.push(
    `Size **${input.size}** (${input.organizations} organizations, ${input.plans.toLocaleString("en-US")} plans), ` +
      `${input.connections} connections, ${input.rounds} round(s) of ${input.durationSeconds} s per system and workload ` +
      `(systems alternated A B C / C B A), ${input.warmupSeconds} s warm-up each, pool ${input.poolSize} per system. ` +
      `Servers on Node ${input.serverNode}, load generator on Node ${process.version}, ${availableParallelism()} × ${cpus()[0]?.model ?? "cpu"}, PostgreSQL ${input.postgres}. ` +
      (input.pinned
        ? "Load generator pinned to core 0, the server under test to core 1 (taskset); PostgreSQL unpinned."
        : "Not pinned (smoke, or taskset unavailable)."),
  );
  lines.push("");
  lines.push(
    `Machine load average (1 min) when the run started: ${f1(input.loadAverage[0])}; when it ended: ` +
      `${f1(input.loadAverage[1])} (the run itself keeps both cores busy)` +
      (input.loadAverage[0] > 1
        ? " — **other work was running on this 2-core machine: absolute figures are depressed and noisy; the ratios of alternated runs are what to read.**"
        : "."),
  );
  lines.push("");
  const rows: string[][] = [
    [
      "workload",
      "system",
      "req/s",
      "rounds req/s",
      "p50 ms",
      "p99 ms",
      "errors",
      "data stmts/op",
      "all stmts/op (auth+tx+settings+data)",
      "round trips/op (tenant+auth)",
      "server CPU ms/req (cores)",
      "loadgen CPU ms/req (cores)",
      "PostgreSQL CPU ms/req",
      "server RSS MiB after runs (peak)",
      "plan cache hits (miss, bypass)",
    ],
  ];
  for (const m of input.measurements) {
    const l = m.load;
    rows.push([
      `${m.workload} ${m.title}`,
      m.system,
      f0(l.rps),
      l.rpsPerRound.map(f0).join(" / "),
      f1(l.p50),
      f1(l.p99),
      String(l.errors),
      ...sqlCell(m.sql),
      `${f2(l.serverCpuMsPerRequest)} (${f2(l.serverCores)})`,
      `${f2(l.loadCpuMsPerRequest)} (${f2(l.loadCores)})`,
      f2(l.postgresCpuMsPerRequest),
      m.memoryMb ? `${f0(m.memoryMb.rss)} (${f0(m.memoryMb.peak)})` : "–",
      planCacheCell(m.planCache),
    ]);
  }
  lines.push(table(rows));
  lines.push("");

  const hasB = input.measurements.some((m) => m.system === "ours_b");
  const hasPooler = input.measurements.some((m) => m.system === "ours_pgbouncer");
  const floors = (["yoga_floor", "yoga_floor_jit"] as const).filter((floor) =>
    input.measurements.some((m) => m.system === floor),
  );
  const ratioRows: string[][] = [
    [
      "workload",
      "ours ÷ PostGraphile (req/s)",
      "ours ÷ baseline (req/s)",
      "ours p99 ≤ 50 ms",
      "ours data stmts per root field",
      ...floors.map((floor) => `${floor} ÷ PostGraphile`),
      ...(floors.includes("yoga_floor") ? ["ours ÷ yoga_floor"] : []),
      ...(hasB ? ["ours_b ÷ ours (req/s)", "ours_b ÷ PostGraphile", "ours_b ÷ baseline", "ours_b p99 ms"] : []),
      ...(hasPooler ? ["ours_pgbouncer ÷ ours (req/s)", "ours_pgbouncer p99 ms"] : []),
    ],
  ];
  const workloadsSeen = [...new Set(input.measurements.map((m) => m.workload))];
  /** a's requests/s over b's, or a dash when either did not run. */
  const ratio = (a: BenchMeasurement | undefined, b: BenchMeasurement | undefined) =>
    a && b ? `${f2(a.load.rps / b.load.rps)}×` : "–";
  for (const w of workloadsSeen) {
    const of = (s: SystemName) => input.measurements.find((m) => m.workload === w && m.system === s);
    const ours = of("ours");
    const pgl = of("postgraphile");
    const base = of("baseline");
    const oursB = of("ours_b");
    const pooled = of("ours_pgbouncer");
    if (!ours) continue;
    ratioRows.push([
      w,
      ratio(ours, pgl),
      ratio(ours, base),
      ours.load.p99 <= 50 ? `yes (${f1(ours.load.p99)})` : `no (${f1(ours.load.p99)})`,
      ours.sql ? fn(ours.sql.data / ours.rootFields) : "–",
      ...floors.map((floor) => ratio(of(floor), pgl)),
      ...(floors.includes("yoga_floor") ? [ratio(ours, of("yoga_floor"))] : []),
      ...(hasB ? [ratio(oursB, ours), ratio(oursB, pgl), ratio(oursB, base), oursB ? f1(oursB.load.p99) : "–"] : []),
      ...(hasPooler ? [ratio(pooled, ours), pooled ? f1(pooled.load.p99) : "–"] : []),
    ]);
  }
  lines.push(table(ratioRows));
  lines.push("");
  lines.push(
    "req/s: all requests of all rounds ÷ their total time; p50/p99: mean over rounds (autocannon). Errors: " +
      "connection errors + non-2xx + bodies with `errors`. Statements and round trips are counted on the " +
      "PostgreSQL wire by a proxy in a separate untimed pass (20 sequential requests per cell): data = " +
      "statements of the tenant login other than BEGIN/COMMIT and set_config; auth = statements of " +
      "trovella_auth (token and membership look-ups). CPU: process CPU time (utime+stime) of the server, of " +
      "the load generator (this process: autocannon), and of all postgres processes, per request. RSS: the " +
      "server process's resident memory (VmRSS) once the workload's runs are over, and in brackets its peak " +
      "(VmHWM) since it started; workloads run in order, so a later row's peak includes the earlier ones. " +
      "Plan cache: ours' relational queries during the timed runs whose SQL and row mapper were reused (hit), " +
      "built and kept (miss) or built as without the cache (bypass), as a share of all lookups.",
  );
  lines.push("");

  const ours = input.measurements.filter((m) => m.system === "ours" && m.sql);
  if (ours.length > 0) {
    lines.push("<details><summary>Statements of ours per operation (data, and [auth] look-ups)</summary>");
    lines.push("");
    for (const m of ours) {
      lines.push(`**${m.workload}**`);
      lines.push("");
      for (const e of m.sql?.examples ?? []) lines.push(`- ${fn(e.perOperation)}× \`${e.text.replace(/`/g, "'")}\``);
      lines.push("");
    }
    lines.push("</details>");
    lines.push("");
  }
  lines.push(`Wall time of the whole run: ${f0(input.wallSeconds)} s.`);
  return lines.join("\n");
}

const resultsDir = fileURLToPath(new URL("./results/", import.meta.url));

export function writeReport(input: ReportInput): { text: string; path: string | null } {
  const text = renderReport(input);
  if (!input.write) return { text, path: null };
  mkdirSync(resultsDir, { recursive: true });
  const base = `${new Date().toISOString().slice(0, 10)}-${input.label}`;
  let name = base;
  for (let i = 2; existsSync(`${resultsDir}${name}.md`) && i < 1000; i++) name = `${base}-${i}`;
  const path = `${resultsDir}${name}.md`;
  writeFileSync(path, `${text}\n`);
  writeFileSync(`${resultsDir}${name}.json`, `${JSON.stringify(input.measurements, null, 2)}\n`);
  return { text, path };
}

/** For comparing two result files by hand: their measurements. */
export function readMeasurements(path: string): BenchMeasurement[] {
  return JSON.parse(readFileSync(path, "utf8")) as BenchMeasurement[];
}
