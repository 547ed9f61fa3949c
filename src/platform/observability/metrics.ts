import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { Database } from "../db/index.js";

// Prometheus metrics, served at /metrics. prom-client directly rather than @graphql-yoga/plugin-prometheus:
// the operation we measure is the whole request (principal, tenant transaction, commit), which the app sees
// and Yoga's phase histograms do not; the operation-name label must be bounded (a client chooses the name);
// and the pool gauges need prom-client anyway.

export interface OperationObservation {
  name: string | null;
  type: string | null;
  durationSeconds: number;
  statements: number;
  errorCodes: readonly string[];
}

/** Why an operation ran on graphql-js although EXECUTION=jit: graphql-jit refused the document, or its variables did not coerce. */
export type FallbackReason = "not_compiled" | "variables";

/** What compiled execution (src/pipeline/compiled-execution.ts) reports. */
export interface CompiledExecutionObserver {
  /** A compiled operation was looked up: found (`hit`) or compiled now. */
  lookup(hit: boolean): void;
  fallback(reason: FallbackReason): void;
}

export interface MetricsOptions {
  /** Also export the process metrics (CPU, memory, event loop, GC): the server does, tests need not. */
  processMetrics?: boolean;
  /** Distinct operation names kept as label values; later ones count as `__other` (default 200). */
  maxOperationNames?: number;
}

export interface Metrics {
  readonly registry: Registry;
  observeOperation(observation: OperationObservation): void;
  /** Pool gauges and the connection-wait histogram read from this database. */
  watchDatabase(database: Database): void;
  requestStarted(): () => void;
  /** Counts compiled execution's cache lookups and fallbacks. */
  readonly compiledExecution: CompiledExecutionObserver;
  /** The gauge of compiled documents held reads this (the gateway's cache). */
  watchCompiledDocuments(size: () => number): void;
  setDraining(draining: boolean): void;
  /** Live updates' gauges (open subscriptions, whether the LISTEN is proven, open WebSockets) read from this. */
  watchLiveUpdates(read: () => LiveUpdatesStats): void;
  /** The exposition text and its content type. */
  render(): Promise<{ contentType: string; body: string }>;
}

export interface LiveUpdatesStats {
  subscriptions: number;
  listenerReady: boolean;
  webSockets: number;
}

const graphqlName = /^[_A-Za-z][_0-9A-Za-z]{0,99}$/;

