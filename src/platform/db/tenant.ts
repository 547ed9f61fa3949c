import { sql } from "drizzle-orm";
import { type PgAsyncTransaction, PgDialect, type PgQueryResultHKT } from "drizzle-orm/pg-core";
import { PostgresJsSession, PostgresJsTransaction } from "drizzle-orm/postgres-js";
import type postgres from "postgres";
import { type Relations, relations } from "../../../schema/index.js";
import { preparesStatements, type RawDatabase, withPreparedStatements } from "./connection.js";
import { type PlanCache, usePlanCache } from "./plan-cache.js";

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

/**
 * The transaction-local settings of an operation, in the order of their parameters. An operation's
 * transaction is never idle for long (between two statements only resolver code runs): a connection idle in
 * a transaction for longer than that is one whose client lost track of it, and the server ends it
 * (idle_in_transaction_session_timeout, transaction-local like the rest): the last line of defence.
 */
const settingNames = [
  "role",
  "app.organization_id",
  "app.user_id",
  "idle_in_transaction_session_timeout",
  "statement_timeout",
] as const;

/** idle_in_transaction_session_timeout of a transaction: its statement timeout, and at least this. */
const minimumIdleInTransactionMs = 5000;

function settingsStatement(count: number): string {
  const calls = settingNames.slice(0, count).map((name, i) => `set_config('${name}', $${i + 1}, true)`);
  return `select ${calls.join(", ")}`;
}

const settingsWithoutTimeout = settingsStatement(4);
const settingsWithTimeout = settingsStatement(5);

type SessionOptions = ConstructorParameters<typeof PostgresJsSession>[3];

/** The postgres.js pool behind a drizzle handle, with what a transaction on one of its connections needs. */
interface PostgresJsHandle {
  client: postgres.Sql;
  /** Named prepared statements (DATABASE_PREPARED_STATEMENTS); false: every statement unnamed. */
  prepared: boolean;
  dialect: PgDialect;
  options: SessionOptions;
}

const handles = new WeakMap<object, PostgresJsHandle | null>();

// drizzle-orm 1.0.0-rc.4's private parts: `dialect` and `session.options` here, and the PostgresJsSession and
// PostgresJsTransaction constructors below. If an upgrade moves them, this returns null and transactions quietly
// take drizzle's own path (test/db/drizzle-internals.test.ts fails). See patches/README.md, "drizzle-orm's
// private classes".
function postgresJsHandle(app: RawDatabase): PostgresJsHandle | null {
  let handle = handles.get(app);
  if (handle === undefined) {
    const inner = app as unknown as { $client?: unknown; dialect?: unknown; session?: { options?: SessionOptions } };
    const client = inner.$client;
    const isPostgresJs =
      typeof client === "function" && typeof (client as { reserve?: unknown }).reserve === "function";
    handle =
      isPostgresJs && inner.dialect instanceof PgDialect
        ? {
            client: client as postgres.Sql,
            prepared: preparesStatements(client as postgres.Sql),
            dialect: inner.dialect,
            options: inner.session?.options ?? {},
          }
        : null;
    handles.set(app, handle);
  }
  return handle;
}

/** A transaction's client that refuses statements once `over()` returns an error. */
function refusingWhenOver(client: postgres.Sql, over: () => unknown): postgres.Sql {
  return new Proxy(client, {
    get(target, property, receiver) {
      if (property === "unsafe") {
        return (
          query: string,
          parameters?: postgres.ParameterOrJSON<never>[],
          options?: postgres.UnsafeQueryOptions,
        ) => {
          const error = over();
          if (error !== undefined) throw error;
          return target.unsafe(query, parameters, options);
        };
      }
      return Reflect.get(target, property, receiver);
    },
  });
}

