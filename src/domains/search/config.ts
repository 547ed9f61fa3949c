// Search settings from the environment. Each variable is documented in README.md ("Semantic search").
// Read when a search or an ingestion runs (cheap), so tests and operators can change them without a restart
// of anything but the process.

/** How an HNSW scan continues when the rows it found are filtered away (RLS, artifact/plan filters). */
export type IterativeScanMode = "off" | "relaxed_order" | "strict_order";
export const iterativeScanModes: readonly IterativeScanMode[] = ["off", "relaxed_order", "strict_order"];

export interface SearchTuning {
  /**
   * The strategy rule's threshold: a search whose candidate rows (the tenant's chunks, narrowed by the
   * artifact/plan filter) number at most this many is answered exactly; above it, by the HNSW index.
   */
  exactMaxRows: number;
  /** `hnsw.ef_search`: the HNSW scan's candidate list (raised to `first` when smaller). */
  efSearch: number;
  /** `hnsw.max_scan_tuples`: how many index tuples an iterative scan may visit before it gives up. */
  maxScanTuples: number;
  /** Iterative scan of the HNSW path. `off` exists for the benchmark: it under-fills small tenants. */
  iterativeScan: IterativeScanMode;
  /** `statement_timeout` of each search statement (never above the operation's own timeout). */
  statementTimeoutMs: number;
  /** When the HNSW scan gave up before finding `first` rows that the tenant has: answer exactly instead. */
  exactFallback: boolean;
}

export const defaultSearchTuning: SearchTuning = {
  exactMaxRows: 10_000,
  efSearch: 200,
  maxScanTuples: 20_000,
  iterativeScan: "relaxed_order",
  statementTimeoutMs: 2_000,
  exactFallback: true,
};

export class SearchConfigError extends Error {
  override name = "SearchConfigError";
}

function integerFrom(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new SearchConfigError(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

export function searchTuningFromEnv(env: NodeJS.ProcessEnv = process.env): SearchTuning {
  const mode = env.SEARCH_ITERATIVE_SCAN?.trim() || defaultSearchTuning.iterativeScan;
  if (mode !== "relaxed_order" && mode !== "strict_order") {
    throw new SearchConfigError(`SEARCH_ITERATIVE_SCAN must be relaxed_order or strict_order, got "${mode}"`);
  }
  return {
    exactMaxRows: integerFrom(env, "SEARCH_EXACT_MAX_ROWS", defaultSearchTuning.exactMaxRows, 0, 10_000_000),
    efSearch: integerFrom(env, "SEARCH_HNSW_EF_SEARCH", defaultSearchTuning.efSearch, 1, 1000),
    maxScanTuples: integerFrom(env, "SEARCH_HNSW_MAX_SCAN_TUPLES", defaultSearchTuning.maxScanTuples, 1, 2_147_483_647),
    iterativeScan: mode,
    statementTimeoutMs: integerFrom(
      env,
      "SEARCH_STATEMENT_TIMEOUT_MS",
      defaultSearchTuning.statementTimeoutMs,
      10,
      600_000,
    ),
    exactFallback: defaultSearchTuning.exactFallback,
  };
}
