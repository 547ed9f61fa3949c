// npm run bench — seeds (or reuses) the bench database, starts our gateway (also through PgBouncer in
// transaction mode, as ours_pgbouncer), PostGraphile v5, the hand-written baseline and the Yoga floors (bare
// graphql-yoga running the baseline's statements) against it, checks that they answer every workload alike, counts the SQL each one sends per operation, then loads
// each with autocannon (warm-up first, systems alternated) and writes the table to
// bench/results/<date>-<label>.md (and .json).
//
// npm run bench:smoke — the same on SIZE=tiny, one second per workload and system, no results file; exits
// non-zero when a system fails a workload or the answers differ.
//
// Environment: SIZE (tiny|small|default|large), LABEL, DURATION (s per run), WARMUP (s), CONNECTIONS,
// ROUNDS, WORKLOADS (W1,W3,…), SYSTEMS (ours,ours_pgbouncer,postgraphile,baseline,yoga_floor,yoga_floor_jit
// [,ours_b]; ours_pgbouncer is ours through PgBouncer in transaction mode, left out where pgbouncer is missing),
// BENCH_REUSE=1 (keep an already seeded database of the same size), BENCH_DATABASE, BENCH_ADMIN_URL
// (127.0.0.1 only), POOL_SIZE, OURS_DIR (run our gateway from this checkout instead of the work tree),
// OURS_B_DIR (also run a second build of ours, `ours_b`, alternated with the others: before/after of a
// change in one run), CPU_PROFILE=1 (the servers run with --cpu-prof in the timed runs;
// bench/profiles/<time>-<label>/summary.md says where each spent its CPU, per workload).

import { writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { isDeepStrictEqual } from "node:util";
import autocannon from "autocannon";
import postgres from "postgres";
import { type PgBouncer, pgBouncerBinary, requirePgBouncer, startPgBouncer } from "../test/ops/support/pgbouncer.js";
import { type BenchConfig, databaseUrl, loadBenchConfig, type SizeName } from "./config.js";
import { monotonicMicros, type ProfileWindow, summarizeDirectory } from "./cpu-profile.js";
import { type BenchMeasurement, type CountSummary, writeReport } from "./report.js";
import { type BenchOrganization, benchFunctionsSql, benchOrganizations, planId, seedBenchDatabase } from "./seed.js";
import { difference, type SqlCounts, type SqlProxy, snapshot, startSqlProxy } from "./sql-proxy.js";
import {
  hasTaskset,
  pinSelf,
  planCacheCounts,
  postgresCpuBetween,
  postgresCpuByPid,
  processCpuMs,
  processMemoryMb,
  type RunningSystem,
  serverNodeVersion,
  startSystem,
} from "./systems.js";
import {
  endCursorOf,
  firstPageRequest,
  type RequestBody,
  type SystemName,
  systemNames,
  type Target,
  type Workload,
  type WorkloadName,
  workloadNames,
  workloads,
} from "./workloads.js";

interface RunOptions {
  smoke: boolean;
  label: string;
  durationSeconds: number;
  warmupSeconds: number;
  connections: number;
  rounds: number;
  poolSize: number;
  reuse: boolean;
  workloads: WorkloadName[];
  systems: SystemName[];
  /** Sequential requests per workload and system in the counting pass. */
  countRequests: number;
  /** The bench database (its backends' CPU time is measured). */
  databaseName: string;
  /** CPU_PROFILE=1: the servers run with --cpu-prof during the timed runs; a summary per workload is written. */
  cpuProfile: boolean;
}

function numberFrom(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) throw new Error(`${name} must be from ${min} to ${max}`);
  return value;
}

function listFrom<T extends string>(name: string, all: readonly T[]): T[] {
  const raw = process.env[name];
  if (!raw) return [...all];
  const picked = raw.split(",").map((s) => s.trim());
  for (const item of picked) if (!all.includes(item as T)) throw new Error(`${name}: unknown "${item}"`);
  return all.filter((item) => picked.includes(item));
}

