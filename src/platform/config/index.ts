import { z } from "zod";
import type { ConnectionOptions } from "../db/index.js";
import { databaseFrom, databaseRules, databaseVariables } from "./database.js";
import { type ExecutionConfig, executionFrom, executionVariables } from "./execution.js";
import { type HostileInputConfig, hostileInputFrom, hostileInputVariables } from "./hostile-input.js";
import { type LiveConfig, liveFrom, liveVariables } from "./live.js";
import { type MailConfig, mailFrom, mailRules, mailVariables } from "./mail.js";
import { type SearchConfig, searchFrom, searchRules, searchVariables } from "./search.js";
import { deploymentVariables, type Environment, environmentVariable, serverVariables } from "./server.js";
import { type TracingConfig, tracingFrom, tracingRules, tracingVariables } from "./tracing.js";
import { presentValues, type RawValue } from "./variables.js";

// Configuration from the environment: one schema (a zod object of every variable, built from the areas'
// files beside this one), read and checked once at start by loadConfig and passed down from src/main.ts.
// Nothing else in src/ reads the environment. Each variable is documented in docs/configuration.md;
// test/ops/config.test.ts fails when a variable read here is not.

export { defaultExecution, type ExecutionConfig, type Executor, executors } from "./execution.js";
export {
  type BudgetConfig,
  defaultBudgets,
  defaultHostileInput,
  defaultTrustedDocumentsPath,
  type HostileInputConfig,
} from "./hostile-input.js";
export {
  defaultMaxBodyBytes,
  defaultOperationLimits,
  defaultPageSize,
  defaultStatementTimeoutMs,
  maxPageSize,
  minPageSize,
  type OperationLimits,
} from "./limits.js";
export { defaultLive, type LiveConfig } from "./live.js";
export { invitationIdPlaceholder, type MailConfig } from "./mail.js";
export {
  defaultEmbeddingModel,
  defaultSearchConfig,
  defaultSearchTuning,
  type EmbeddingProviderConfig,
  type IterativeScanMode,
  iterativeScanModes,
  type SearchConfig,
  type SearchTuning,
} from "./search.js";
export { defaultReadinessTimeoutMs, type Environment } from "./server.js";
export type { TracingConfig } from "./tracing.js";

export interface Config {
  port: number;
  environment: Environment;
  /** Where clients reach the gateway (Better Auth's base URL, cookie origin). */
  publicUrl: string;
  /** Signs session cookies and tokens. */
  authSecret: string;
  logLevel: string;
  /** SET LOCAL statement_timeout of every operation, milliseconds. */
  statementTimeoutMs: number;
  /** Apply pending migrations before serving (development default); production runs `npm run db:migrate`. */
  migrateOnStart: boolean;
  /** SIGTERM: how long in-flight requests may take to finish before their connections are closed. */
  shutdownTimeoutMs: number;
  /** /readyz answers 503 when the database does not answer `select 1`, or the runtime pool does not complete a transaction, within this time. */
  readinessTimeoutMs: number;
  /** Serve Prometheus metrics at /metrics. */
  metricsEnabled: boolean;
  /** OpenTelemetry tracing; undefined when off (the default). */
  tracing: TracingConfig | undefined;
  database: ConnectionOptions;
  /** Operation limits, CORS, trusted documents, budgets (docs/hostile-input.md). */
  hostileInput: HostileInputConfig;
  /** Serve `_service` and `_entities` (a Federation v2 subgraph); FEDERATION=off removes both. */
  federation: boolean;
  /** Peers whose X-Forwarded-For is believed (addresses, CIDRs, or loopback/linklocal/uniquelocal). */
  trustedProxies: readonly string[];
  /** Production only: start although the database holds the demo seed (test rigs; never a real deployment). */
  allowDemoData: boolean;
  /** Semantic search: the strategy rule's tuning and the embedding provider. */
  search: SearchConfig;
  /** Invitation e-mails: the SMTP server and sender (none: not e-mailed), and the acceptance page. */
  mail: MailConfig;
  /** graphql-js or compiled (graphql-jit) execution (EXECUTION, EXECUTION_CACHE_SIZE). */
  execution: ExecutionConfig;
  /** Live updates: re-check interval, probe timeout, idle timeout, heartbeat, subscription limits. */
  live: LiveConfig;
}

/** Every problem found in the environment, one sentence each (the process prints them all, then exits 1). */
export class ConfigError extends Error {
  override name = "ConfigError";
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(
      problems.length === 1
        ? (problems[0] ?? "")
        : `${problems.length} problems:\n${problems.map((p) => `  - ${p}`).join("\n")}`,
    );
    this.problems = problems;
  }
}

type Shape = Record<string, z.ZodType<unknown, RawValue>>;

