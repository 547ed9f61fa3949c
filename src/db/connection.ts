import { mkdir } from "node:fs/promises";
import { PGlite } from "@electric-sql/pglite";
import { vector } from "@electric-sql/pglite-pgvector";
import type { Logger } from "drizzle-orm";
import type { PgAsyncDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { appRuntimeRoleName, authRuntimeRoleName, type Relations, relations } from "../../schema/index.js";

// The raw database handles. Only src/db/ may import this file (enforced by lint and by
// test/db/boundaries.test.ts): everything else reaches tenant data through withTenantContext().

export type RawDatabase = PgAsyncDatabase<PgQueryResultHKT, Relations>;

export interface ConnectionOptions {
  /** postgres:// URL of the owner (migrations, seeding). Unset: embedded PGlite. */
  databaseUrl?: string | undefined;
  /** The gateway's runtime login (`trovella_app`); derived from databaseUrl when unset. */
  appDatabaseUrl?: string | undefined;
  /** Better Auth's login (`trovella_auth`); derived from databaseUrl when unset. */
  authDatabaseUrl?: string | undefined;
  /** PGlite only: a directory to persist to, or `memory://` (the default) for a throwaway database. */
  pgliteDataDir?: string | undefined;
  /** postgres.js pool size of the runtime login. */
  poolSize?: number | undefined;
  /** Seconds to wait for a new connection. */
  connectTimeoutSeconds?: number | undefined;
  /** Called with every statement the runtime handle sends (statement counting, logs). */
  onStatement?: ((sql: string) => void) | undefined;
}

export interface Connections {
  readonly kind: "pglite" | "postgres";
  /** Runtime tenant traffic: every statement runs inside withTenantContext(). */
  readonly app: RawDatabase;
  /** Better Auth's identity reads and writes. */
  readonly auth: RawDatabase;
  /** The owner: migrations and seeding only. */
  readonly owner: RawDatabase;
  close(): Promise<void>;
}

/** The same server and database as `url`, logging in as `role` (trust or .pgpass supplies the password). */
export function urlForRole(url: string, role: string): string {
  const parsed = new URL(url);
  parsed.username = role;
  parsed.password = "";
  return parsed.toString();
}

function statementLogger(onStatement: ((sql: string) => void) | undefined): Logger | undefined {
  return onStatement ? { logQuery: (query) => onStatement(query) } : undefined;
}

export async function openConnections(options: ConnectionOptions = {}): Promise<Connections> {
  const logger = statementLogger(options.onStatement);
  if (!options.databaseUrl) {
    // One in-process PostgreSQL 18. It always connects as a superuser, so RLS applies only after the
    // SET ROLE that withTenantContext() does; Better Auth shares the single connection.
    const dataDir = options.pgliteDataDir ?? "memory://";
    if (!dataDir.includes("://")) await mkdir(dataDir, { recursive: true });
    const client = await PGlite.create({ dataDir, extensions: { vector } });
    const app = drizzlePglite({ client, relations, logger });
    const auth = drizzlePglite({ client, relations });
    return {
      kind: "pglite",
      app,
      auth,
      owner: auth,
      close: () => client.close(),
    };
  }

  const connectTimeout = options.connectTimeoutSeconds ?? 10;
  const quiet = { onnotice: () => {} };
  const ownerSql = postgres(options.databaseUrl, { max: 2, connect_timeout: connectTimeout, ...quiet });
  const appSql = postgres(options.appDatabaseUrl ?? urlForRole(options.databaseUrl, appRuntimeRoleName), {
    max: options.poolSize ?? 10,
    connect_timeout: connectTimeout,
    ...quiet,
  });
  const authSql = postgres(options.authDatabaseUrl ?? urlForRole(options.databaseUrl, authRuntimeRoleName), {
    max: 4,
    connect_timeout: connectTimeout,
    ...quiet,
  });
  return {
    kind: "postgres",
    app: drizzlePostgres({ client: appSql, relations, logger }),
    auth: drizzlePostgres({ client: authSql, relations }),
    owner: drizzlePostgres({ client: ownerSql, relations }),
    close: async () => {
      await Promise.all([appSql.end({ timeout: 5 }), authSql.end({ timeout: 5 }), ownerSql.end({ timeout: 5 })]);
    },
  };
}
