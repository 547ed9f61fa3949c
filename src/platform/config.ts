import { existsSync } from "node:fs";
import proxyaddr from "proxy-addr";
import { embeddingConfigFromEnv, searchTuningFromEnv } from "../domains/search/index.js";
import { defaultHostileInput, type HostileInputConfig } from "../pipeline/hostile-input.js";
import { defaultTrustedDocumentsPath } from "../pipeline/trusted-documents.js";
import type { ConnectionOptions } from "./db/index.js";

// Configuration from the environment, read and checked in one place at start. Each variable is documented in
// README.md (Configuration); test/ops/config.test.ts fails when a variable read in src/ is not.

export type Environment = "development" | "production" | "test";

export interface TracingConfig {
  /** OTLP/HTTP traces endpoint (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, else OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces). */
  endpoint: string;
  serviceName: string;
}

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
  /** Operation limits, CORS, trusted documents, budgets (README, Hostile input). */
  hostileInput: HostileInputConfig;
  /** Serve `_service` and `_entities` (a Federation v2 subgraph); FEDERATION=off removes both. */
  federation: boolean;
  /** Peers whose X-Forwarded-For is believed (addresses, CIDRs, or loopback/linklocal/uniquelocal). */
  trustedProxies: readonly string[];
  /** Production only: start although the database holds the demo seed (test rigs; never a real deployment). */
  allowDemoData: boolean;
}

/** Development only: a fixed secret so sessions survive restarts. Production refuses to start without one. */
const developmentAuthSecret = "trovella-development-secret-not-for-production-use";
const logLevels = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

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

/** Reads variables and collects what is wrong with them, so one start reports every bad value at once. */
class EnvReader {
  readonly problems: string[] = [];

  constructor(private readonly env: NodeJS.ProcessEnv) {}

  raw(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value === undefined || value === "" ? undefined : value;
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const raw = this.raw(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!/^-?\d+$/.test(raw) || !Number.isSafeInteger(value) || value < min || value > max) {
      this.problems.push(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
      return fallback;
    }
    return value;
  }

  optionalInteger(name: string, min: number, max: number): number | undefined {
    return this.raw(name) === undefined ? undefined : this.integer(name, min, min, max);
  }

  number(name: string, fallback: number, min: number, max: number): number {
    const raw = this.raw(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < min || value > max) {
      this.problems.push(`${name} must be a number from ${min} to ${max}, got "${raw}"`);
      return fallback;
    }
    return value;
  }

  boolean(name: string, fallback: boolean): boolean {
    const raw = this.raw(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (["true", "1", "yes", "on"].includes(raw)) return true;
    if (["false", "0", "no", "off"].includes(raw)) return false;
    this.problems.push(`${name} must be true or false, got "${this.raw(name)}"`);
    return fallback;
  }

  oneOf<T extends string>(name: string, fallback: T, allowed: readonly T[]): T {
    const raw = this.raw(name);
    if (raw === undefined) return fallback;
    if ((allowed as readonly string[]).includes(raw)) return raw as T;
    this.problems.push(`${name} must be one of ${allowed.join(", ")}, got "${raw}"`);
    return fallback;
  }

  /** An absolute http(s) URL. The value is not echoed: URLs may carry credentials. */
  httpUrl(name: string, example: string): string | undefined {
    const raw = this.raw(name);
    if (raw === undefined) return undefined;
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      this.problems.push(`${name} must be an absolute URL like ${example}, got something that is not a URL`);
      return undefined;
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      this.problems.push(`${name} must be an http:// or https:// URL, got "${url.protocol}//…"`);
      return undefined;
    }
    return raw;
  }

  /** A postgres:// URL. The value is not echoed: it usually carries a password. */
  databaseUrl(name: string): string | undefined {
    const raw = this.raw(name);
    if (raw === undefined) return undefined;
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      this.problems.push(`${name} must be a postgres:// URL, got something that is not a URL`);
      return undefined;
    }
    if (url.protocol !== "postgres:" && url.protocol !== "postgresql:") {
      this.problems.push(`${name} must start with postgres:// or postgresql://, got "${url.protocol}//…"`);
      return undefined;
    }
    if (url.hostname === "" && !url.searchParams.has("host")) {
      this.problems.push(`${name} names no host (postgres://user@host:5432/database)`);
      return undefined;
    }
    return raw;
  }