function loadOptions(smoke: boolean): RunOptions {
  return {
    smoke,
    label: (process.env.LABEL || (smoke ? "smoke" : "run")).replace(/[^\w.-]/g, "_"),
    durationSeconds: numberFrom("DURATION", smoke ? 1 : 10, 1, 300),
    warmupSeconds: numberFrom("WARMUP", smoke ? 0 : 3, 0, 60),
    connections: numberFrom("CONNECTIONS", 10, 1, 200),
    rounds: numberFrom("ROUNDS", smoke ? 1 : 2, 1, 10),
    poolSize: numberFrom("POOL_SIZE", 10, 1, 40),
    reuse: smoke ? false : process.env.BENCH_REUSE === "1",
    workloads: listFrom("WORKLOADS", workloadNames),
    systems: listFrom(
      "SYSTEMS",
      systemNames.filter(
        (name) =>
          (name !== "ours_b" || Boolean(process.env.OURS_B_DIR)) && (name !== "ours_pgbouncer" || requirePgBouncer()),
      ),
    ),
    countRequests: smoke ? 5 : 20,
    databaseName: "",
    cpuProfile: !smoke && process.env.CPU_PROFILE === "1",
  };
}

const log = (message: string) => console.log(`bench: ${message}`);

// ---------------------------------------------------------------------------------------------------------
// The data set

async function seededSize(config: BenchConfig): Promise<string | null> {
  const admin = postgres(config.adminUrl, { max: 1, onnotice: () => {} });
  try {
    const exists = await admin`select 1 from pg_database where datname = ${config.databaseName}`;
    if (exists.length === 0) return null;
  } finally {
    await admin.end({ timeout: 5 });
  }
  const sql = postgres(databaseUrl(config), { max: 1, onnotice: () => {} });
  try {
    // A database seeded before W6 has no outputs: it is seeded again.
    const rows = await sql<{ size: string }[]>`
      select size from bench_pg.meta where exists (select 1 from research_output) limit 1`;
    return rows[0]?.size ?? null;
  } catch {
    return null;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

async function prepareDatabase(config: BenchConfig, options: RunOptions): Promise<BenchOrganization[]> {
  if (options.reuse && (await seededSize(config)) === config.size) {
    log(`reusing database "${config.databaseName}" (size ${config.size})`);
    const sql = postgres(databaseUrl(config), { max: 1, onnotice: () => {} });
    try {
      await sql.unsafe(benchFunctionsSql); // idempotent: the functions as this version of the harness has them
    } finally {
      await sql.end({ timeout: 5 });
    }
    return benchOrganizations(config.size);
  }
  const orgs = await seedBenchDatabase(config);
  const sql = postgres(databaseUrl(config), { max: 1, onnotice: () => {} });
  try {
    await sql`create table if not exists bench_pg.meta (size text not null, seeded_at timestamptz not null default now())`;
    await sql`insert into bench_pg.meta (size) values (${config.size})`;
  } finally {
    await sql.end({ timeout: 5 });
  }
  return orgs;
}

async function serverVersionOf(url: string): Promise<string> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const rows = await sql<{ server_version: string }[]>`show server_version`;
    return rows[0]?.server_version ?? "?";
  } finally {
    await sql.end({ timeout: 5 });
  }
}

// ---------------------------------------------------------------------------------------------------------
// Requests

interface Slot {
  target: Target;
  headers: Record<string, string>;
}

function headersFor(org: BenchOrganization): Record<string, string> {
  return {
    "content-type": "application/json",
    authorization: `Bearer ${org.token}`,
    "x-organization-id": org.id,
  };
}

/** Round-robin over organizations, so consecutive requests hit different tenants. */
function interleave(perOrg: Target[][]): Slot[] {
  const slots: Slot[] = [];
  const longest = Math.max(0, ...perOrg.map((t) => t.length));
  for (let i = 0; i < longest; i++) {
    for (const targets of perOrg) {
      const target = targets[i];
      if (target) slots.push({ target, headers: headersFor(target.org) });
    }
  }
  return slots;
}

/** W5 writes to older plans only (W1–W4 and W6 read the 40 newest of each organization). */
function w5Plans(org: BenchOrganization, limit: number): string[] {
  const last = Math.min(limit, org.planCount - 40);
  return Array.from({ length: Math.max(0, last) }, (_, i) => planId(org, i + 1));
}

