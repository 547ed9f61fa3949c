import type { ConnectionOptions } from "./db/index.js";

// Configuration from the environment, read in one place. Each variable is documented in README.md.

export interface Config {
  port: number;
  environment: "development" | "production" | "test";
  /** Where clients reach the gateway (Better Auth's base URL, cookie origin). */
  publicUrl: string;
  /** Signs session cookies and tokens. */
  authSecret: string;
  logLevel: string;
  /** SET LOCAL statement_timeout of every operation, milliseconds. */
  statementTimeoutMs: number;
  database: ConnectionOptions;
}

/** Development only: a fixed secret so sessions survive restarts. Production refuses to start without one. */
const developmentAuthSecret = "trovella-development-secret-not-for-production-use";
const logLevels = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

export class ConfigError extends Error {
  override name = "ConfigError";
}

function parseInteger(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function parseDatabaseUrl(name: string, raw: string | undefined): string | undefined {
  if (raw === undefined || raw === "") return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${name} must be a postgres:// URL, got something that is not a URL`);
  }
  if (url.protocol !== "postgres:" && url.protocol !== "postgresql:") {
    throw new ConfigError(`${name} must start with postgres:// or postgresql://, got "${url.protocol}//"`);
  }
  return raw;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const nodeEnv = env.NODE_ENV ?? "development";
  if (nodeEnv !== "development" && nodeEnv !== "production" && nodeEnv !== "test") {
    throw new ConfigError(`NODE_ENV must be development, production or test, got "${nodeEnv}"`);
  }
  const port = parseInteger("PORT", env.PORT, 4000, 0, 65535);
  const authSecret = env.BETTER_AUTH_SECRET || (nodeEnv === "production" ? "" : developmentAuthSecret);
  if (authSecret.length < 32) {
    throw new ConfigError("BETTER_AUTH_SECRET must be set to at least 32 random characters in production");
  }
  const logLevel = env.LOG_LEVEL || (nodeEnv === "test" ? "silent" : "info");
  if (!logLevels.includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${logLevels.join(", ")}, got "${logLevel}"`);
  }
  const publicUrl = env.PUBLIC_URL || `http://localhost:${port}`;
  try {
    new URL(publicUrl);
  } catch {
    throw new ConfigError(`PUBLIC_URL must be an absolute URL like https://api.example.com, got "${publicUrl}"`);
  }
  return {
    port,
    environment: nodeEnv,
    publicUrl,
    authSecret,
    logLevel,
    statementTimeoutMs: parseInteger("STATEMENT_TIMEOUT_MS", env.STATEMENT_TIMEOUT_MS, 5000, 100, 600_000),
    database: {
      databaseUrl: parseDatabaseUrl("DATABASE_URL", env.DATABASE_URL),
      appDatabaseUrl: parseDatabaseUrl("APP_DATABASE_URL", env.APP_DATABASE_URL),
      authDatabaseUrl: parseDatabaseUrl("AUTH_DATABASE_URL", env.AUTH_DATABASE_URL),
      pgliteDataDir: env.PGLITE_DATA_DIR || ".data/pglite",
      poolSize: parseInteger("DATABASE_POOL_SIZE", env.DATABASE_POOL_SIZE, 10, 1, 500),
      connectTimeoutSeconds: parseInteger("DATABASE_CONNECT_TIMEOUT", env.DATABASE_CONNECT_TIMEOUT, 10, 1, 300),
    },
  };
}