/**
 * Parses the variables of `shape` from `env`: every variable's problems first (in the shape's order), then
 * those of `rules` (which see each bad value replaced by its default). Throws ConfigError listing them all.
 */
function parse<S extends Shape, T>(
  env: NodeJS.ProcessEnv,
  shape: S,
  rules: (values: z.output<z.ZodObject<S>>, given: Record<string, RawValue>) => string[],
  build: (values: z.output<z.ZodObject<S>>) => T,
): T {
  const given = presentValues(env, Object.keys(shape));
  const schema = z
    .object(shape)
    .superRefine(
      (values, ctx) => {
        for (const problem of rules(values, given)) ctx.addIssue({ code: "custom", message: problem });
      },
      { when: () => true },
    )
    .transform(build);
  const result = schema.safeParse(given);
  if (!result.success) throw new ConfigError(result.error.issues.map((issue) => issue.message));
  return result.data;
}

/**
 * The environment a child process inherits (a script running drizzle-kit), with `overrides`: handed on whole,
 * not read, so that nothing outside this folder touches `process.env`.
 */
export function childProcessEnvironment(overrides: Readonly<Record<string, string>>): NodeJS.ProcessEnv {
  return { ...process.env, ...overrides };
}

/** Database settings alone: what `npm run db:migrate` and `db:seed` need (no auth secret, no public URL). */
export function loadDatabaseConfig(env: NodeJS.ProcessEnv = process.env): ConnectionOptions {
  const production = env.NODE_ENV?.trim() === "production";
  return parse(env, databaseVariables, (_, given) => databaseRules(given, production), databaseFrom);
}

function environmentOf(env: NodeJS.ProcessEnv): Environment {
  const parsed = environmentVariable.NODE_ENV.safeParse(presentValues(env, ["NODE_ENV"]).NODE_ENV);
  return parsed.success ? parsed.data : "development";
}

/** Rules across areas, on the configuration as it would be. */
function crossRules(config: Config): string[] {
  const problems: string[] = [];
  if (config.environment === "production" && config.federation && config.hostileInput.routerSecret === undefined) {
    // Otherwise anyone could read the whole schema through `_service`, introspection off or not.
    problems.push(
      "ROUTER_SECRET must be set in production so that only the federated router may call _service and _entities (or FEDERATION=off when no router composes this gateway)",
    );
  }
  const db = config.database;
  if (!db.databaseUrl && (db.appDatabaseUrl || db.authDatabaseUrl)) {
    if (!db.appDatabaseUrl || !db.authDatabaseUrl) {
      problems.push("APP_DATABASE_URL and AUTH_DATABASE_URL must both be set when DATABASE_URL (the owner) is not");
    }
    if (config.migrateOnStart) {
      problems.push(
        "MIGRATE_ON_START needs DATABASE_URL (the owner): set it, or MIGRATE_ON_START=false and run `npm run db:migrate`",
      );
    }
    if (config.environment === "development") {
      problems.push("development seeds the demo data as the owner: set DATABASE_URL");
    }
  }
  return problems;
}

/** The whole configuration. Every problem is reported at once (ConfigError), one sentence each. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const environment = environmentOf(env);
  const production = environment === "production";
  const shape = {
    ...serverVariables(environment),
    ...tracingVariables,
    ...databaseVariables,
    ...hostileInputVariables,
    ...deploymentVariables,
    ...searchVariables,
    ...mailVariables,
    ...executionVariables,
    ...liveVariables,
  };
  const build = (v: z.output<z.ZodObject<typeof shape>>): Config => ({
    port: v.PORT,
    environment: v.NODE_ENV,
    publicUrl: v.PUBLIC_URL ?? `http://localhost:${v.PORT}`,
    authSecret: v.BETTER_AUTH_SECRET,
    logLevel: v.LOG_LEVEL,
    statementTimeoutMs: v.STATEMENT_TIMEOUT_MS,
    migrateOnStart: v.MIGRATE_ON_START,
    shutdownTimeoutMs: v.SHUTDOWN_TIMEOUT_MS,
    readinessTimeoutMs: v.READINESS_TIMEOUT_MS,
    metricsEnabled: v.METRICS_ENABLED,
    tracing: tracingFrom(v),
    database: databaseFrom(v),
    hostileInput: hostileInputFrom(v, production),
    federation: v.FEDERATION,
    trustedProxies: v.TRUSTED_PROXIES,
    allowDemoData: v.ALLOW_DEMO_DATA,
    search: searchFrom(v),
    mail: mailFrom(v),
    execution: executionFrom(v),
    live: liveFrom(v),
  });
  const rules = (v: z.output<z.ZodObject<typeof shape>>, given: Record<string, RawValue>) => [
    ...tracingRules(v),
    ...databaseRules(given, production),
    ...crossRules(build(v)),
    ...searchRules(v),
    ...mailRules(given, production),
  ];
  return parse(env, shape, rules, build);
}
