import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { benchHost, urlAs } from "./config.js";
import type { SystemName } from "./workloads.js";

// Starts the systems as child processes on free ports of 127.0.0.1, optionally pinned to a core with
// taskset (which execs the command, so the child's pid is the server's own), and reads their CPU time and memory.

const root = fileURLToPath(new URL("..", import.meta.url));

/**
 * Where our gateway is started from: the repository (default), or OURS_DIR, a checkout or snapshot of it
 * (with node_modules), so a run can pin the code under test while the work tree keeps changing.
 */
export function oursDirectory(name: SystemName = "ours"): string {
  if (name === "ours_b") {
    const dir = process.env.OURS_B_DIR;
    if (!dir) throw new Error("ours_b needs OURS_B_DIR");
    return dir;
  }
  return process.env.OURS_DIR || root;
}

/**
 * Extra variables for one of our builds: OURS_ENV (ours, ours_pgbouncer) or OURS_B_ENV (ours_b), as
 * space-separated NAME=value pairs, e.g. OURS_ENV="EXECUTION=jit": an A/B of a configuration switch from one
 * checkout (OURS_B_DIR=$PWD).
 */
export function oursExtraEnvironment(name: SystemName, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const raw = (name === "ours_b" ? env.OURS_B_ENV : env.OURS_ENV)?.trim() ?? "";
  const extra: Record<string, string> = {};
  for (const pair of raw.split(/\s+/).filter((entry) => entry !== "")) {
    const match = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(pair);
    if (!match) throw new Error(`${name === "ours_b" ? "OURS_B_ENV" : "OURS_ENV"}: "${pair}" is not NAME=value`);
    extra[match[1] as string] = match[2] as string;
  }
  return extra;
}

export interface RunningSystem {
  name: SystemName;
  port: number;
  pid: number;
  stop(): Promise<void>;
  /** Recent output, for error messages. */
  output(): string;
}

export interface StartOptions {
  /** Owner URL of the bench database; host:port may point at a counting proxy (or, for ours_pgbouncer, PgBouncer). */
  ownerUrl: string;
  poolSize: number;
  /** Core to pin the server to (taskset -c), or null. */
  core: number | null;
  /** Run the server with `--cpu-prof`, writing its profile into this directory when it exits. */
  cpuProfileDir?: string;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, benchHost, () => resolve()));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === "string") throw new Error("no free port");
  return address.port;
}

let tasksetAvailable: boolean | undefined;

export async function hasTaskset(): Promise<boolean> {
  if (tasksetAvailable === undefined) {
    tasksetAvailable = await new Promise<boolean>((resolve) => {
      const child = spawn("taskset", ["-c", "0", "true"], { stdio: "ignore" });
      child.on("error", () => resolve(false));
      child.on("exit", (code) => resolve(code === 0));
    });
  }
  return tasksetAvailable;
}

/** Pins this process (every thread) to one core: the load generator. */
export async function pinSelf(core: number): Promise<boolean> {
  if (!(await hasTaskset())) return false;
  return new Promise<boolean>((resolve) => {
    const child = spawn("taskset", ["-a", "-cp", String(core), String(process.pid)], { stdio: "ignore" });
    child.on("error", () => resolve(false));
    child.on("exit", (code) => resolve(code === 0));
  });
}

/**
 * The Node.js binary the three servers run on: BENCH_NODE, else this process's. Production runs Node 24
 * (Dockerfile); this machine's Node 20 lacks AsyncContextFrame, so every promise pays for AsyncLocalStorage.
 */
export function serverNode(): string {
  return process.env.BENCH_NODE || process.execPath;
}

/** `v24.22.3`, say: the version of serverNode(). */
export function serverNodeVersion(): string {
  const node = serverNode();
  if (node === process.execPath) return process.version;
  return spawnSync(node, ["--version"], { encoding: "utf8" }).stdout.trim() || "unknown";
}

function commandFor(name: SystemName, cpuProfileDir?: string): string[] {
  const scripts: Record<SystemName, string> = {
    ours: "src/main.ts",
    ours_b: "src/main.ts",
    ours_pgbouncer: "src/main.ts",
    postgraphile: "bench/servers/postgraphile.ts",
    baseline: "bench/servers/baseline.ts",
    yoga_floor: "bench/servers/yoga-floor.ts",
    yoga_floor_jit: "bench/servers/yoga-floor.ts",
  };
  const script = scripts[name];
  const profiling = cpuProfileDir ? ["--cpu-prof", `--cpu-prof-dir=${cpuProfileDir}`] : [];
  return [serverNode(), ...profiling, "--import", "tsx", script];
}