function buildSlots(orgs: BenchOrganization[], workload: WorkloadName): Slot[] {
  switch (workload) {
    case "W1":
    case "W6":
      return interleave(
        orgs.map((org) =>
          Array.from({ length: 20 }, (_, k) => ({ org, planId: planId(org, org.planCount - k), cursors: {} })),
        ),
      );
    case "W5":
      return interleave(orgs.map((org) => w5Plans(org, 200).map((id) => ({ org, planId: id, cursors: {} }))));
    default:
      return interleave(orgs.map((org) => [{ org, planId: "", cursors: {} }]));
  }
}

async function send(system: RunningSystem, request: RequestBody, headers: Record<string, string>): Promise<unknown> {
  const response = await fetch(`http://127.0.0.1:${system.port}${request.path}`, {
    method: "POST",
    headers,
    body: request.body,
  }).catch((error: unknown) => {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? String(error);
    throw new Error(`${system.name} did not answer (${cause}); its last output:\n${system.output().slice(-2000)}`);
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${system.name} answered ${response.status} with a body that is not JSON: ${text.slice(0, 500)}`);
  }
  if (response.status !== 200) {
    throw new Error(`${system.name} answered ${response.status}: ${text.slice(0, 1000)}`);
  }
  return json;
}

/** Each system's W4 cursor for every organization (the first page's endCursor). */
async function fillCursors(systems: RunningSystem[], slots: Slot[]): Promise<void> {
  for (const slot of slots) {
    for (const system of systems) {
      const response = await send(system, firstPageRequest(system.name), slot.headers);
      slot.target.cursors[system.name] = endCursorOf(system.name, response);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Same answers everywhere

function describeDifference(a: unknown, b: unknown, path = "$"): string {
  if (isDeepStrictEqual(a, b)) return "";
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return `${path}: ${a.length} items vs ${b.length}`;
    for (let i = 0; i < a.length; i++) {
      const d = describeDifference(a[i], b[i], `${path}[${i}]`);
      if (d) return d;
    }
  }
  if (a && b && typeof a === "object" && typeof b === "object" && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const key of keys) {
      const d = describeDifference(
        (a as Record<string, unknown>)[key],
        (b as Record<string, unknown>)[key],
        `${path}.${key}`,
      );
      if (d) return d;
    }
  }
  return `${path}: ${JSON.stringify(a)?.slice(0, 300)} vs ${JSON.stringify(b)?.slice(0, 300)}`;
}

class MismatchError extends Error {}

async function compareReads(systems: RunningSystem[], workload: Workload, slots: Slot[], samples: number) {
  const picked = slots.filter((_, i) => i % Math.max(1, Math.floor(slots.length / samples)) === 0).slice(0, samples);
  for (const slot of picked) {
    const answers: { name: SystemName; value: unknown }[] = [];
    for (const system of systems) {
      const response = await send(system, workload.request(system.name, slot.target, 0), slot.headers);
      answers.push({ name: system.name, value: workload.normalize(system.name, response) });
    }
    const reference = answers[0];
    if (!reference) return;
    if (reference.value === null || (Array.isArray(reference.value) && reference.value.length === 0)) {
      throw new MismatchError(`${workload.name}: ${reference.name} answered nothing for ${slot.target.org.id}`);
    }
    for (const other of answers.slice(1)) {
      const diff = describeDifference(reference.value, other.value);
      if (diff) {
        throw new MismatchError(
          `${workload.name} (${workload.title}) differs for ${slot.target.org.id} ${slot.target.planId}: ` +
            `${reference.name} vs ${other.name} at ${diff}`,
        );
      }
    }
  }
  log(`${workload.name}: ${picked.length} requests answered alike by ${systems.map((s) => s.name).join(", ")}`);
}

/**
 * W5 on plans in the same state (same step count and version), one per system. The plans may be of different
 * organizations: one organization's few plans of SIZE=tiny rarely hold a group for every system.
 */
async function compareMutation(systems: RunningSystem[], workload: Workload, slots: Slot[], ownerUrl: string) {
  const candidates = slots.map((s) => s.target.planId);
  if (candidates.length === 0) throw new Error("W5: no target plans");
  const sql = postgres(ownerUrl, { max: 1, onnotice: () => {} });
  let chosen: string[] = [];
  try {
    const rows = await sql<{ id: string; version: number; steps: number }[]>`
      select p.id, p.version, (select count(*)::int from plan_step s where s.organization_id = p.organization_id and s.plan_id = p.id) as steps
      from research_plan p where p.id = any(${candidates})`;
    const groups = new Map<string, string[]>();
    for (const row of rows) {
      const key = `${row.version}/${row.steps}`;
      groups.set(key, [...(groups.get(key) ?? []), row.id]);
    }
    chosen = [...groups.values()].find((ids) => ids.length >= systems.length) ?? [];
  } finally {
    await sql.end({ timeout: 5 });
  }
  if (chosen.length < systems.length) {
    throw new Error(
      "W5: no plans in the same state to compare the mutation on (earlier runs on this database added steps " +
        "to them): run once without BENCH_REUSE=1 to reseed",
    );
  }
  const answers: { name: SystemName; value: unknown }[] = [];
  for (const [i, system] of systems.entries()) {
    const slot = slots.find((s) => s.target.planId === chosen[i]);
    if (!slot) throw new Error("W5: lost a target");
    const response = await send(system, workload.request(system.name, slot.target, 0), slot.headers);
    answers.push({ name: system.name, value: workload.normalize(system.name, response) });
  }
  const [reference, ...others] = answers;
  for (const other of others) {
    const diff = reference ? describeDifference(reference.value, other.value) : "";
    if (diff) throw new MismatchError(`W5 differs: ${reference?.name} vs ${other.name} at ${diff}`);
  }
  log(`W5: one step added by each of ${systems.map((s) => s.name).join(", ")} on plans in the same state, alike`);
}

// ---------------------------------------------------------------------------------------------------------
// SQL per operation

function summarize(counts: SqlCounts, requests: number): CountSummary {
  const s = counts.statements;
  const examples = [...counts.dataTexts.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([text, n]) => ({
      text: text.length > 400 ? `${text.slice(0, 400)}…` : text,
      perOperation: n / requests,
    }));
  return {
    data: s.data / requests,
    settings: s.settings / requests,
    transaction: s.transaction / requests,
    auth: s.auth / requests,
    other: s.other / requests,
    total: (s.data + s.settings + s.transaction + s.auth) / requests,
    roundTrips: counts.roundTrips / requests,
    authRoundTrips: counts.authRoundTrips / requests,
    examples: examples.slice(0, 12),
  };
}

async function countStatements(
  system: RunningSystem,
  proxy: SqlProxy,
  workload: Workload,
  slots: Slot[],
  requests: number,
  poolSize: number,
): Promise<CountSummary> {
  // Warm every pooled connection first (prepared statements, describes), concurrently so that each connection
  // of the pool serves some, then settle: the count is of steady-state operations.
  for (let wave = 0; wave < 2; wave++) {
    await Promise.all(
      Array.from({ length: poolSize }, async (_, i) => {
        const slot = slots[(wave * poolSize + i) % slots.length];
        if (slot)
          await send(system, workload.request(system.name, slot.target, 500 + wave * poolSize + i), slot.headers);
      }),
    );
  }
  await new Promise((resolve) => setTimeout(resolve, 50));
  const before = snapshot(proxy.counts);
  for (let i = 0; i < requests; i++) {
    const slot = slots[(i * 7 + 3) % slots.length];
    if (!slot) break;
    workload.normalize(system.name, await send(system, workload.request(system.name, slot.target, i), slot.headers));
  }
  await new Promise((resolve) => setTimeout(resolve, 50));
  return summarize(difference(snapshot(proxy.counts), before), requests);
}

// ---------------------------------------------------------------------------------------------------------
// Load

interface LoadRun {
  requests: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  serverCpuMs: number;
  loadCpuMs: number;
  postgresCpuMs: number;
}

async function load(
  system: RunningSystem,
  workload: Workload,
  slots: Slot[],
  options: RunOptions,
  seconds: number,
  sequenceStart: number,
): Promise<LoadRun> {
  let sequence = sequenceStart;
  const serverBefore = processCpuMs(system.pid);
  const loadBefore = process.cpuUsage();
  const pgBefore = postgresCpuByPid(options.databaseName);
  const result = await autocannon({
    url: `http://127.0.0.1:${system.port}`,
    connections: options.connections,
    duration: seconds,
    timeout: 10,
    requests: [
      {
        method: "POST",
        setupRequest: (request) => {
          const slot = slots[sequence % slots.length];
          sequence += 1;
          if (!slot) return request;
          const body = workload.request(system.name, slot.target, sequence);
          return { ...request, path: body.path, body: body.body, headers: slot.headers };
        },
      },
    ],
    verifyBody: (body) => typeof body !== "string" || !body.includes('"errors"'),
  });
  const loadUsage = process.cpuUsage(loadBefore);
  const total = result.requests.total;
  return {
    requests: total,
    seconds: result.duration,
    rps: total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx + result.mismatches,
    serverCpuMs: processCpuMs(system.pid) - serverBefore,
    loadCpuMs: (loadUsage.user + loadUsage.system) / 1000,
    postgresCpuMs: postgresCpuBetween(pgBefore, postgresCpuByPid(options.databaseName)),
  };
}

