import { sql } from "drizzle-orm";
import type { PgAsyncTransaction, PgQueryResultHKT } from "drizzle-orm/pg-core";
import type { Relations } from "../../schema/index.js";
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

/**
 * Runs `fn` in one transaction as `authenticated` (or `anonymous` without a user), with
 * `app.organization_id` and `app.user_id` set for this transaction only. Commits when `fn` resolves,
 * rolls back when it throws. Everything is transaction-local (set_config(..., true) is SET LOCAL), so
 * nothing survives on a pooled connection, and the settings go in a single round trip.
 */
export async function runInTenantContext<T>(
  app: RawDatabase,
  context: TenantContext,
  fn: (tx: TenantTransaction) => Promise<T>,
  options: TenantTransactionOptions = {},
): Promise<T> {
  const role = context.userId ? "authenticated" : "anonymous";
  const timeout =
    options.statementTimeoutMs === undefined
      ? sql``
      : sql`, set_config('statement_timeout', ${`${Math.max(1, Math.floor(options.statementTimeoutMs))}ms`}, true)`;
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