function envFor(name: SystemName, port: number, options: StartOptions): NodeJS.ProcessEnv {
  const common = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "/tmp",
    NODE_ENV: "production",
    PORT: String(port),
  };
  if (name === "ours" || name === "ours_b") {
    return {
      ...common,
      LOG_LEVEL: "silent",
      // Per-tenant request and cost quotas would throttle the load generator (it is one client hammering a few
      // tenants); PostGraphile and the baseline have none. Everything else runs as in production.
      RATE_LIMIT_ENABLED: "false",
      DATABASE_URL: options.ownerUrl,
      DATABASE_POOL_SIZE: String(options.poolSize),
      BETTER_AUTH_SECRET: "bench-only-secret-0123456789abcdefghijklmnop",
      // Production refuses to serve _service/_entities without it; the workloads never call them.
      ROUTER_SECRET: "bench-only-router-secret-0123456789",
      PUBLIC_URL: `http://${benchHost}:${port}`,
      ...oursExtraEnvironment(name),
    };
  }
  if (name === "ours_pgbouncer") {
    // As production runs behind a transaction pooler: the runtime logins only (the database is migrated),
    // through PgBouncer, with unnamed statements (PgBouncer 1.18 keeps no prepared statements).
    return {
      ...common,
      LOG_LEVEL: "silent",
      RATE_LIMIT_ENABLED: "false",
      APP_DATABASE_URL: urlAs(options.ownerUrl, "trovella_app"),
      AUTH_DATABASE_URL: urlAs(options.ownerUrl, "trovella_auth"),
      DATABASE_PREPARED_STATEMENTS: "false",
      DATABASE_POOL_SIZE: String(options.poolSize),
      BETTER_AUTH_SECRET: "bench-only-secret-0123456789abcdefghijklmnop",
      // Production refuses to serve _service/_entities without it; the workloads never call them.
      ROUTER_SECRET: "bench-only-router-secret-0123456789",
      PUBLIC_URL: `http://${benchHost}:${port}`,
      ...oursExtraEnvironment(name),
    };
  }
  return {
    ...common,
    APP_DATABASE_URL: urlAs(options.ownerUrl, "trovella_app"),
    AUTH_DATABASE_URL: urlAs(options.ownerUrl, "trovella_auth"),
    POOL_SIZE: String(options.poolSize),
    ...(name === "yoga_floor_jit" ? { FLOOR_JIT: "1" } : {}),
  };
}

const readyLine = /ready on|is listening on/;

/** True once the server answers HTTP at all (ours prints nothing in production with LOG_LEVEL=silent). */
async function answers(port: number): Promise<boolean> {
  try {
    const response = await fetch(`http://${benchHost}:${port}/healthz`, { signal: AbortSignal.timeout(1000) });
    await response.arrayBuffer();
    return response.status < 500;
  } catch {
    return false;
  }
}

export async function startSystem(name: SystemName, options: StartOptions, timeoutMs = 90_000): Promise<RunningSystem> {
  const port = await freePort();
  const command = commandFor(name, options.cpuProfileDir);
  const cwd = name === "ours" || name === "ours_b" || name === "ours_pgbouncer" ? oursDirectory(name) : root;
  const argv =
    options.core !== null && (await hasTaskset()) ? ["taskset", "-c", String(options.core), ...command] : command;
  const [file, ...args] = argv;
  if (!file) throw new Error("empty command");
  const child: ChildProcess = spawn(file, args, {
    cwd,
    env: envFor(name, port, options),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString("utf8")).slice(-8000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);

  let exited: number | null | undefined;
  child.once("exit", (code) => {
    exited = code;
  });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited !== undefined) throw new Error(`${name} exited with ${exited} before it was ready:\n${output}`);
    if (readyLine.test(output) || (await answers(port))) break;
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`${name} did not start within ${timeoutMs} ms:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${name} has no pid`);

  return {
    name,
    port,
    pid,
    output: () => output,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) {
          resolve();
          return;
        }
        const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
        child.once("exit", () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill("SIGTERM");
      }),
  };
}

const ticksPerSecond = 100; // getconf CLK_TCK on Linux

/** CPU time (user + system) of one process, milliseconds; 0 when it cannot be read. */
export function processCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // After the command: state is field 3, utime field 14, stime field 15 (1-based over the whole line).
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return ((utime + stime) * 1000) / ticksPerSecond;
  } catch {
    return 0;
  }
}

/** The plan cache's lookup counters of one of our gateways (its /metrics); null for the other systems. */
export interface PlanCacheCounts {
  hit: number;
  miss: number;
  bypass: number;
}

export async function planCacheCounts(port: number): Promise<PlanCacheCounts | null> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/metrics`);
    if (!response.ok) return null;
    const text = await response.text();
    const read = (result: string) =>
      Number(new RegExp(`^db_plan_cache_lookups_total\\{result="${result}"\\} (\\d+)`, "m").exec(text)?.[1] ?? NaN);
    const counts = { hit: read("hit"), miss: read("miss"), bypass: read("bypass") };
    return Number.isNaN(counts.hit) ? null : counts;
  } catch {
    return null;
  }
}

/** Resident memory of one process, MiB: now (VmRSS) and its peak so far (VmHWM); null when it cannot be read. */
export function processMemoryMb(pid: number): { rss: number; peak: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? Number.NaN);
    const rss = kb("VmRSS");
    const peak = kb("VmHWM");
    return Number.isFinite(rss) && Number.isFinite(peak) ? { rss: rss / 1024, peak: peak / 1024 } : null;
  } catch {
    return null;
  }
}

/**
 * CPU time of each PostgreSQL backend serving `database` (its process title names it), milliseconds by pid.
 * Other databases' backends are left out: on a shared server they come and go, and their time is not ours.
 */
export function postgresCpuByPid(database: string): Map<number, number> {
  const byPid = new Map<number, number>();
  let entries: string[] = [];
  try {
    entries = readdirSync("/proc");
  } catch {
    return byPid;
  }
  const marker = ` ${database} `;
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, "utf8").trim() !== "postgres") continue;
      const title = readFileSync(`/proc/${entry}/cmdline`, "utf8").replace(/\0/g, " ");
      if (!title.includes(marker)) continue;
      byPid.set(Number(entry), processCpuMs(Number(entry)));
    } catch {
      // the process ended meanwhile
    }
  }
  return byPid;
}

/**
 * CPU the bench database's backends used between two snapshots: per backend alive at the end (all of it for
 * one that connected meanwhile). A backend that disconnected meanwhile (an idle pooled connection closing)
 * takes its time along and is left out, so the figure never goes negative.
 */
export function postgresCpuBetween(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, ms] of after) total += ms - (before.get(pid) ?? 0);
  return total;
}
