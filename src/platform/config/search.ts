import { reader, type Values, wholeNumber } from "./variables.js";

// Semantic search's settings (docs/search.md): the strategy rule's tuning and the embedding
// provider. Read at start with everything else and handed to the search domain through the GraphQL context.

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

/** An OpenAI-compatible embeddings endpoint (src/domains/search/embedding-provider.ts). */
export interface EmbeddingProviderConfig {
  /** The endpoint, ending in /embeddings. */
  url: string;
  model: string;
  apiKey: string | undefined;
  /** Per request, the whole response included. */
  timeoutMs: number;
  /** Texts per request. */
  batchSize: number;
}

export const defaultEmbeddingModel = "text-embedding-3-small";
const defaultEmbeddingTimeoutMs = 10_000;
const defaultEmbeddingBatchSize = 64;
const maxEmbeddingTimeoutMs = 600_000;
const maxEmbeddingBatchSize = 2048;

export interface SearchConfig {
  tuning: SearchTuning;
  /** Null without EMBEDDINGS_URL: text search and provider-embedded ingestion then say none is configured. */
  embeddings: EmbeddingProviderConfig | null;
}

export const defaultSearchConfig: SearchConfig = { tuning: defaultSearchTuning, embeddings: null };

const misconfigured = "The embedding provider is misconfigured:";

export const searchVariables = {
  ...reader.custom("SEARCH_ITERATIVE_SCAN", (raw, report): IterativeScanMode => {
    const mode = raw ?? defaultSearchTuning.iterativeScan;
    if (mode === "relaxed_order" || mode === "strict_order") return mode;
    report(`SEARCH_ITERATIVE_SCAN must be relaxed_order or strict_order, got "${mode}"`);
    return defaultSearchTuning.iterativeScan;
  }),
  ...reader.integer("SEARCH_EXACT_MAX_ROWS", defaultSearchTuning.exactMaxRows, 0, 10_000_000),
  ...reader.integer("SEARCH_HNSW_EF_SEARCH", defaultSearchTuning.efSearch, 1, 1000),
  ...reader.integer("SEARCH_HNSW_MAX_SCAN_TUPLES", defaultSearchTuning.maxScanTuples, 1, 2_147_483_647),
  ...reader.integer("SEARCH_STATEMENT_TIMEOUT_MS", defaultSearchTuning.statementTimeoutMs, 10, 600_000),
  // The endpoint, or a base URL such as https://api.openai.com/v1 ("/embeddings" is added).
  ...reader.custom("EMBEDDINGS_URL", (raw, report): string | undefined => {
    if (raw === undefined) return undefined;
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      report(`${misconfigured} EMBEDDINGS_URL is not a URL.`);
      return undefined;
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      report(`${misconfigured} EMBEDDINGS_URL must be http(s).`);
      return undefined;
    }
    if (!url.pathname.replace(/\/+$/, "").endsWith("/embeddings")) {
      url.pathname = `${url.pathname.replace(/\/+$/, "")}/embeddings`;
    }
    return url.toString();
  }),
  ...reader.text("EMBEDDINGS_MODEL", defaultEmbeddingModel),
  ...reader.optionalText("EMBEDDINGS_API_KEY"),
  // Checked only when EMBEDDINGS_URL is set (searchRules).
  ...reader.optionalText("EMBEDDINGS_TIMEOUT_MS"),
  ...reader.optionalText("EMBEDDINGS_BATCH_SIZE"),
};

type SearchValues = Values<typeof searchVariables>;

/** The provider's whole-number settings, with what is wrong with them. */
function embeddingNumbers(v: SearchValues): { timeoutMs: number; batchSize: number; problems: string[] } {
  const problems: string[] = [];
  const positive = (name: string, raw: string | undefined, fallback: number, max: number) => {
    if (raw === undefined) return fallback;
    const value = wholeNumber(raw, 1, max);
    if (value === undefined) problems.push(`${misconfigured} ${name} must be a whole number from 1 to ${max}.`);
    return value ?? fallback;
  };
  return {
    timeoutMs: positive(
      "EMBEDDINGS_TIMEOUT_MS",
      v.EMBEDDINGS_TIMEOUT_MS,
      defaultEmbeddingTimeoutMs,
      maxEmbeddingTimeoutMs,
    ),
    batchSize: positive(
      "EMBEDDINGS_BATCH_SIZE",
      v.EMBEDDINGS_BATCH_SIZE,
      defaultEmbeddingBatchSize,
      maxEmbeddingBatchSize,
    ),
    problems,
  };
}

/** What is wrong beyond single variables: the provider's numbers, when there is a provider. */
export function searchRules(v: SearchValues): string[] {
  return v.EMBEDDINGS_URL === undefined ? [] : embeddingNumbers(v).problems;
}

export function searchFrom(v: SearchValues): SearchConfig {
  const { timeoutMs, batchSize } = embeddingNumbers(v);
  return {
    tuning: {
      exactMaxRows: v.SEARCH_EXACT_MAX_ROWS,
      efSearch: v.SEARCH_HNSW_EF_SEARCH,
      maxScanTuples: v.SEARCH_HNSW_MAX_SCAN_TUPLES,
      iterativeScan: v.SEARCH_ITERATIVE_SCAN,
      statementTimeoutMs: v.SEARCH_STATEMENT_TIMEOUT_MS,
      exactFallback: defaultSearchTuning.exactFallback,
    },
    embeddings:
      v.EMBEDDINGS_URL === undefined
        ? null
        : { url: v.EMBEDDINGS_URL, model: v.EMBEDDINGS_MODEL, apiKey: v.EMBEDDINGS_API_KEY, timeoutMs, batchSize },
  };
}
