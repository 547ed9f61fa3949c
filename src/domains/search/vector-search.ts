import { type SQL, sql } from "drizzle-orm";
import { defaultSearchTuning, type IterativeScanMode, type SearchTuning } from "../../platform/config/index.js";
import type { TenantTransaction } from "../../platform/db/index.js";
import { errorCauses, GatewayError, isGatewayError } from "../../platform/errors.js";
import { type EmbeddingProvider, requireEmbeddingProvider } from "./embedding-provider.js";
import { scoreFromDistance, validateEmbedding, vectorLiteral } from "./vectors.js";

// Nearest chunks of the caller's tenant by cosine distance, inside the operation's tenant transaction. RLS
// decides which rows exist; this file decides how to find the nearest of them.
//
// Why a strategy at all: an HNSW scan returns the index's nearest tuples and only then applies filters, and
// RLS is such a filter. With the default ef_search (40), a tenant holding 1 % of the chunks gets about 3 of
// 10 results. Two ways out, picked by one rule:
//
//   exact   Every candidate row's distance, then the k nearest. Candidates are read through an index leading
//           with organization_id (`document_chunk_organization_id_id_key`, or `document_chunk_artifact_index_key`
//           (organization_id, artifact_id, chunk_index) for the artifact/plan filters), never a sequential scan
//           of every tenant's rows. Always complete and exact; its cost grows with the candidate count.
//   hnsw    The HNSW index (`document_chunk_embedding_hnsw_idx`) with a pgvector 0.8 iterative scan: when the
//           filters leave fewer than k rows, the scan continues (relaxed_order by default) until it has k or
//           has visited `hnsw.max_scan_tuples` tuples. Cost grows with how rare the tenant's rows are around
//           the query, not with the tenant's size.
//
// THE RULE: count the candidate rows (the tenant's chunks, narrowed by the artifact/plan filter) with a
// bounded count that stops at SEARCH_EXACT_MAX_ROWS + 1 (an index walk of at most that many entries).
// At most SEARCH_EXACT_MAX_ROWS candidates → exact; more → hnsw. So small tenants and narrow filters get
// the exact answer for the price of a small scan, and large tenants get the index, whose iterative scan
// fills k easily because their rows are common. If the HNSW scan still gives up (max_scan_tuples) with
// fewer than k rows while the tenant has more, the search is answered exactly instead (exactFallback).
//
// Planner settings: RLS's tenant is a runtime setting, so the planner cannot know the tenant's size and
// estimates 1/ndistinct of the table for it. Left alone, it picks a sequential scan of every tenant's rows for
// the exact path, and a btree scan plus a sort (an exact search of a large tenant) instead of the HNSW index.
// The search therefore runs with enable_seqscan and enable_sort off: the exact path reads its candidates
// through an organization_id index, and the only sort-free plan for `order by distance limit k` is the HNSW
// index scan (a sort the query cannot do without, like the exact path's final one, still happens).
// enable_bitmapscan is off too: a bitmap index scan reads every index entry of the tenant before the bounded
// count's LIMIT can stop it (38k entries instead of 10k for a large tenant); a plain index scan stops at the
// bound, and is index-only once the visibility map is set. Before PostgreSQL 18 a disabled plan node costs
// 1e10 more, which pushes every search past jit_above_cost: JIT compilation would then add ~300 ms to a 1 ms
// query, so the search also runs with jit off.
//
// Bounds: every statement of a search runs with SET LOCAL statement_timeout = min(SEARCH_STATEMENT_TIMEOUT_MS,
// the operation's own), and the HNSW scan with hnsw.max_scan_tuples. The settings live in a savepoint that
// is rolled back after the search, so they never leak into the rest of the operation, and a timed-out search
// becomes SEARCH_TIMEOUT without aborting the operation's transaction.

export type SearchStrategy = "exact" | "hnsw";

export interface SearchFilter {
  artifactId?: string | null | undefined;
  planId?: string | null | undefined;
}

export interface VectorSearchOptions {
  /** How many results: 1..50. */
  first: number;
  filter?: SearchFilter | undefined;
  /** Drop results whose cosine similarity is below this (in [-1, 1]). */
  minScore?: number | null | undefined;
  /** "auto" (the default) applies the rule; the others force a path (benchmarks, tests). */
  strategy?: "auto" | SearchStrategy | undefined;
  /** The tuning, over the defaults: the configured one (the GraphQL field), or overrides (benchmarks, tests). */
  tuning?: Partial<SearchTuning> | undefined;
}

export interface SearchHit {
  chunkId: string;
  artifactId: string;
  /** Cosine distance, in [0, 2]. */
  distance: number;
  /** Cosine similarity, 1 - distance. */
  score: number;
}

export interface VectorSearchResult {
  /** Nearest first. */
  hits: SearchHit[];
  /** The path that produced `hits`. */
  strategy: SearchStrategy;
  /** Candidate rows counted for the rule, capped at the count's bound; null when not counted. */
  candidateRows: number | null;
  /** The HNSW scan under-filled and the exact path answered instead. */
  fellBack: boolean;
}