/**
 * Runs `fn` in one transaction as `authenticated` (or `anonymous` without a user), with
 * `app.organization_id` and `app.user_id` set for this transaction only. Commits when `fn` resolves,
 * rolls back when it throws. Everything is transaction-local (set_config(..., true) is SET LOCAL), so
 * nothing survives on a pooled connection, and the settings go in the same round trip as the first statement.
 *
 * On PostgreSQL (postgres.js) the access mode rides on BEGIN itself (`begin read only`), which saves the
 * round trip of drizzle's separate `set transaction`; the transaction is postgres.js's own, so a connection
 * that dies mid-transaction rejects it and is not handed back to the pool.
 */
export async function runInTenantContext<T>(
  app: RawDatabase,
  context: TenantContext,
  fn: (tx: TenantTransaction) => Promise<T>,
  options: TenantTransactionOptions = {},
  planCache?: PlanCache,
): Promise<T> {
  const role = context.userId ? "authenticated" : "anonymous";
  const statementTimeoutMs =
    options.statementTimeoutMs === undefined ? undefined : Math.max(1, Math.floor(options.statementTimeoutMs));
  const idleMs = Math.max(minimumIdleInTransactionMs, statementTimeoutMs ?? 0);
  const parameters = [role, context.organizationId ?? "", context.userId ?? "", `${idleMs}ms`];
  if (statementTimeoutMs !== undefined) parameters.push(`${statementTimeoutMs}ms`);
  const accessMode = options.readOnly ? "read only" : "read write";

  const handle = postgresJsHandle(app);
  if (handle) {
    const settingsText = parameters.length === 5 ? settingsWithTimeout : settingsWithoutTimeout;
    // Set once the transaction is over (committed, rolled back, or its connection closed): a statement `fn`
    // still sends then is refused here. postgres.js would write it to the connection, which may be closed
    // (then it moves that connection to a queue the pool never takes from again: one connection fewer for
    // good, and after a few, a pool that waits forever) or already serve another operation.
    let over: unknown;
    const result = await handle.client
      .begin(accessMode, async (client) => {
        const raw = refusingWhenOver(client as unknown as postgres.Sql, () => over);
        const prepared = handle.prepared ? withPreparedStatements(raw) : raw;
        // Internal constructors (patches/README.md, "drizzle-orm's private classes").
        const session = new PostgresJsSession(prepared, handle.dialect, relations, handle.options);
        const tx = new PostgresJsTransaction(
          handle.dialect,
          session as unknown as ConstructorParameters<typeof PostgresJsTransaction>[1],
          relations,
        ) as unknown as TenantTransaction;
        usePlanCache(tx, planCache);
        handle.options?.logger?.logQuery(`begin ${accessMode}`, []);
        // A fixed text, sent as it is: no SQL to build per operation, and one prepared statement per connection.
        handle.options?.logger?.logQuery(settingsText, parameters);
        // Not awaited before `fn`: the operation's first statement follows it in the same write and round trip.
        // The connection runs them in order, so no statement runs before the settings; if they fail, the
        // transaction is aborted and every later statement fails too. `fn` is awaited first, so nothing it
        // started outlives the transaction, and the settings' own error is the one reported.
        const settings = prepared.unsafe(settingsText, parameters).execute();
        const settingsError = settings.then(
          () => null,
          (error: unknown) => error,
        );
        const result = await fn(tx).catch(async (error: unknown) => {
          throw (await settingsError) ?? error;
        });
        await settings;
        return result;
      })
      .finally(() => {
        over = new Error("the operation's transaction is over (its connection closed, or it ended)");
      });
    return result as T;
  }

  // PGlite: drizzle's transaction (BEGIN, then SET TRANSACTION with the access mode).
  return app.transaction(
    async (tx) => {
      await tx.execute(
        sql`select ${sql.join(
          parameters.map((value, i) => sql`set_config(${sql.raw(`'${settingNames[i]}'`)}, ${value}, true)`),
          sql`, `,
        )}`,
      );
      usePlanCache(tx, planCache);
      return fn(tx);
    },
    { accessMode },
  );
}