function aggregate(runs: LoadRun[]): BenchMeasurement["load"] {
  const requests = runs.reduce((a, r) => a + r.requests, 0);
  const seconds = runs.reduce((a, r) => a + r.seconds, 0);
  const mean = (pick: (r: LoadRun) => number) => runs.reduce((a, r) => a + pick(r), 0) / Math.max(1, runs.length);
  const perRequest = (pick: (r: LoadRun) => number) => runs.reduce((a, r) => a + pick(r), 0) / Math.max(1, requests);
  return {
    rps: requests / Math.max(1e-9, seconds),
    rpsPerRound: runs.map((r) => r.rps),
    p50: mean((r) => r.p50),
    p99: mean((r) => r.p99),
    p99Max: Math.max(...runs.map((r) => r.p99)),
    errors: runs.reduce((a, r) => a + r.errors, 0),
    requests,
    serverCpuMsPerRequest: perRequest((r) => r.serverCpuMs),
    loadCpuMsPerRequest: perRequest((r) => r.loadCpuMs),
    postgresCpuMsPerRequest: perRequest((r) => r.postgresCpuMs),
    serverCores: runs.reduce((a, r) => a + r.serverCpuMs, 0) / 1000 / Math.max(1e-9, seconds),
    loadCores: runs.reduce((a, r) => a + r.loadCpuMs, 0) / 1000 / Math.max(1e-9, seconds),
  };
}