  /** Runs a validator owned by another module (search, embeddings) and records what it refuses. */
  check(validate: () => unknown): void {
    try {
      validate();
    } catch (error) {
      this.problems.push(error instanceof Error ? error.message : String(error));
    }
  }
}

/** Database settings alone: what `npm run db:migrate` and `db:seed` need (no auth secret, no public URL). */
export function loadDatabaseConfig(env: NodeJS.ProcessEnv = process.env): ConnectionOptions {
  const reader = new EnvReader(env);
  const database = readDatabase(reader, reader.raw("NODE_ENV") === "production");
  if (reader.problems.length > 0) throw new ConfigError(reader.problems);
  return database;
}

function readDatabase(reader: EnvReader, production: boolean): ConnectionOptions {
  const options: ConnectionOptions = {
    databaseUrl: reader.databaseUrl("DATABASE_URL"),
    appDatabaseUrl: reader.databaseUrl("APP_DATABASE_URL"),
    authDatabaseUrl: reader.databaseUrl("AUTH_DATABASE_URL"),
    pgliteDataDir: reader.raw("PGLITE_DATA_DIR") ?? ".data/pglite",
    poolSize: reader.integer("DATABASE_POOL_SIZE", 10, 1, 500),
    authPoolSize: reader.integer("DATABASE_AUTH_POOL_SIZE", 4, 1, 100),
    connectTimeoutSeconds: reader.integer("DATABASE_CONNECT_TIMEOUT", 10, 1, 300),
    idleTimeoutSeconds: reader.integer("DATABASE_IDLE_TIMEOUT", 0, 0, 86_400),
    maxLifetimeSeconds: reader.optionalInteger("DATABASE_MAX_LIFETIME", 60, 86_400),
    preparedStatements: reader.boolean("DATABASE_PREPARED_STATEMENTS", true),
  };
  const urlNames = ["DATABASE_URL", "APP_DATABASE_URL", "AUTH_DATABASE_URL"];
  if (production && urlNames.every((name) => reader.raw(name) === undefined)) {
    // Not the embedded PGlite: it would start empty and unmigrated and answer every query with an error.
    reader.problems.push(
      "production needs PostgreSQL: set DATABASE_URL, or APP_DATABASE_URL and AUTH_DATABASE_URL (the embedded PGlite is for development)",
    );
  }
  return options;
}

