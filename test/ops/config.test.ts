import { spawn } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, loadDatabaseConfig } from "../../src/platform/config/index.js";
import { problemsOf, productionEnvironment } from "./support/config.js";
import { repoRoot } from "./support/stack.js";

// Configuration is read and checked once, at start: every bad value is reported (all of them, each in a
// sentence naming the variable), passwords are never echoed, and every variable the code reads is in a
// table of docs/configuration.md.

describe("configuration", () => {
  it("has development defaults: nothing to set for npm start", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 4000,
      environment: "development",
      publicUrl: "http://localhost:4000",
      logLevel: "info",
      statementTimeoutMs: 5000,
      migrateOnStart: true,
      shutdownTimeoutMs: 15_000,
      readinessTimeoutMs: 2000,
      metricsEnabled: true,
      tracing: undefined,
      database: {
        databaseUrl: undefined,
        pgliteDataDir: ".data/pglite",
        poolSize: 10,
        authPoolSize: 4,
        connectTimeoutSeconds: 10,
        idleTimeoutSeconds: 0,
        maxLifetimeSeconds: undefined,
      },
    });
  });

  it("reads the pool settings", () => {
    const config = loadConfig({
      DATABASE_URL: "postgres://owner@db:5432/trovella",
      DATABASE_POOL_SIZE: "4",
      DATABASE_AUTH_POOL_SIZE: "2",
      DATABASE_CONNECT_TIMEOUT: "3",
      DATABASE_IDLE_TIMEOUT: "60",
      DATABASE_MAX_LIFETIME: "1800",
    });
    expect(config.database).toMatchObject({
      poolSize: 4,
      authPoolSize: 2,
      connectTimeoutSeconds: 3,
      idleTimeoutSeconds: 60,
      maxLifetimeSeconds: 1800,
    });
  });

  it("production: does not migrate on start, needs a secret and a public URL", () => {
    expect(loadConfig(productionEnvironment).migrateOnStart).toBe(false);
    expect(problemsOf({ NODE_ENV: "production" })).toEqual([
      "BETTER_AUTH_SECRET must be set in production (at least 32 random characters)",
      "PUBLIC_URL must be set in production: the URL clients use (auth cookies and origin checks depend on it)",
      "production needs PostgreSQL: set DATABASE_URL, or APP_DATABASE_URL and AUTH_DATABASE_URL (the embedded PGlite is for development)",
      "ROUTER_SECRET must be set in production so that only the federated router may call _service and _entities (or FEDERATION=off when no router composes this gateway)",
    ]);
    expect(
      problemsOf({
        ...productionEnvironment,
        BETTER_AUTH_SECRET: "trovella-development-secret-not-for-production-use",
      }),
    ).toEqual(["BETTER_AUTH_SECRET is the development secret: set a random one in production"]);
  });

  it("reports every bad value at once, one sentence each, naming the variable", () => {
    const problems = problemsOf({
      PORT: "http",
      NODE_ENV: "staging",
      LOG_LEVEL: "loud",
      STATEMENT_TIMEOUT_MS: "5s",
      DATABASE_POOL_SIZE: "0",
      DATABASE_CONNECT_TIMEOUT: "-1",
      DATABASE_MAX_LIFETIME: "10",
      MIGRATE_ON_START: "maybe",
      SHUTDOWN_TIMEOUT_MS: "1.5",
      METRICS_ENABLED: "sometimes",
      OTEL_EXPORTER_OTLP_ENDPOINT: "collector:4318",
      OTEL_TRACES_SAMPLER: "sometimes",
      SEARCH_HNSW_EF_SEARCH: "0",
      EMBEDDINGS_URL: "ftp://embeddings.example.com",
    });
    expect(problems).toEqual([
      'NODE_ENV must be one of development, production, test, got "staging"',
      'PORT must be a whole number from 0 to 65535, got "http"',
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "loud"',
      'STATEMENT_TIMEOUT_MS must be a whole number from 100 to 600000, got "5s"',
      'MIGRATE_ON_START must be true or false, got "maybe"',
      'SHUTDOWN_TIMEOUT_MS must be a whole number from 0 to 600000, got "1.5"',
      'METRICS_ENABLED must be true or false, got "sometimes"',
      'OTEL_EXPORTER_OTLP_ENDPOINT must be an http:// or https:// URL, got "collector://…"',
      'OTEL_TRACES_SAMPLER must be one of always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off, parentbased_traceidratio, got "sometimes"',
      'DATABASE_POOL_SIZE must be a whole number from 1 to 500, got "0"',
      'DATABASE_CONNECT_TIMEOUT must be a whole number from 1 to 300, got "-1"',
      'DATABASE_MAX_LIFETIME must be a whole number from 60 to 86400, got "10"',
      'SEARCH_HNSW_EF_SEARCH must be a whole number from 1 to 1000, got "0"',
      "The embedding provider is misconfigured: EMBEDDINGS_URL must be http(s).",
    ]);
  });

  it("never echoes a database URL, which carries a password", () => {
    const problems = problemsOf({
      DATABASE_URL: "mysql://root:hunter2-secret@db/trovella",
      APP_DATABASE_URL: "not a url hunter2-secret",
    });
    expect(problems).toEqual([
      'DATABASE_URL must start with postgres:// or postgresql://, got "mysql://…"',
      "APP_DATABASE_URL must be a postgres:// URL, got something that is not a URL",
    ]);
    expect(problems.join(" ")).not.toContain("hunter2");
  });

  it("a gateway may run without the owner's credentials, as long as it does not migrate", () => {
    const runtimeOnly = {
      ...productionEnvironment,
      APP_DATABASE_URL: "postgres://trovella_app:pw@db/trovella",
      AUTH_DATABASE_URL: "postgres://trovella_auth:pw@db/trovella",
    };
    expect(loadConfig(runtimeOnly).database.databaseUrl).toBeUndefined();
    expect(problemsOf({ ...runtimeOnly, MIGRATE_ON_START: "true" })).toEqual([
      "MIGRATE_ON_START needs DATABASE_URL (the owner): set it, or MIGRATE_ON_START=false and run `npm run db:migrate`",
    ]);
    expect(problemsOf({ ...productionEnvironment, AUTH_DATABASE_URL: "" })).toEqual([
      "APP_DATABASE_URL and AUTH_DATABASE_URL must both be set when DATABASE_URL (the owner) is not",
    ]);
  });

  it("production is explicit: PostgreSQL, and a router secret unless federation is off", () => {
    const noDatabase = { ...productionEnvironment, APP_DATABASE_URL: "", AUTH_DATABASE_URL: "" };
    expect(problemsOf(noDatabase)).toEqual([
      "production needs PostgreSQL: set DATABASE_URL, or APP_DATABASE_URL and AUTH_DATABASE_URL (the embedded PGlite is for development)",
    ]);
    expect(problemsOf({ ...noDatabase, DATABASE_URL: "postgres://owner@db/trovella" })).toEqual([]);
    // A bad URL is reported as bad, not also as missing.
    expect(problemsOf({ ...noDatabase, DATABASE_URL: "mysql://db/trovella" })).toEqual([
      'DATABASE_URL must start with postgres:// or postgresql://, got "mysql://…"',
    ]);
    expect(loadConfig({}).federation).toBe(true);
    expect(problemsOf({ ...productionEnvironment, ROUTER_SECRET: "" })).toEqual([
      "ROUTER_SECRET must be set in production so that only the federated router may call _service and _entities (or FEDERATION=off when no router composes this gateway)",
    ]);
    const withoutRouter = loadConfig({ ...productionEnvironment, ROUTER_SECRET: "", FEDERATION: "off" });
    expect(withoutRouter.federation).toBe(false);
    expect(withoutRouter.allowDemoData).toBe(false);
    expect(problemsOf({ ...productionEnvironment, FEDERATION: "sometimes" })).toEqual([
      'FEDERATION must be true or false, got "sometimes"',
    ]);
  });

  it("reads trusted proxies and the anonymous budget, and refuses what is not an address", () => {
    const config = loadConfig({
      TRUSTED_PROXIES: "10.0.0.0/8, 192.168.1.7 ,loopback,fd00::/8",
      RATE_LIMIT_ANONYMOUS_REQUESTS_PER_MINUTE: "30",
    });
    expect(config.trustedProxies).toEqual(["10.0.0.0/8", "192.168.1.7", "loopback", "fd00::/8"]);
    expect(config.hostileInput.budgets.anonymousRequestsPerMinute).toBe(30);
    expect(loadConfig({}).trustedProxies).toEqual([]);
    expect(problemsOf({ TRUSTED_PROXIES: "10.0.0.0/8,proxy.internal,10.0.0.0/99" })).toEqual([
      'TRUSTED_PROXIES must list IP addresses or CIDR ranges (or loopback, linklocal, uniquelocal), got "proxy.internal"',
      'TRUSTED_PROXIES must list IP addresses or CIDR ranges (or loopback, linklocal, uniquelocal), got "10.0.0.0/99"',
    ]);
  });

  it("tracing is off unless an OTLP endpoint is set", () => {
    expect(loadConfig({}).tracing).toBeUndefined();
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318/" }).tracing).toEqual({
      endpoint: "http://collector:4318/v1/traces",
      serviceName: "trovella-gateway",
    });
    expect(
      loadConfig({
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "https://otel.example.com/traces",
        OTEL_SERVICE_NAME: "gateway-eu",
      }).tracing,
    ).toEqual({ endpoint: "https://otel.example.com/traces", serviceName: "gateway-eu" });
    expect(
      loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318", OTEL_SDK_DISABLED: "true" }).tracing,
    ).toBeUndefined();
    expect(
      loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318", OTEL_TRACES_EXPORTER: "none" }).tracing,
    ).toBeUndefined();
  });

  it("migrations need only the database settings (no auth secret, even in production)", () => {
    expect(loadDatabaseConfig({ NODE_ENV: "production", DATABASE_URL: "postgres://owner@db/trovella" })).toMatchObject({
      databaseUrl: "postgres://owner@db/trovella",
    });
    expect(() => loadDatabaseConfig({ DATABASE_POOL_SIZE: "many" })).toThrow(ConfigError);
  });

  it("the server refuses to start on bad configuration, listing every problem, exit 1", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? "", NODE_ENV: "production", PORT: "99999", DATABASE_POOL_SIZE: "none" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    expect(code).toBe(1);
    expect(stderr).toContain("Configuration error: the gateway cannot start.");
    expect(stderr).toContain('  - PORT must be a whole number from 0 to 65535, got "99999"');
    expect(stderr).toContain("  - BETTER_AUTH_SECRET must be set in production");
    expect(stderr).toContain('  - DATABASE_POOL_SIZE must be a whole number from 1 to 500, got "none"');
  }, 60_000);

  it("every environment variable read in src/ is documented in a table of docs/configuration.md", () => {
    const configuration = readFileSync(join(repoRoot, "docs/configuration.md"), "utf8");
    const documented = new Set([...configuration.matchAll(/^\| `([A-Z][A-Z0-9_]+)`/gm)].map((m) => m[1]));
    const read = new Map<string, string>();
    for (const file of sourceFiles(join(repoRoot, "src"))) {
      const text = readFileSync(file, "utf8");
      const patterns = [
        /\benv(?:\?)?\.([A-Z][A-Z0-9_]{2,})\b/g,
        /\benv\[\s*"([A-Z][A-Z0-9_]{2,})"\s*\]/g,
        /\(\s*env\s*,\s*"([A-Z][A-Z0-9_]{2,})"/g,
        /\breader\.\w+\(\s*"([A-Z][A-Z0-9_]{2,})"/g,
      ];
      for (const pattern of patterns) {
        for (const match of text.matchAll(pattern)) read.set(match[1] as string, relative(repoRoot, file));
      }
    }
    expect(read.size).toBeGreaterThan(20);
    const missing = [...read].filter(([name]) => !documented.has(name)).map(([name, file]) => `${name} (${file})`);
    expect(missing, "document these in docs/configuration.md").toEqual([]);
  });
});

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith(".ts") ? [path] : [];
  });
}
