import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import postgres from "postgres";
import { type App, createApp } from "../../../src/http/app.js";
import { type HttpServer, listen } from "../../../src/http/server.js";
import { createAuth } from "../../../src/platform/auth/better-auth.js";
import { defaultBudgets } from "../../../src/platform/config/index.js";
import {
  Database,
  DEMO_PASSWORD,
  DEMO_TOKEN,
  demoUsers,
  migrate,
  seedDemoData,
} from "../../../src/platform/db/index.js";
import { createLogger, type Logger } from "../../../src/platform/observability/logger.js";
import { countStatement } from "../../../src/platform/observability/request-context.js";
import type { Cluster } from "./cluster.js";

// The gateway against a throwaway cluster: a migrated, seeded database; the app in-process on a loopback
// port, or the real server process (`node --import tsx src/main.ts`); and an HTTP client with the demo callers.

export const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

const templates = new WeakMap<Cluster, Promise<string>>();

/**
 * A migrated database with the demo data on the cluster; returns the owner's (superuser's) URL. The first
 * call migrates and seeds a template; later ones copy it (`create database … template …`), which is fast.
 */
export async function prepareDatabase(cluster: Cluster, name: string): Promise<string> {
  let template = templates.get(cluster);
  if (!template) {
    template = (async () => {
      const templateName = "trovella_template";
      const url = await cluster.createDatabase(templateName);
      const database = await Database.open({ databaseUrl: url, poolSize: 2 });
      try {
        await migrate(database);
        await seedDemoData(database);
      } finally {
        await database.close();
      }
      return templateName;
    })();
    templates.set(cluster, template);
  }
  return cluster.createDatabase(name, await template);
}

/** Runs SQL as the owner (superuser, bypasses RLS) on a database: to check what really was written. */
export function ownerClient(url: string): postgres.Sql {
  return postgres(url, { max: 2, onnotice: () => {} });
}

/** JSON log lines written by a logger, parsed. */
export interface LogCapture {
  lines: Record<string, unknown>[];
  /** Every line as written, to search for what must never appear. */
  raw: string[];
  logger: Logger;
}

export function captureLogs(level = "info"): LogCapture {
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString("utf8").split("\n")) {
        if (line.trim() === "") continue;
        raw.push(line);
        lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      callback();
    },
  });
  return { lines, raw, logger: createLogger({ level, destination }) };
}

/** One auth secret for every in-process gateway of a test file: they accept each other's session tokens. */
const inProcessSecret = randomBytes(32).toString("base64url");

export interface InProcessGateway {
  app: App;
  http: HttpServer;
  database: Database;
  baseUrl: string;
  close(): Promise<void>;
}

export async function startInProcessGateway(
  url: string,
  options: { poolSize?: number; statementTimeoutMs?: number; logger?: Logger; connectTimeoutSeconds?: number } = {},
): Promise<InProcessGateway> {
  const database = await Database.open({
    databaseUrl: url,
    poolSize: options.poolSize ?? 4,
    connectTimeoutSeconds: options.connectTimeoutSeconds ?? 5,
    onStatement: countStatement,
  });
  const auth = createAuth(database, { secret: inProcessSecret, baseURL: "http://127.0.0.1" });
  const app = createApp({
    database,
    auth,
    logger: options.logger ?? createLogger({ level: "silent" }),
    graphiql: false,
    statementTimeoutMs: options.statementTimeoutMs ?? 10_000,
    readinessTimeoutMs: 2000,
    // Load from a handful of callers, on purpose: per-caller rate limits are tested elsewhere.
    hostileInput: { budgets: { ...defaultBudgets, enabled: false } },
  });
  const http = await listen(app, 0, "127.0.0.1");
  return {
    app,
    http,
    database,
    baseUrl: `http://127.0.0.1:${http.port}`,
    close: async () => {
      await http.close(5000);
      await database.close();
    },
  };
}

export interface ServerProcess {
  child: ChildProcess;
  port: number;
  baseUrl: string;
  /** Parsed JSON log lines of the server (stdout). */
  logs: Record<string, unknown>[];
  stderr: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** RSS of the server process, from /proc (bytes). */
  rss(): Promise<number>;
  kill(): void;
}

/** `url` (the owner's) with another login. */
function asRole(url: string, role: string): string {
  const parsed = new URL(url);
  parsed.username = role;
  parsed.password = "";
  return parsed.toString();
}