export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  if (options.processMetrics) collectDefaultMetrics({ register: registry });
  const maxNames = options.maxOperationNames ?? 200;
  const knownNames = new Set<string>();

  const labelOf = (name: string | null): string => {
    if (name === null) return "__anonymous";
    if (!graphqlName.test(name)) return "__invalid";
    if (knownNames.has(name)) return name;
    if (knownNames.size >= maxNames) return "__other";
    knownNames.add(name);
    return name;
  };

  const duration = new Histogram({
    name: "graphql_operation_duration_seconds",
    help: "GraphQL operations from request to response, by operation name, type and outcome (ok or error).",
    labelNames: ["operation_name", "operation_type", "outcome"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const errors = new Counter({
    name: "graphql_operation_errors_total",
    help: "Errors in GraphQL responses, by operation name, type and error code (extensions.code).",
    labelNames: ["operation_name", "operation_type", "code"] as const,
    registers: [registry],
  });
  const statements = new Histogram({
    name: "graphql_operation_statements",
    help: "SQL statements one GraphQL operation sent on the runtime pool.",
    labelNames: ["operation_type"] as const,
    buckets: [1, 2, 3, 4, 6, 8, 12, 16, 25, 50, 100],
    registers: [registry],
  });
  const inFlight = new Gauge({
    name: "http_requests_in_flight",
    help: "HTTP requests being served.",
    registers: [registry],
  });
  const draining = new Gauge({
    name: "gateway_draining",
    help: "1 after SIGTERM while in-flight requests finish; 0 otherwise.",
    registers: [registry],
  });
  const acquireWait = new Histogram({
    name: "db_pool_acquire_seconds",
    help: "Time an operation's transaction waited for a pooled connection (including BEGIN).",
    labelNames: ["pool"] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const compiledLookups = new Counter({
    name: "graphql_compiled_lookups_total",
    help: "EXECUTION=jit: compiled operations looked up, by result (hit: compiled before; miss: compiled now).",
    labelNames: ["result"] as const,
    registers: [registry],
  });
  const fallbacks = new Counter({
    name: "graphql_compiled_fallbacks_total",
    help: "EXECUTION=jit: operations executed by graphql-js instead, by reason (not_compiled: graphql-jit refused the document; variables: they did not coerce).",
    labelNames: ["reason"] as const,
    registers: [registry],
  });
  const compiledSizes: (() => number)[] = [];
  new Gauge({
    name: "graphql_compiled_documents",
    help: "EXECUTION=jit: documents whose compiled operations are held (bounded by EXECUTION_CACHE_SIZE).",
    registers: [registry],
    collect() {
      this.set(compiledSizes.reduce((sum, size) => sum + size(), 0));
    },
  });
  const watched: Database[] = [];
  const poolGauge = (name: string, help: string, read: (database: Database) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ["pool"] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const database of watched) this.set({ pool: "app" }, read(database));
      },
    });
  poolGauge("db_pool_size", "Connections the runtime pool may open (DATABASE_POOL_SIZE).", (d) => d.poolStats().size);
  poolGauge("db_pool_in_use", "Transactions holding a runtime pool connection.", (d) => d.poolStats().inUse);
  poolGauge("db_pool_waiting", "Transactions queued for a runtime pool connection.", (d) => d.poolStats().waiting);
  new Counter({
    name: "db_plan_cache_lookups_total",
    help: "Relational queries looked up in the plan cache (src/platform/db/plan-cache.ts), by result (hit: SQL and mapper built before; miss: built now; bypass: a shape the cache cannot key, built as without it).",
    labelNames: ["result"] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const database of watched) {
        const { hits, misses, bypasses } = database.planCacheStats();
        this.inc({ result: "hit" }, hits);
        this.inc({ result: "miss" }, misses);
        this.inc({ result: "bypass" }, bypasses);
      }
    },
  });
  new Gauge({
    name: "db_plan_cache_entries",
    help: "Query shapes whose SQL and row mapper the plan cache holds (bounded by PLAN_CACHE_SIZE).",
    registers: [registry],
    collect() {
      this.set(watched.reduce((sum, database) => sum + database.planCacheStats().size, 0));
    },
  });

  const liveReaders: (() => LiveUpdatesStats)[] = [];
  const liveGauge = (name: string, help: string, read: (stats: LiveUpdatesStats) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(liveReaders.reduce((sum, reader) => sum + read(reader()), 0));
      },
    });
  liveGauge("live_subscriptions", "Open subscriptions (SSE and graphql-ws).", (s) => s.subscriptions);
  liveGauge("live_listener_ready", "1 when the LISTEN connection answered its NOTIFY probe.", (s) =>
    s.listenerReady ? 1 : 0,
  );
  liveGauge("live_websocket_connections", "Open graphql-ws WebSockets.", (s) => s.webSockets);

  return {
    registry,
    watchLiveUpdates(read) {
      liveReaders.push(read);
    },
    observeOperation(observation) {
      const operationName = labelOf(observation.name);
      const operationType = observation.type ?? "unknown";
      const outcome = observation.errorCodes.length > 0 ? "error" : "ok";
      duration.observe(
        { operation_name: operationName, operation_type: operationType, outcome },
        observation.durationSeconds,
      );
      statements.observe({ operation_type: operationType }, observation.statements);
      for (const code of observation.errorCodes) {
        errors.inc({ operation_name: operationName, operation_type: operationType, code });
      }
    },
    watchDatabase(database) {
      watched.push(database);
      database.onConnectionAcquired((seconds) => acquireWait.observe({ pool: "app" }, seconds));
    },
    requestStarted() {
      inFlight.inc();
      let done = false;
      return () => {
        if (done) return;
        done = true;
        inFlight.dec();
      };
    },
    compiledExecution: {
      lookup: (hit) => compiledLookups.inc({ result: hit ? "hit" : "miss" }),
      fallback: (reason) => fallbacks.inc({ reason }),
    },
    watchCompiledDocuments(size) {
      compiledSizes.push(size);
    },
    setDraining(value) {
      draining.set(value ? 1 : 0);
    },
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}