// ---------------------------------------------------------------------------------------------------------

const profilesDir = fileURLToPath(new URL("./profiles/", import.meta.url));

/** One section per workload and system: where its server spent the CPU of the timed runs. Returns the path. */
function writeProfileSummary(root: string, options: RunOptions, windows: Map<string, ProfileWindow[]>): string {
  const sections = [`# CPU profiles: ${options.label}`, ""];
  for (const workload of options.workloads) {
    for (const system of options.systems) {
      const summary = summarizeDirectory(join(root, system), windows.get(`${workload}/${system}`) ?? []);
      sections.push(`## ${workload} · ${system}`, "", summary?.markdown ?? "No samples in the timed runs.", "");
    }
  }
  const path = join(root, "summary.md");
  writeFileSync(path, sections.join("\n"));
  return path;
}

const running = new Set<RunningSystem>();
const proxies = new Set<SqlProxy>();
const bouncers = new Set<PgBouncer>();

async function stopAll(): Promise<void> {
  await Promise.all([...running].map((s) => s.stop()));
  running.clear();
  await Promise.all([...bouncers].map((b) => b.stop()));
  bouncers.clear();
  await Promise.all([...proxies].map((p) => p.close()));
  proxies.clear();
}

/**
 * The URL ours_pgbouncer is given: PgBouncer (transaction mode, Debian's settings, `default_pool_size` = the
 * bench's pool size) in front of `ownerUrl`'s server, which may be a counting proxy.
 */
async function throughPgBouncer(ownerUrl: string, poolSize: number): Promise<string> {
  if (!pgBouncerBinary())
    throw new Error("ours_pgbouncer needs pgbouncer (apt-get install pgbouncer, or PGBOUNCER_BIN)");
  const target = new URL(ownerUrl);
  const bouncer = await startPgBouncer({ port: Number(target.port || "5432") }, { poolSize });
  bouncers.add(bouncer);
  log(`${bouncer.version} on 127.0.0.1:${bouncer.port} in front of port ${target.port || "5432"}`);
  return bouncer.url(target.pathname.slice(1), decodeURIComponent(target.username));
}