/**
 * The real server, as production runs it: `node --import tsx src/main.ts`, NODE_ENV=production, with the
 * runtime logins only (APP_DATABASE_URL, AUTH_DATABASE_URL): no owner credentials, no migration on start.
 */
export async function spawnServer(
  url: string,
  env: Record<string, string> = {},
  options: { listenTimeoutMs?: number } = {},
): Promise<ServerProcess> {
  // A cold start (tsx compiling the sources) took up to a minute on a loaded 2-core machine.
  const listenTimeoutMs = options.listenTimeoutMs ?? 120_000;
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "/tmp",
      NODE_ENV: "production",
      PORT: "0",
      LOG_LEVEL: "info",
      APP_DATABASE_URL: asRole(url, "trovella_app"),
      AUTH_DATABASE_URL: asRole(url, "trovella_auth"),
      BETTER_AUTH_SECRET: randomBytes(32).toString("base64url"),
      PUBLIC_URL: "http://127.0.0.1",
      DATABASE_POOL_SIZE: "4",
      SHUTDOWN_TIMEOUT_MS: "20000",
      // Load from a handful of callers, on purpose: per-caller rate limits are tested elsewhere.
      RATE_LIMIT_ENABLED: "false",
      // Production requires it for `_service` and `_entities` (test/ops/production.test.ts).
      ROUTER_SECRET: randomBytes(24).toString("base64url"),
      // The callers are the demo users: production refuses the demo seed otherwise (test/ops/production.test.ts).
      ALLOW_DEMO_DATA: "true",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: Record<string, unknown>[] = [];
  const stderr: string[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal }));
  });
  let pending = "";
  let onListening: (port: number) => void = () => {};
  const listening = new Promise<number>((resolve) => {
    onListening = resolve;
  });
  child.stdout?.on("data", (chunk: Buffer) => {
    pending += chunk.toString("utf8");
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) {
      if (line.trim() === "") continue;
      try {
        const entry = JSON.parse(line) as Record<string, unknown>;
        logs.push(entry);
        if (entry.msg === "listening" && typeof entry.port === "number") onListening(entry.port);
      } catch {
        stderr.push(`stdout: ${line}`);
      }
    }
  });
  child.stderr?.on("data", (chunk: Buffer) => stderr.push(chunk.toString("utf8")));
  let timer: NodeJS.Timeout | undefined;
  const port = await Promise.race([
    listening,
    exited.then(({ code }) => {
      throw new Error(`the server exited (${code}) before listening:\n${stderr.join("")}`);
    }),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        // Not left running behind the failed test.
        child.kill("SIGKILL");
        reject(new Error(`the server did not listen within ${listenTimeoutMs / 1000} s:\n${stderr.join("")}`));
      }, listenTimeoutMs);
    }),
  ]).finally(() => clearTimeout(timer));
  const pid = child.pid;
  return {
    child,
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    logs,
    stderr,
    exited,
    async rss() {
      const { readFile } = await import("node:fs/promises");
      const status = await readFile(`/proc/${pid}/status`, "utf8");
      const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
      return kb * 1024;
    },
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    },
  };
}

export interface Caller {
  label: string;
  token: string;
  organizationId: string;
}

export interface GraphQLReply {
  status: number;
  body: { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: Record<string, unknown> }[] };
  headers: Headers;
}

export async function gql(
  baseUrl: string,
  operation: { query: string; variables?: Record<string, unknown>; operationName?: string },
  caller: Pick<Caller, "token" | "organizationId"> | null,
  headers: Record<string, string> = {},
): Promise<GraphQLReply> {
  const response = await fetch(`${baseUrl}/graphql`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json",
      ...(caller ? { authorization: `Bearer ${caller.token}`, "x-organization-id": caller.organizationId } : {}),
      ...headers,
    },
    body: JSON.stringify(operation),
  });
  const text = await response.text();
  try {
    return { status: response.status, body: JSON.parse(text) as GraphQLReply["body"], headers: response.headers };
  } catch {
    throw new Error(`/graphql answered ${response.status} with a body that is not JSON: ${text.slice(0, 300)}`);
  }
}

