import { sql } from "drizzle-orm";
import { type ConnectionOptions, openConnections } from "./connection.js";
import { connectionsOf, registerConnections } from "./internal.js";
import {
  runInTenantContext,
  type TenantContext,
  type TenantTransaction,
  type TenantTransactionOptions,
} from "./tenant.js";

/**
 * The database as the rest of the code sees it: one door to tenant data (withTenantContext), a readiness
 * probe, and close. The raw handles stay inside src/db/.
 */
export class Database {
  readonly kind: "pglite" | "postgres";

  private constructor(kind: "pglite" | "postgres") {
    this.kind = kind;
  }

  static async open(options: ConnectionOptions = {}): Promise<Database> {
    const connections = await openConnections(options);
    const database = new Database(connections.kind);
    registerConnections(database, connections);
    return database;
  }

  /** The one way to run tenant-scoped queries. See runInTenantContext for the guarantees. */
  withTenantContext<T>(
    context: TenantContext,
    fn: (tx: TenantTransaction) => Promise<T>,
    options?: TenantTransactionOptions,
  ): Promise<T> {
    return runInTenantContext(connectionsOf(this).app, context, fn, options);
  }

  /** True when the runtime login can reach the database (readiness). */
  async ping(): Promise<boolean> {
    try {
      await connectionsOf(this).app.execute(sql`select 1`);
      return true;
    } catch {
      return false;
    }
  }

  close(): Promise<void> {
    return connectionsOf(this).close();
  }
}