async function startAll(
  options: RunOptions,
  ownerUrlFor: (name: SystemName) => string,
  core: number | null,
  profileRoot?: string,
): Promise<RunningSystem[]> {
  const systems: RunningSystem[] = [];
  // One at a time: three cold starts at once on two cores only slow each other down.
  for (const name of options.systems) {
    const url = ownerUrlFor(name);
    const system = await startSystem(name, {
      ownerUrl: name === "ours_pgbouncer" ? await throughPgBouncer(url, options.poolSize) : url,
      poolSize: options.poolSize,
      core,
      ...(profileRoot ? { cpuProfileDir: join(profileRoot, name) } : {}),
    });
    running.add(system);
    systems.push(system);
    log(`${name} is up on 127.0.0.1:${system.port} (pid ${system.pid}${core === null ? "" : `, core ${core}`})`);
  }
  return systems;
}

async function main(): Promise<void> {
  // Before anything of the run's own: what else is running on the machine.
  const loadBefore = loadavg();
  const smoke = process.argv.includes("--smoke");
  const options = loadOptions(smoke);
  const config = loadBenchConfig(
    smoke
      ? { ...process.env, SIZE: "tiny", BENCH_DATABASE: process.env.BENCH_DATABASE || "trovella_bench_smoke" }
      : process.env,
  );
  options.databaseName = config.databaseName;
  const started = performance.now();
  const orgs = await prepareDatabase(config, options);
  const ownerUrl = databaseUrl(config);
  const serverVersion = await serverVersionOf(ownerUrl);
  const pgPort = Number(new URL(ownerUrl).port || "5432");

  // 1. Correctness and SQL counting, every system behind its own counting proxy.
  const proxyBySystem = new Map<SystemName, SqlProxy>();
  for (const name of options.systems) {
    const proxy = await startSqlProxy(pgPort);
    proxies.add(proxy);
    proxyBySystem.set(name, proxy);
  }
  const slotsByWorkload = new Map<WorkloadName, Slot[]>();
  for (const name of options.workloads) slotsByWorkload.set(name, buildSlots(orgs, name));

  const counted = await startAll(
    options,
    (name) => {
      const url = new URL(ownerUrl);
      url.port = String(proxyBySystem.get(name)?.port ?? pgPort);
      return url.toString();
    },
    null,
  );
  const w4 = slotsByWorkload.get("W4");
  if (w4) await fillCursors(counted, w4);
  for (const name of options.workloads) {
    const workload = workloads[name];
    const slots = slotsByWorkload.get(name) ?? [];
    if (workload.mutation) await compareMutation(counted, workload, slots, ownerUrl);
    else await compareReads(counted, workload, slots, smoke ? 4 : 10);
  }
  const counts = new Map<string, CountSummary>();
  for (const name of options.workloads) {
    for (const system of counted) {
      const proxy = proxyBySystem.get(system.name);
      if (!proxy) continue;
      counts.set(
        `${name}/${system.name}`,
        await countStatements(
          system,
          proxy,
          workloads[name],
          slotsByWorkload.get(name) ?? [],
          options.countRequests,
          options.poolSize,
        ),
      );
    }
  }
  // 2. Timed runs, direct to PostgreSQL; the load generator (this process) on core 0, servers on core 1. The
  // smoke asserts no timings: it keeps the proxied systems and saves the restart.
  let systems = counted;
  let pinned = false;
  const profileRoot = options.cpuProfile
    ? join(profilesDir, `${new Date().toISOString().slice(0, 19).replace(/:/g, "")}-${options.label}`)
    : undefined;
  const profileWindows = new Map<string, ProfileWindow[]>();
  if (!options.smoke) {
    log("statements counted; restarting the systems without the proxies for the timed runs");
    await stopAll();
    pinned = (await hasTaskset()) && (await pinSelf(0));
    systems = await startAll(options, () => ownerUrl, pinned ? 1 : null, profileRoot);
  }
  const measurements: BenchMeasurement[] = [];
  let sequence = 1_000_000;
  for (const name of options.workloads) {
    const workload = workloads[name];
    const slots = slotsByWorkload.get(name) ?? [];
    if (options.warmupSeconds > 0) {
      for (const system of systems) {
        await load(system, workload, slots, options, options.warmupSeconds, sequence);
        sequence += 100_000;
      }
    }
    const runs = new Map<SystemName, LoadRun[]>();
    const planCacheBefore = new Map(
      await Promise.all(systems.map(async (system) => [system.name, await planCacheCounts(system.port)] as const)),
    );
    for (let round = 0; round < options.rounds; round++) {
      // A B C, then C B A: drift of the machine over a workload cancels out.
      const order = round % 2 === 0 ? systems : [...systems].reverse();
      for (const system of order) {
        const startUs = monotonicMicros();
        const run = await load(system, workload, slots, options, options.durationSeconds, sequence);
        const key = `${name}/${system.name}`;
        profileWindows.set(key, [...(profileWindows.get(key) ?? []), { startUs, endUs: monotonicMicros() }]);
        sequence += 100_000;
        runs.set(system.name, [...(runs.get(system.name) ?? []), run]);
        log(
          `${name} ${system.name.padEnd(12)} round ${round + 1}: ${run.rps.toFixed(0)} req/s, ` +
            `p50 ${run.p50} ms, p99 ${run.p99} ms, errors ${run.errors}`,
        );
      }
    }
    for (const system of systems) {
      const count = counts.get(`${name}/${system.name}`);
      // Resident memory once this workload's runs are over (and its peak since the server started).
      const memory = processMemoryMb(system.pid);
      // Plan-cache lookups during this workload's timed runs (ours only: from its /metrics).
      const cacheBefore = planCacheBefore.get(system.name);
      const cacheAfter = cacheBefore ? await planCacheCounts(system.port) : null;
      const planCache =
        cacheBefore && cacheAfter
          ? {
              hit: cacheAfter.hit - cacheBefore.hit,
              miss: cacheAfter.miss - cacheBefore.miss,
              bypass: cacheAfter.bypass - cacheBefore.bypass,
            }
          : undefined;
      measurements.push({
        workload: name,
        title: workload.title,
        rootFields: workload.rootFields,
        system: system.name,
        load: aggregate(runs.get(system.name) ?? []),
        ...(count ? { sql: count } : {}),
        ...(memory ? { memoryMb: memory } : {}),
        ...(planCache ? { planCache } : {}),
      });
    }
  }
  // The servers write their profiles as they exit.
  await stopAll();
  if (profileRoot) log(`CPU profiles: ${writeProfileSummary(profileRoot, options, profileWindows)}`);

  const failures = measurements.filter((m) => m.load.errors > 0 || m.load.requests === 0);
  const report = writeReport({
    label: options.label,
    size: config.size as SizeName,
    organizations: orgs.length,
    plans: orgs.reduce((a, o) => a + o.planCount, 0),
    durationSeconds: options.durationSeconds,
    warmupSeconds: options.warmupSeconds,
    connections: options.connections,
    rounds: options.rounds,
    poolSize: options.poolSize,
    pinned,
    loadAverage: [loadBefore[0] ?? 0, loadavg()[0] ?? 0],
    postgres: serverVersion,
    serverNode: serverNodeVersion(),
    measurements,
    write: !smoke,
    wallSeconds: (performance.now() - started) / 1000,
  });
  console.log(report.text);
  if (report.path) log(`written to ${report.path}`);
  if (failures.length > 0) {
    throw new Error(
      `errors under load: ${failures.map((f) => `${f.workload}/${f.system} (${f.load.errors} of ${f.load.requests})`).join(", ")}`,
    );
  }
  log(`done in ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

const hardLimit = setTimeout(
  () => {
    console.error("bench: hard time limit reached, stopping");
    void stopAll().finally(() => process.exit(2));
  },
  Number(process.env.BENCH_TIME_LIMIT_S || 3600) * 1000,
);
hardLimit.unref();

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    void stopAll().finally(() => process.exit(130));
  });
}

try {
  await main();
} catch (error) {
  console.error(`bench: FAILED: ${error instanceof Error ? error.message : String(error)}`);
  await stopAll();
  process.exit(1);
}
process.exit(0);