/** A Better Auth session token (bearer) for a demo user, through the server's sign-in endpoint. */
export async function signInBearer(baseUrl: string, email: string): Promise<string> {
  const response = await fetch(`${baseUrl}/api/auth/sign-in/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: "http://127.0.0.1" },
    body: JSON.stringify({ email, password: DEMO_PASSWORD }),
  });
  const token = response.headers.get("set-auth-token");
  if (response.status !== 200 || !token) {
    throw new Error(`sign-in of ${email} answered ${response.status}: ${await response.text()}`);
  }
  return token;
}

/** Four callers over three tenants: Alice (token) in Acme and in Globex, Carol in Globex, Dave in Initech. */
export async function demoCallers(baseUrl: string): Promise<Caller[]> {
  const [carol, dave] = await Promise.all([
    signInBearer(baseUrl, demoUsers.carol.email),
    signInBearer(baseUrl, demoUsers.dave.email),
  ]);
  return [
    { label: "alice@acme", token: DEMO_TOKEN, organizationId: "demo-org-acme" },
    { label: "alice@globex", token: DEMO_TOKEN, organizationId: "demo-org-globex" },
    { label: "carol@globex", token: carol, organizationId: "demo-org-globex" },
    { label: "dave@initech", token: dave, organizationId: "demo-org-initech" },
  ];
}

export const tenantProbe = {
  operationName: "TenantProbe",
  query: `query TenantProbe {
    organization { id: databaseId }
    researchPlans(first: 50) { totalCount nodes { id title } }
  }`,
};

/** The plan ids of each organization, read as the owner. */
export async function plansByOrganization(owner: postgres.Sql): Promise<Map<string, Set<string>>> {
  const rows = await owner<{ organization_id: string; id: string }[]>`
    select organization_id, id from research_plan`;
  const plans = new Map<string, Set<string>>();
  for (const row of rows) {
    const set = plans.get(row.organization_id) ?? new Set<string>();
    set.add(row.id);
    plans.set(row.organization_id, set);
  }
  return plans;
}

/** The raw id inside a Relay global id. */
export function rawId(globalId: string): string {
  const decoded = Buffer.from(globalId, "base64").toString("utf8");
  return decoded.slice(decoded.indexOf(":") + 1);
}

/**
 * Why a TenantProbe reply is not exactly the caller's tenant's data, or null when it is: the organization
 * is the caller's, every plan is one of its plans, and the total is its number of plans.
 */
export function tenantMismatch(reply: GraphQLReply, caller: Caller, plans: Map<string, Set<string>>): string | null {
  if (reply.status !== 200) return `status ${reply.status}`;
  if (reply.body.errors) return `errors ${JSON.stringify(reply.body.errors)}`;
  const data = reply.body.data as
    | { organization: { id: string } | null; researchPlans: { totalCount: number; nodes: { id: string }[] } }
    | undefined;
  if (!data?.organization) return "no organization";
  if (data.organization.id !== caller.organizationId) {
    return `organization ${data.organization.id} for a caller of ${caller.organizationId}`;
  }
  const own = plans.get(caller.organizationId) ?? new Set<string>();
  for (const node of data.researchPlans.nodes) {
    if (!own.has(rawId(node.id))) return `plan ${rawId(node.id)} is not ${caller.organizationId}'s`;
  }
  if (data.researchPlans.totalCount !== own.size) {
    return `totalCount ${data.researchPlans.totalCount}, ${caller.organizationId} has ${own.size}`;
  }
  return null;
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` until it returns true or `timeoutMs` passes; returns whether it did. */
export async function eventually(check: () => Promise<boolean>, timeoutMs: number, intervalMs = 100): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return true;
    await delay(intervalMs);
  }
  return false;
}

/** GET a path; the status, or the network error's code (ECONNREFUSED …) when nothing answered. */
export async function probe(baseUrl: string, path: string): Promise<number | string> {
  try {
    const response = await fetch(`${baseUrl}${path}`, { signal: AbortSignal.timeout(5000) });
    await response.arrayBuffer();
    return response.status;
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    return cause?.code ?? (error as Error).name;
  }
}

/** SOAK_SECONDS (a whole number from 1 to 3600), or `fallback`: a typo must not run a zero-length soak. */
export function soakSeconds(fallback: number): number {
  const raw = process.env.SOAK_SECONDS ?? String(fallback);
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 3600) {
    throw new Error(`SOAK_SECONDS must be a whole number of seconds from 1 to 3600, got "${raw}"`);
  }
  return value;
}
