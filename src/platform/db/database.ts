import { type Span, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { sql } from "drizzle-orm";
import { errorCauses } from "../errors.js";
import { type ConnectionOptions, openConnections } from "./connection.js";
import { connectionsOf, registerConnections } from "./internal.js";
import { PlanCache, type PlanCacheStats } from "./plan-cache.js";
import {
  runInTenantContext,
  type TenantContext,
  type TenantTransaction,
  type TenantTransactionOptions,
} from "./tenant.js";

/**
 * The runtime pool as seen from the door. postgres.js exposes no pool statistics, so they are counted here,
 * around withTenantContext(), the only way runtime traffic reaches the pool: a transaction is `waiting` from
 * the call until its callback starts (a connection was free or opened, BEGIN ran), then `inUse` until
 * COMMIT or ROLLBACK has finished. Readiness probes use a connection of their own and are not counted.
 */
export interface PoolStats {
  /** Connections the runtime pool may open (DATABASE_POOL_SIZE; 1 on PGlite). */
  size: number;
  /** Transactions holding a connection. */
  inUse: number;
  /** Transactions queued for a connection. */
  waiting: number;
}

const tracer = trace.getTracer("trovella-gateway/db");

/** postgres.js and PostgreSQL codes of a connection that died (not of a server that refuses connections). */
const deadConnectionCodes = new Set([
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "ECONNRESET",
  "EPIPE",
  "57P01", // admin_shutdown: terminated backend, or a server shutting down
  "57P02", // crash_shutdown
]);

function isDeadConnection(error: unknown): boolean {
  for (const link of errorCauses(error, 5)) {
    const code = (link as { code?: unknown }).code;
    if (typeof code === "string" && (deadConnectionCodes.has(code) || code.startsWith("08"))) return true;
  }
  return false;
}

/**
 * The database as the rest of the code sees it: one door to tenant data (withTenantContext), a readiness
 * probe, pool statistics, and close. The raw handles stay inside src/platform/db/.
 */
export class Database {
  readonly kind: "pglite" | "postgres";
  private readonly pool: PoolStats;
  private readonly acquireListeners = new Set<(waitSeconds: number) => void>();
  private pendingPing: Promise<boolean> | undefined;
  private readonly planCache: PlanCache;

  private constructor(kind: "pglite" | "postgres", poolSize: number, planCacheSize: number) {
    this.kind = kind;
    this.pool = { size: poolSize, inUse: 0, waiting: 0 };
    this.planCache = new PlanCache(planCacheSize);
  }

  static async open(options: ConnectionOptions = {}): Promise<Database> {
    const connections = await openConnections(options);
    const database = new Database(connections.kind, connections.poolSize, options.planCacheSize ?? 1000);
    registerConnections(database, connections);
    return database;
  }

  /**
   * The one way to run tenant-scoped queries. See runInTenantContext for the guarantees.
   *
   * A transaction that fails before `fn` started, because its pooled connection turned out to be dead (the
   * backend was terminated or the server restarted since the connection's last use), is tried once more on
   * another connection: nothing of it ran, so a retry cannot apply anything twice. This also covers a
   * postgres.js 3.4.9 defect: after a backend is terminated during a query, that connection slot keeps the
   * FATAL error and fails the first query of its next connection with it.
   */
  async withTenantContext<T>(
    context: TenantContext,
    fn: (tx: TenantTransaction) => Promise<T>,
    options?: TenantTransactionOptions,
  ): Promise<T> {
    return tracer.startActiveSpan(
      "db.transaction",
      {
        kind: SpanKind.CLIENT,
        attributes: { "db.system": "postgresql", "db.transaction.read_only": options?.readOnly === true },
      },
      async (span) => {
        try {
          for (let attempt = 1; ; attempt++) {
            const outcome = await this.attemptTransaction(context, fn, options, span);
            if (outcome.ok) return outcome.value;
            if (outcome.started || attempt >= 2 || !isDeadConnection(outcome.error)) throw outcome.error;
            span.addEvent("retry: the connection was dead before the transaction started");
          }
        } catch (error) {
          span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.name : "error" });
          throw error;
        } finally {
          span.end();
        }
      },
    );
  }

  private async attemptTransaction<T>(
    context: TenantContext,
    fn: (tx: TenantTransaction) => Promise<T>,
    options: TenantTransactionOptions | undefined,
    span: Span,
  ): Promise<{ ok: true; value: T } | { ok: false; started: boolean; error: unknown }> {
    const pool = this.pool;
    const requestedAt = performance.now();
    let started = false;
    pool.waiting += 1;
    try {
      const value = await runInTenantContext(
        connectionsOf(this).app,
        context,
        (tx) => {
          started = true;
          pool.waiting -= 1;
          pool.inUse += 1;
          const waitSeconds = (performance.now() - requestedAt) / 1000;
          span.setAttribute("db.pool.wait_ms", Math.round(waitSeconds * 1000));
          for (const listener of this.acquireListeners) listener(waitSeconds);
          return fn(tx);
        },
        options,
        this.planCache,
      );
      return { ok: true, value };
    } catch (error) {
      return { ok: false, started, error };
    } finally {
      if (started) pool.inUse -= 1;
      else pool.waiting -= 1;
    }
  }

  /**
   * LISTEN on `channel` for live updates (src/platform/live/): one dedicated session connection per process
   * (LIVE_DATABASE_URL), or PGlite's in-process listen. Resolves to unlisten.
   */
  listen(
    channel: string,
    onNotification: (payload: string) => void,
    onListening: () => void,
  ): Promise<() => Promise<void>> {
    return connectionsOf(this).notifications.listen(channel, onNotification, onListening);
  }

  /** NOTIFY on `channel` outside any transaction: the listener's probe. Tenant writes notify through triggers. */
  notify(channel: string, payload: string): Promise<void> {
    return connectionsOf(this).notifications.notify(channel, payload);
  }

  /** The plan cache's lookups and size (metrics, bench). */
  planCacheStats(): PlanCacheStats {
    return this.planCache.stats();
  }

  /** A snapshot of the runtime pool (metrics). */
  poolStats(): PoolStats {
    return { ...this.pool };
  }

  /** Calls `listener` with the seconds each transaction waited for its connection (metrics). */
  onConnectionAcquired(listener: (waitSeconds: number) => void): () => void {
    this.acquireListeners.add(listener);
    return () => this.acquireListeners.delete(listener);
  }

  /**
   * True when, within `timeoutMs`, the server answers `select 1` on the probe connection AND the runtime pool
   * completes a transaction (readiness). The second is what requests need: a pool whose connections are all
   * stuck, or a pooler that no longer answers it, is not ready even while the server is. The probe
   * transaction queues like any operation, so a pool saturated for longer than the timeout is reported too.
   * Concurrent probes share one attempt, so a hung pool never piles probes up.
   */
  ping(timeoutMs = 2000): Promise<boolean> {
    if (!this.pendingPing) {
      const server = connectionsOf(this).health.execute(sql`select 1`);
      const pool = this.withTenantContext({ organizationId: null, userId: null }, (tx) => tx.execute(sql`select 1`), {
        readOnly: true,
        statementTimeoutMs: timeoutMs,
      });
      const query = Promise.all([server, pool]).then(
        () => true,
        () => false,
      );
      this.pendingPing = query;
      void query.finally(() => {
        if (this.pendingPing === query) this.pendingPing = undefined;
      });
    }
    const pending = this.pendingPing;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    return Promise.race([pending, timeout]).finally(() => clearTimeout(timer));
  }

  close(): Promise<void> {
    return connectionsOf(this).close();
  }
}
