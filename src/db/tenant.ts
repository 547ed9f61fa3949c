import { sql } from "drizzle-orm";
import { type PgAsyncTransaction, PgDialect, type PgQueryResultHKT } from "drizzle-orm/pg-core";
import { PostgresJsSession, PostgresJsTransaction } from "drizzle-orm/postgres-js";
import type postgres from "postgres";
import { type Relations, relations } from "../../schema/index.js";
import type { RawDatabase } from "./connection.js";

/** The operation's transaction: the only handle application code gets. */
export type TenantTransaction = PgAsyncTransaction<PgQueryResultHKT, Relations>;

export interface TenantContext {
  /** The tenant whose rows the transaction may see; null reaches global and viewer data only. */
  organizationId: string | null;
  /** The signed-in user; null runs as `anonymous`. */
  userId: string | null;
}

export interface TenantTransactionOptions {
  /** Queries run read-only: PostgreSQL refuses any write, whatever the code does. */
  readOnly?: boolean;
  /** Per-transaction statement timeout (SET LOCAL), milliseconds. */
  statementTimeoutMs?: number;
}

type SessionOptions = ConstructorParameters<typeof PostgresJsSession>[3];

/** The postgres.js pool behind a drizzle handle, with what a transaction on one of its connections needs. */
interface PostgresJsHandle {
  client: postgres.Sql;
  dialect: PgDialect;
  options: SessionOptions;
}

const handles = new WeakMap<object, PostgresJsHandle | null>();

function postgresJsHandle(app: RawDatabase): PostgresJsHandle | null {
  let handle = handles.get(app);
  if (handle === undefined) {
    const inner = app as unknown as { $client?: unknown; dialect?: unknown; session?: { options?: SessionOptions } };
    const client = inner.$client;
    const isPostgresJs =
      typeof client === "function" && typeof (client as { reserve?: unknown }).reserve === "function";
    handle =
      isPostgresJs && inner.dialect instanceof PgDialect
        ? { client: client as postgres.Sql, dialect: inner.dialect, options: inner.session?.options ?? {} }
        : null;
    handles.set(app, handle);
  }
  return handle;
}

/**
 * Runs `fn` in one transaction as `authenticated` (or `anonymous` without a user), with
 * `app.organization_id` and `app.user_id` set for this transaction only. Commits when `fn` resolves,
 * rolls back when it throws. Everything is transaction-local (set_config(..., true) is SET LOCAL), so
 * nothing survives on a pooled connection.
 *
 * On PostgreSQL the transaction costs one round trip before `fn` runs: BEGIN (with its access mode) and the
 * settings statement are pipelined on the transaction's connection, and `fn` starts once both succeeded.
 */
export async function runInTenantContext<T>(
  app: RawDatabase,
  context: TenantContext,
  fn: (tx: TenantTransaction) => Promise<T>,
  options: TenantTransactionOptions = {},
): Promise<T> {
  const role = context.userId ? "authenticated" : "anonymous";
  const timeoutMs =
    options.statementTimeoutMs === undefined ? null : `${Math.max(1, Math.floor(options.statementTimeoutMs))}ms`;
  const handle = postgresJsHandle(app);
  if (handle) return runPipelined(handle, role, context, timeoutMs, fn, options.readOnly === true);

  // PGlite: drizzle's transaction (one connection, no pipelining to gain).
  const timeout = timeoutMs === null ? sql`` : sql`, set_config('statement_timeout', ${timeoutMs}, true)`;
  return app.transaction(
    async (tx) => {
      await tx.execute(sql`select
        set_config('role', ${role}, true),
        set_config('app.organization_id', ${context.organizationId ?? ""}, true),
        set_config('app.user_id', ${context.userId ?? ""}, true)${timeout}`);
      return fn(tx);
    },
    { accessMode: options.readOnly ? "read only" : "read write" },
  );
}

/**
 * A reserved connection as drizzle's postgres.js transaction expects it: what drizzle calls on it beyond
 * queries is `savepoint` (nested transactions), added here.
 */
function withSavepoints(connection: postgres.ReservedSql): postgres.Sql {
  let depth = 0;
  const savepoint = async <R>(callback: (sql: postgres.ReservedSql) => R | Promise<R>): Promise<R> => {
    depth += 1;
    const name = `tenant_savepoint_${depth}`;
    await connection.unsafe(`savepoint ${name}`);
    try {
      const result = await callback(connection);
      await connection.unsafe(`release savepoint ${name}`);
      return result;
    } catch (error) {
      await connection.unsafe(`rollback to savepoint ${name}`);
      throw error;
    } finally {
      depth -= 1;
    }
  };
  return Object.assign(connection, { savepoint });
}

async function runPipelined<T>(
  handle: PostgresJsHandle,
  role: string,
  context: TenantContext,
  timeoutMs: string | null,
  fn: (tx: TenantTransaction) => Promise<T>,
  readOnly: boolean,
): Promise<T> {
  const settingsText =
    "select set_config('role', $1, true), set_config('app.organization_id', $2, true), " +
    `set_config('app.user_id', $3, true)${timeoutMs === null ? "" : ", set_config('statement_timeout', $4, true)"}`;
  const settingsParams = [
    role,
    context.organizationId ?? "",
    context.userId ?? "",
    ...(timeoutMs === null ? [] : [timeoutMs]),
  ];
  const connection = await handle.client.reserve();
  let open = false;
  try {
    // Both are written before either answers: one round trip. postgres.js runs a reserved connection's
    // queries in order, so the settings apply inside this transaction.
    const beginText = readOnly ? "begin read only" : "begin read write";
    const begin = connection.unsafe(beginText).execute();
    const settings = connection.unsafe(settingsText, settingsParams, { prepare: true }).execute();
    open = true;
    await Promise.all([begin, settings]);
    handle.options?.logger?.logQuery(beginText, []);
    handle.options?.logger?.logQuery(settingsText, settingsParams);
    const session = new PostgresJsSession(withSavepoints(connection), handle.dialect, relations, handle.options);
    const tx = new PostgresJsTransaction(
      handle.dialect,
      session as unknown as ConstructorParameters<typeof PostgresJsTransaction>[1],
      relations,
    ) as unknown as TenantTransaction;
    const result = await fn(tx);
    await connection.unsafe("commit");
    open = false;
    return result;
  } catch (error) {
    if (open) await connection.unsafe("rollback").catch(() => {});
    throw error;
  } finally {
    connection.release();
  }
}