export const maxSearchResults = 50;
export const maxSearchTextLength = 8_000;

/** What PostgreSQL reported (SQLSTATE), through drizzle's wrapping (`cause`). */
function sqlStateOf(error: unknown): string | undefined {
  for (const link of errorCauses(error, 5)) {
    const code = (link as { code?: unknown }).code;
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}

/** Rows of a raw statement, whichever driver (postgres.js returns the rows, PGlite `{ rows }`). */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  if (typeof result === "object" && result !== null && "rows" in result && Array.isArray(result.rows)) {
    return result.rows as T[];
  }
  return [];
}

function filterSql(filter: SearchFilter | undefined): SQL {
  const conditions: SQL[] = [];
  if (filter?.artifactId) conditions.push(sql`dc.artifact_id = ${filter.artifactId}`);
  if (filter?.planId) {
    // An init plan evaluated once: the chunk scan sees a constant array, so the HNSW scan keeps its order.
    conditions.push(
      sql`dc.artifact_id = any(array(select ra.id from research_artifact ra where ra.plan_id = ${filter.planId}))`,
    );
  }
  return conditions.length > 0 ? sql.join(conditions, sql` and `) : sql`true`;
}

/** Candidate rows, counting at most `bound` of them (an index walk that stops there, never the whole tenant). */
function countSql(filter: SearchFilter | undefined, bound: number): SQL {
  return sql`select count(*)::int as n from (select 1 from document_chunk dc where ${filterSql(filter)} limit ${bound}) s`;
}

function exactSql(query: string, filter: SearchFilter | undefined, first: number): SQL {
  // MATERIALIZED keeps the ORDER BY from reaching the HNSW index: every candidate gets its exact distance.
  return sql`with candidates as materialized (
      select dc.id, dc.artifact_id, dc.embedding <=> ${query}::halfvec(1536) as distance
      from document_chunk dc
      where ${filterSql(filter)}
    )
    select id, artifact_id, distance from candidates order by distance, id limit ${first}`;
}

function hnswSql(query: string, filter: SearchFilter | undefined, first: number): SQL {
  // relaxed_order may return rows slightly out of order: re-sorted outside the materialized scan.
  return sql`with nearest as materialized (
      select dc.id, dc.artifact_id, dc.embedding <=> ${query}::halfvec(1536) as distance
      from document_chunk dc
      where ${filterSql(filter)}
      order by distance
      limit ${first}
    )
    select id, artifact_id, distance from nearest order by distance, id`;
}

function settingsSql(tuning: SearchTuning, first: number): SQL {
  const iterative: IterativeScanMode = tuning.iterativeScan;
  return sql`select
      set_config('statement_timeout',
        (select least(nullif(setting::bigint, 0), ${tuning.statementTimeoutMs}::bigint)::text
           from pg_settings where name = 'statement_timeout'), true),
      set_config('enable_seqscan', 'off', true),
      set_config('enable_bitmapscan', 'off', true),
      set_config('enable_sort', 'off', true),
      set_config('jit', 'off', true),
      set_config('hnsw.iterative_scan', ${iterative}, true),
      set_config('hnsw.ef_search', ${String(Math.min(1000, Math.max(tuning.efSearch, first)))}, true),
      set_config('hnsw.max_scan_tuples', ${String(tuning.maxScanTuples)}, true)`;
}

interface HitRow {
  id: string;
  artifact_id: string;
  distance: number | string;
}

function hitsOf(result: unknown): SearchHit[] {
  const hits: SearchHit[] = [];
  for (const row of rowsOf<HitRow>(result)) {
    const distance = Number(row.distance);
    if (!Number.isFinite(distance)) continue; // a zero vector stored before validation existed
    hits.push({ chunkId: row.id, artifactId: row.artifact_id, distance, score: scoreFromDistance(distance) });
  }
  return hits;
}

function checkOptions(options: VectorSearchOptions): void {
  if (!Number.isInteger(options.first) || options.first < 1 || options.first > maxSearchResults) {
    throw new GatewayError("BAD_USER_INPUT", `first: must be from 1 to ${maxSearchResults}`, { field: "first" });
  }
  const minScore = options.minScore;
  if (minScore != null && (!Number.isFinite(minScore) || minScore < -1 || minScore > 1)) {
    throw new GatewayError("BAD_USER_INPUT", "minScore: must be from -1 to 1 (cosine similarity)", {
      field: "minScore",
    });
  }
}

/** Thrown to roll the search's savepoint back after a success: its SET LOCALs must not outlive the search. */
class SearchDone extends Error {}

/**
 * Runs `fn` with the search's settings (planner switches, hnsw.*, statement_timeout) in a savepoint (a nested
 * drizzle transaction) that is always rolled back, so the settings end with the search, and a failed statement
 * never poisons the operation's transaction (postgres.js fails a whole transaction on any failed statement
 * outside such a savepoint). A statement cancelled by the timeout becomes SEARCH_TIMEOUT. `fn` must run its
 * statements on the handle it is given.
 *
 * Not enforced on PGlite, which has no statement timeout.
 */
