import { mkdir } from "node:fs/promises";
import { PGlite } from "@electric-sql/pglite";
import { vector } from "@electric-sql/pglite-pgvector";
import type { Logger } from "drizzle-orm";
import type { PgAsyncDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { appRuntimeRoleName, authRuntimeRoleName, type Relations, relations } from "../../../schema/index.js";

// The raw database handles. Only src/platform/db/ may import this file (enforced by lint and by
// test/db/boundaries.test.ts): everything else reaches tenant data through withTenantContext().

export type RawDatabase = PgAsyncDatabase<PgQueryResultHKT, Relations>;

export interface ConnectionOptions {
  /**
   * postgres:// URL of the owner (migrations, seeding). Unset with appDatabaseUrl and authDatabaseUrl set: a
   * server without the owner's credentials (a production gateway that does not migrate). All unset: PGlite.
   */
  databaseUrl?: string | undefined;
  /** The gateway's runtime login (`trovella_app`); derived from databaseUrl when unset. */
  appDatabaseUrl?: string | undefined;
  /** Better Auth's login (`trovella_auth`); derived from databaseUrl when unset. */
  authDatabaseUrl?: string | undefined;
  /** PGlite only: a directory to persist to, or `memory://` (the default) for a throwaway database. */
  pgliteDataDir?: string | undefined;
  /** postgres.js pool size of the runtime login. */
  poolSize?: number | undefined;
  /** postgres.js pool size of Better Auth's login (default 4). */
  authPoolSize?: number | undefined;
  /** Seconds to wait for a new connection. */
  connectTimeoutSeconds?: number | undefined;
  /** Seconds an unused pooled connection stays open; 0 (the default) keeps it. */
  idleTimeoutSeconds?: number | undefined;
  /** Seconds a pooled connection lives at most; unset: postgres.js's default, 30–60 min at random per connection. */
  maxLifetimeSeconds?: number | undefined;
  /**
   * Named prepared statements on the runtime and auth pools (default true). False sends unnamed statements
   * only, BEGIN and COMMIT included: for transaction poolers that do not carry prepared statements from one
   * server connection to the next (PgBouncer before 1.21, or without max_prepared_statements).
   */
  preparedStatements?: boolean | undefined;
  /**
   * Relational query shapes whose SQL and row mapper are kept (src/platform/db/plan-cache.ts; default 1000,
   * least recently used out first). 0 builds every query's SQL afresh.
   */
  planCacheSize?: number | undefined;
  /** Called with every statement the runtime handle sends, and its parameters (statement counting, logs). */
  onStatement?: ((sql: string, params: readonly unknown[]) => void) | undefined;
  /**
   * LISTEN's connection (live updates): a direct connection or a PgBouncer session pool, never a transaction
   * pooler. Default: the runtime login's URL.
   */
  liveDatabaseUrl?: string | undefined;
}

/** LISTEN/NOTIFY on one dedicated session connection (postgres) or PGlite's in-process listen. */
export interface NotificationChannel {
  /**
   * LISTENs on `channel`: `onNotification` gets each payload; `onListening` is called each time the LISTEN is
   * (re)established (postgres.js re-listens by itself after its connection drops). Resolves to unlisten.
   */
  listen(
    channel: string,
    onNotification: (payload: string) => void,
    onListening: () => void,
  ): Promise<() => Promise<void>>;
  /** NOTIFY outside any transaction (the listener's probe), on the LISTEN URL's server. */
  notify(channel: string, payload: string): Promise<void>;
  close(): Promise<void>;
}

export interface Connections {
  readonly kind: "pglite" | "postgres";
  /** Runtime tenant traffic: every statement runs inside withTenantContext(). */
  readonly app: RawDatabase;
  /** Better Auth's identity reads and writes. */
  readonly auth: RawDatabase;
  /** The owner: migrations and seeding only. */
  readonly owner: RawDatabase;
  /**
   * Readiness probes: the runtime login on a connection of its own (postgres), so a probe never queues behind
   * a saturated pool and a busy gateway is not reported unready. PGlite: the single connection.
   */
  readonly health: RawDatabase;
  /** Connections the runtime pool may open (PGlite: 1). */
  readonly poolSize: number;
  /** LISTEN/NOTIFY for live updates; its connections open on the first listen. */
  readonly notifications: NotificationChannel;
  close(): Promise<void>;
}

/** The same server and database as `url`, logging in as `role` (trust or .pgpass supplies the password). */
export function urlForRole(url: string, role: string): string {
  const parsed = new URL(url);
  parsed.username = role;
  parsed.password = "";
  return parsed.toString();
}

function statementLogger(
  onStatement: ((sql: string, params: readonly unknown[]) => void) | undefined,
): Logger | undefined {
  return onStatement ? { logQuery: (query, params) => onStatement(query, params) } : undefined;
}

/** Whether a postgres.js pool sends named prepared statements (DATABASE_PREPARED_STATEMENTS). */
export function preparesStatements(client: postgres.Sql): boolean {
  return client.options.prepare !== false;
}

/**
 * A postgres.js client whose `unsafe()` queries (drizzle sends every statement through it) are named prepared
 * statements. drizzle asks for unnamed ones, and postgres.js then describes each parameterised statement
 * before running it: two round trips, and PostgreSQL parses and plans it again every time. Prepared, each
 * connection describes and plans a statement text once. Row-level security stays correct: PostgreSQL
 * re-plans a cached statement when the role changes, and the policies read `app.organization_id` at execution.
 */
export function withPreparedStatements(client: postgres.Sql): postgres.Sql {
  return new Proxy(client, {
    get(target, property, receiver) {
      if (property === "unsafe") {
        return (query: string, parameters?: postgres.ParameterOrJSON<never>[], options?: postgres.UnsafeQueryOptions) =>
          target.unsafe(query, parameters, { ...options, prepare: true });
      }
      return Reflect.get(target, property, receiver);
    },
  });
}

/** postgres.js's `max_pipeline` (documented, missing from its types): 0 sends the next statement after the reply. */
const oneStatementAtATime = { max_pipeline: 0 };

export async function openConnections(options: ConnectionOptions = {}): Promise<Connections> {
  const logger = statementLogger(options.onStatement);
  const serverUrl = options.databaseUrl ?? options.appDatabaseUrl;
  if (!serverUrl) {
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
      health: auth,
      poolSize: 1,
      notifications: {
        listen: async (channel, onNotification, onListening) => {
          const unlisten = await client.listen(channel, onNotification);
          onListening();
          return () => unlisten();
        },
        notify: async (channel, payload) => {
          await client.query("select pg_notify($1, $2)", [channel, payload]);
        },
        close: async () => {},
      },
      close: () => client.close(),
    };
  }

  const connectTimeout = options.connectTimeoutSeconds ?? 10;
  const common = {
    connect_timeout: connectTimeout,
    idle_timeout: options.idleTimeoutSeconds ?? 0,
    ...(options.maxLifetimeSeconds === undefined ? {} : { max_lifetime: options.maxLifetimeSeconds }),
    onnotice: () => {},
    // postgres.js prepares every statement by default (BEGIN, COMMIT and ROLLBACK included); false makes
    // every statement of the pool unnamed, whatever a query asks for.
    prepare: options.preparedStatements ?? true,
  };
  const poolSize = options.poolSize ?? 10;
  const appUrl = options.appDatabaseUrl ?? urlForRole(serverUrl, appRuntimeRoleName);
  // postgres.js connects lazily: a pool opens connections on its first queries, and after a connection is
  // lost (database restart, terminated backend) the next query opens a new one. Nothing to reconnect by hand.
  // Without the owner's URL, the "owner" handle is the runtime login: migrating through it fails on
  // permissions (the configuration refuses MIGRATE_ON_START without DATABASE_URL before that can happen).
  const ownerSql = postgres(options.databaseUrl ?? appUrl, { ...common, max: 2 });
  const appSql = postgres(appUrl, { ...common, max: poolSize });
  // The auth and probe pools run statements outside transactions: never several at once on a connection
  // (max_pipeline 0). Pipelined, each statement ends with its own Sync, and a transaction pooler that does not
  // track pipelines (PgBouncer 1.18) hands the server connection to another client at the first
  // ReadyForQuery: the later statements' replies were lost and their requests hung (with prepared statements:
  // 234 of 400 look-ups through PgBouncer 1.18). Unnamed statements with parameters are never pipelined
  // anyway (each is described first). The runtime pool pipelines inside transactions only, which a pooler
  // keeps on one server connection.
  const authSql = postgres(options.authDatabaseUrl ?? urlForRole(serverUrl, authRuntimeRoleName), {
    ...common,
    max: options.authPoolSize ?? 4,
    ...oneStatementAtATime,
  });
  // Probes are rare and tiny: close the connection when unused, so it never holds a stale socket for long.
  const healthSql = postgres(appUrl, { ...common, max: 1, idle_timeout: 30, ...oneStatementAtATime });
  // LISTEN: postgres.js keeps a dedicated connection for it (and re-listens when it drops); `notify` takes this
  // pool's one connection. Opened on the first listen only.
  const liveSql = postgres(options.liveDatabaseUrl ?? appUrl, {
    ...common,
    max: 1,
    idle_timeout: 30,
    prepare: false,
    ...oneStatementAtATime,
  });
  const notifications: NotificationChannel = {
    listen: async (channel, onNotification, onListening) => {
      const request = await liveSql.listen(channel, onNotification, onListening);
      return () => request.unlisten();
    },
    notify: async (channel, payload) => {
      await liveSql.notify(channel, payload);
    },
    close: () => liveSql.end({ timeout: 1 }),
  };
  return {
    kind: "postgres",
    app: drizzlePostgres({ client: appSql, relations, logger }),
    auth: drizzlePostgres({
      client: options.preparedStatements === false ? authSql : withPreparedStatements(authSql),
      relations,
    }),
    owner: drizzlePostgres({ client: ownerSql, relations }),
    health: drizzlePostgres({ client: healthSql, relations }),
    poolSize,
    notifications,
    close: async () => {
      await Promise.all([
        liveSql.end({ timeout: 1 }),
        appSql.end({ timeout: 5 }),
        authSql.end({ timeout: 5 }),
        ownerSql.end({ timeout: 5 }),
        healthSql.end({ timeout: 1 }),
      ]);
    },
  };
}
