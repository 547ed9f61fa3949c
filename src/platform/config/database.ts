import type { ConnectionOptions } from "../db/index.js";
import { type RawValue, reader, type Values } from "./variables.js";

// The database: the owner's URL (migrations), the runtime and auth logins, the pools. Embedded PGlite when no
// URL is set (development).

export const databaseVariables = {
  ...reader.databaseUrl("DATABASE_URL"),
  ...reader.databaseUrl("APP_DATABASE_URL"),
  ...reader.databaseUrl("AUTH_DATABASE_URL"),
  // LISTEN for live updates: a direct connection or a PgBouncer session pool (default: the runtime login's URL).
  ...reader.databaseUrl("LIVE_DATABASE_URL"),
  ...reader.text("PGLITE_DATA_DIR", ".data/pglite"),
  ...reader.integer("DATABASE_POOL_SIZE", 10, 1, 500),
  ...reader.integer("DATABASE_AUTH_POOL_SIZE", 4, 1, 100),
  ...reader.integer("DATABASE_CONNECT_TIMEOUT", 10, 1, 300),
  ...reader.integer("DATABASE_IDLE_TIMEOUT", 0, 0, 86_400),
  ...reader.optionalInteger("DATABASE_MAX_LIFETIME", 60, 86_400),
  ...reader.boolean("DATABASE_PREPARED_STATEMENTS", true),
  ...reader.integer("PLAN_CACHE_SIZE", 1000, 0, 100_000),
};

type DatabaseValues = Values<typeof databaseVariables>;

/** `given`: the variables as set, before checking (a bad URL is reported as bad, not also as missing). */
export function databaseRules(given: Record<string, RawValue>, production: boolean): string[] {
  const urlNames = ["DATABASE_URL", "APP_DATABASE_URL", "AUTH_DATABASE_URL"];
  if (production && urlNames.every((name) => given[name] === undefined)) {
    // Not the embedded PGlite: it would start empty and unmigrated and answer every query with an error.
    return [
      "production needs PostgreSQL: set DATABASE_URL, or APP_DATABASE_URL and AUTH_DATABASE_URL (the embedded PGlite is for development)",
    ];
  }
  return [];
}

export function databaseFrom(v: DatabaseValues): ConnectionOptions {
  return {
    databaseUrl: v.DATABASE_URL,
    appDatabaseUrl: v.APP_DATABASE_URL,
    authDatabaseUrl: v.AUTH_DATABASE_URL,
    liveDatabaseUrl: v.LIVE_DATABASE_URL,
    pgliteDataDir: v.PGLITE_DATA_DIR,
    poolSize: v.DATABASE_POOL_SIZE,
    authPoolSize: v.DATABASE_AUTH_POOL_SIZE,
    connectTimeoutSeconds: v.DATABASE_CONNECT_TIMEOUT,
    idleTimeoutSeconds: v.DATABASE_IDLE_TIMEOUT,
    maxLifetimeSeconds: v.DATABASE_MAX_LIFETIME,
    preparedStatements: v.DATABASE_PREPARED_STATEMENTS,
    planCacheSize: v.PLAN_CACHE_SIZE,
  };
}