export async function withSearchSettings<T>(
  tx: TenantTransaction,
  tuning: SearchTuning,
  first: number,
  fn: (search: TenantTransaction) => Promise<T>,
): Promise<T> {
  let outcome: { value: T } | undefined;
  try {
    await tx.transaction(async (search) => {
      await search.execute(settingsSql(tuning, first));
      outcome = { value: await fn(search) };
      throw new SearchDone();
    });
  } catch (error) {
    if (error instanceof SearchDone && outcome) return outcome.value;
    if (sqlStateOf(error) === "57014") {
      throw new GatewayError("SEARCH_TIMEOUT", "The search took too long: narrow it with a filter, or try again.");
    }
    throw error;
  }
  throw new Error("the search savepoint ended without an outcome");
}

/**
 * The `first` nearest chunks of the tenant (RLS) to `embedding`, nearest first, by the rule above.
 * `embedding` is validated (BAD_USER_INPUT) and normalized here.
 */
export async function searchChunksByVector(
  tx: TenantTransaction,
  embedding: unknown,
  options: VectorSearchOptions,
): Promise<VectorSearchResult> {
  checkOptions(options);
  const query = vectorLiteral(validateEmbedding(embedding));
  const tuning: SearchTuning = { ...defaultSearchTuning, ...options.tuning };
  const requested = options.strategy ?? "auto";
  const { first, filter } = options;

  const result = await withSearchSettings(tx, tuning, first, async (search): Promise<VectorSearchResult> => {
    const needsCount = requested === "auto" || (requested === "hnsw" && tuning.exactFallback);
    let candidateRows: number | null = null;
    if (needsCount) {
      const bound = Math.max(tuning.exactMaxRows, first) + 1;
      const [row] = rowsOf<{ n: number | string }>(await search.execute(countSql(filter, bound)));
      candidateRows = Number(row?.n ?? 0);
    }
    const strategy: SearchStrategy =
      requested === "auto" ? ((candidateRows ?? 0) <= tuning.exactMaxRows ? "exact" : "hnsw") : requested;
    if (strategy === "exact") {
      return {
        hits: hitsOf(await search.execute(exactSql(query, filter, first))),
        strategy,
        candidateRows,
        fellBack: false,
      };
    }
    const hits = hitsOf(await search.execute(hnswSql(query, filter, first)));
    if (tuning.exactFallback && candidateRows !== null && hits.length < Math.min(first, candidateRows)) {
      const exact = hitsOf(await search.execute(exactSql(query, filter, first)));
      return { hits: exact, strategy: "exact", candidateRows, fellBack: true };
    }
    return { hits, strategy, candidateRows, fellBack: false };
  });

  const minScore = options.minScore;
  if (minScore != null) result.hits = result.hits.filter((hit) => hit.score >= minScore);
  return result;
}

/**
 * The same search for a text: the embedding provider turns it into a vector first
 * (EMBEDDING_PROVIDER_NOT_CONFIGURED without one, EMBEDDING_PROVIDER_ERROR when it fails). Arguments are
 * checked before the provider is asked.
 */
export async function searchChunksByText(
  tx: TenantTransaction,
  text: string,
  options: VectorSearchOptions & { provider: EmbeddingProvider | null },
): Promise<VectorSearchResult> {
  checkOptions(options);
  if (text.trim() === "") throw new GatewayError("BAD_USER_INPUT", "text: must not be empty", { field: "text" });
  if (text.length > maxSearchTextLength) {
    throw new GatewayError("BAD_USER_INPUT", `text: must be at most ${maxSearchTextLength} characters`, {
      field: "text",
    });
  }
  const provider = requireEmbeddingProvider("Text search", options.provider);
  const [vector] = await provider.embed([text]);
  try {
    validateEmbedding(vector);
  } catch (error) {
    if (isGatewayError(error)) {
      throw new GatewayError("EMBEDDING_PROVIDER_ERROR", "The embedding provider returned an unusable vector.", {
        reason: "invalid_response",
      });
    }
    throw error;
  }
  return searchChunksByVector(tx, vector, options);
}

/**
 * EXPLAIN (costs off) of the statement a forced strategy would run, with the search's settings: to check which
 * index a path uses. Rolled back like a search.
 */
export async function explainVectorSearch(
  tx: TenantTransaction,
  embedding: unknown,
  options: VectorSearchOptions & { strategy: SearchStrategy },
): Promise<string> {
  checkOptions(options);
  const query = vectorLiteral(validateEmbedding(embedding));
  const tuning: SearchTuning = { ...defaultSearchTuning, ...options.tuning };
  return withSearchSettings(tx, tuning, options.first, async (search) => {
    const statement =
      options.strategy === "exact"
        ? exactSql(query, options.filter, options.first)
        : hnswSql(query, options.filter, options.first);
    const rows = rowsOf<Record<string, string>>(await search.execute(sql`explain (costs off) ${statement}`));
    // The query vector is inlined in the plan: 1536 numbers nobody needs to read.
    return rows.map((row) => (Object.values(row)[0] ?? "").replace(/'\[[^']*\]'/g, "'[…]'")).join("\n");
  });
}