/** TRUSTED_PROXIES: comma-separated addresses, CIDR ranges or proxy-addr's names (loopback, uniquelocal …). */
function readTrustedProxies(reader: EnvReader): string[] {
  const proxies = (reader.raw("TRUSTED_PROXIES") ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
  for (const proxy of proxies) {
    try {
      proxyaddr.compile(proxy);
    } catch {
      reader.problems.push(
        `TRUSTED_PROXIES must list IP addresses or CIDR ranges (or loopback, linklocal, uniquelocal), got "${proxy}"`,
      );
    }
  }
  return proxies;
}

function readTracing(reader: EnvReader): TracingConfig | undefined {
  const tracesEndpoint = reader.httpUrl("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://collector:4318/v1/traces");
  const baseEndpoint = reader.httpUrl("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318");
  const disabled = reader.boolean("OTEL_SDK_DISABLED", false);
  const exporter = reader.oneOf("OTEL_TRACES_EXPORTER", "otlp", ["otlp", "none"] as const);
  const serviceName = reader.raw("OTEL_SERVICE_NAME") ?? "trovella-gateway";
  // Read by the OpenTelemetry SDK itself; checked here so a typo fails the start instead of a silent default.
  const sampler = reader.oneOf("OTEL_TRACES_SAMPLER", "parentbased_always_on", [
    "always_on",
    "always_off",
    "traceidratio",
    "parentbased_always_on",
    "parentbased_always_off",
    "parentbased_traceidratio",
  ] as const);
  if (sampler.endsWith("traceidratio")) reader.number("OTEL_TRACES_SAMPLER_ARG", 1, 0, 1);
  const endpoint = tracesEndpoint ?? (baseEndpoint ? `${baseEndpoint.replace(/\/+$/, "")}/v1/traces` : undefined);
  if (!endpoint || disabled || exporter === "none") return undefined;
  return { endpoint, serviceName };
}

function readHostileInput(reader: EnvReader, production: boolean): HostileInputConfig {
  const defaults = defaultHostileInput(production);
  const corsOrigins = (reader.raw("CORS_ORIGINS") ?? "")
    .split(",")
    .map((origin) => origin.trim())
    .filter((origin) => origin !== "");
  for (const origin of corsOrigins) {
    if (!/^https?:\/\/[^/\s]+$/.test(origin)) {
      reader.problems.push(`CORS_ORIGINS must list origins like https://app.example.com, got "${origin}"`);
    }
  }
  const trusted = reader.raw("TRUSTED_DOCUMENTS");
  const trustedLower = trusted?.toLowerCase();
  const trustedDocumentsPath =
    trusted === undefined || ["0", "false", "off", "no"].includes(trustedLower ?? "")
      ? undefined
      : ["1", "true", "on", "yes"].includes(trustedLower ?? "")
        ? defaultTrustedDocumentsPath
        : trusted;
  if (trustedDocumentsPath !== undefined && !existsSync(trustedDocumentsPath)) {
    // Caught here rather than as a crash at start-up; the Docker image has no test/ and so no default manifest.
    reader.problems.push(
      `TRUSTED_DOCUMENTS: no manifest at ${trustedDocumentsPath} (give the path of your clients' persisted-documents.json)`,
    );
  }
  const redisUrl = reader.raw("REDIS_URL");
  if (redisUrl !== undefined && !/^rediss?:\/\//.test(redisUrl)) {
    reader.problems.push("REDIS_URL must start with redis:// or rediss://");
  }
  const budgets = defaults.budgets;
  return {
    production,
    limits: {
      maxDepth: reader.integer("MAX_DEPTH", defaults.limits.maxDepth, 1, 100),
      maxAliases: reader.integer("MAX_ALIASES", defaults.limits.maxAliases, 0, 1000),
      maxTokens: reader.integer("MAX_TOKENS", defaults.limits.maxTokens, 10, 1_000_000),
      maxDirectives: reader.integer("MAX_DIRECTIVES", defaults.limits.maxDirectives, 0, 10_000),
      maxCost: reader.integer("MAX_COST", defaults.limits.maxCost, 1, 100_000_000),
    },
    maxBodyBytes: reader.integer("MAX_BODY_BYTES", defaults.maxBodyBytes, 1024, 100 * 1024 * 1024),
    corsOrigins,
    trustedDocumentsPath,
    routerSecret: reader.raw("ROUTER_SECRET"),
    budgets: {
      enabled: reader.boolean("RATE_LIMIT_ENABLED", budgets.enabled),
      organizationRequestsPerMinute: reader.integer(
        "RATE_LIMIT_ORG_REQUESTS_PER_MINUTE",
        budgets.organizationRequestsPerMinute,
        1,
        10_000_000,
      ),
      principalRequestsPerMinute: reader.integer(
        "RATE_LIMIT_PRINCIPAL_REQUESTS_PER_MINUTE",
        budgets.principalRequestsPerMinute,
        1,
        10_000_000,
      ),
      organizationCostPerMinute: reader.integer(
        "COST_BUDGET_ORG_PER_MINUTE",
        budgets.organizationCostPerMinute,
        1,
        1_000_000_000,
      ),
      principalCostPerMinute: reader.integer(
        "COST_BUDGET_PRINCIPAL_PER_MINUTE",
        budgets.principalCostPerMinute,
        1,
        1_000_000_000,
      ),
      anonymousRequestsPerMinute: reader.integer(
        "RATE_LIMIT_ANONYMOUS_REQUESTS_PER_MINUTE",
        budgets.anonymousRequestsPerMinute,
        1,
        10_000_000,
      ),
      redisUrl,
      redisKeyPrefix: reader.raw("REDIS_KEY_PREFIX") ?? "trovella:budget:",
    },
  };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const reader = new EnvReader(env);
  const environment = reader.oneOf<Environment>("NODE_ENV", "development", ["development", "production", "test"]);
  const production = environment === "production";
  const port = reader.integer("PORT", 4000, 0, 65535);

  const authSecret = reader.raw("BETTER_AUTH_SECRET") ?? (production ? "" : developmentAuthSecret);
  if (authSecret === "") {
    reader.problems.push("BETTER_AUTH_SECRET must be set in production (at least 32 random characters)");
  } else if (authSecret.length < 32) {
    reader.problems.push(`BETTER_AUTH_SECRET must be at least 32 characters, got ${authSecret.length}`);
  } else if (production && authSecret === developmentAuthSecret) {
    reader.problems.push("BETTER_AUTH_SECRET is the development secret: set a random one in production");
  }

  const logLevel = reader.oneOf("LOG_LEVEL", environment === "test" ? "silent" : "info", logLevels);
  const publicUrl = reader.httpUrl("PUBLIC_URL", "https://api.example.com");
  if (production && reader.raw("PUBLIC_URL") === undefined) {
    reader.problems.push(
      "PUBLIC_URL must be set in production: the URL clients use (auth cookies and origin checks depend on it)",
    );
  }

  const config: Config = {
    port,
    environment,
    publicUrl: publicUrl ?? `http://localhost:${port}`,
    authSecret,
    logLevel,
    statementTimeoutMs: reader.integer("STATEMENT_TIMEOUT_MS", 5000, 100, 600_000),
    migrateOnStart: reader.boolean("MIGRATE_ON_START", !production),
    shutdownTimeoutMs: reader.integer("SHUTDOWN_TIMEOUT_MS", 15_000, 0, 600_000),
    readinessTimeoutMs: reader.integer("READINESS_TIMEOUT_MS", 2000, 100, 60_000),
    metricsEnabled: reader.boolean("METRICS_ENABLED", true),
    tracing: readTracing(reader),
    database: readDatabase(reader, production),
    hostileInput: readHostileInput(reader, production),
    federation: reader.boolean("FEDERATION", true),
    trustedProxies: readTrustedProxies(reader),
    allowDemoData: reader.boolean("ALLOW_DEMO_DATA", false),
  };

  if (production && config.federation && config.hostileInput.routerSecret === undefined) {
    // Otherwise anyone could read the whole schema through `_service`, introspection off or not.
    reader.problems.push(
      "ROUTER_SECRET must be set in production so that only the federated router may call _service and _entities (or FEDERATION=off when no router composes this gateway)",
    );
  }

  const db = config.database;
  if (!db.databaseUrl && (db.appDatabaseUrl || db.authDatabaseUrl)) {
    if (!db.appDatabaseUrl || !db.authDatabaseUrl) {
      reader.problems.push(
        "APP_DATABASE_URL and AUTH_DATABASE_URL must both be set when DATABASE_URL (the owner) is not",
      );
    }
    if (config.migrateOnStart) {
      reader.problems.push(
        "MIGRATE_ON_START needs DATABASE_URL (the owner): set it, or MIGRATE_ON_START=false and run `npm run db:migrate`",
      );
    }
    if (environment === "development") {
      reader.problems.push("development seeds the demo data as the owner: set DATABASE_URL");
    }
  }

  // Settings other modules read when they run: checked here too, so a typo fails the start, not a request.
  reader.check(() => searchTuningFromEnv(env));
  reader.check(() => embeddingConfigFromEnv(env));

  if (reader.problems.length > 0) throw new ConfigError(reader.problems);
  return config;
}
