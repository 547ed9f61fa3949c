import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EMBEDDING_DIMENSIONS } from "../../schema/index.js";
import {
  explainVectorSearch,
  rowsOf,
  type SearchHit,
  searchChunksByVector,
  type VectorSearchOptions,
  withSearchSettings,
} from "../../src/domains/search/vector-search.js";
import { defaultSearchTuning } from "../../src/platform/config/index.js";
import type { TenantTransaction } from "../../src/platform/db/index.js";
import { createTestDatabase, serverOnlyTest, type TestDatabase } from "../support/database.js";
import { type Corpus, type CorpusTenant, createCorpus, loadCorpus, recallOf, skewedSizes } from "./corpus.js";

// Semantic search on a synthetic clustered corpus: 10 tenants of skewed sizes (≈2,000 chunks, the largest
// ~47× the smallest) in one table with one HNSW index, searched through the tenant door as each tenant.
// Ground truth is computed twice: by the exact path in the database, and by brute force in JavaScript.

const k = 10;
const queriesPerTenant = 6;

let db: TestDatabase;
let corpus: Corpus;
/** Per tenant: its chunks' ids and (float64) embeddings, for brute force. */
const owned = new Map<
  number,
  { ids: Set<string>; vectors: Map<string, number[]>; byArtifact: Map<string, string[]> }
>();

beforeAll(async () => {
  db = await createTestDatabase();
  corpus = createCorpus({ tenantSizes: skewedSizes(2_000, 10, 0.65) });
  await loadCorpus((query) => db.asOwner(query), corpus, { rebuildIndex: true });
  for (const tenant of corpus.tenants)
    owned.set(tenant.index, { ids: new Set(), vectors: new Map(), byArtifact: new Map() });
  for (const chunk of corpus.chunks) {
    const entry = owned.get(chunk.tenant);
    if (!entry) continue;
    entry.ids.add(chunk.id);
    entry.vectors.set(chunk.id, corpus.embeddingOf(chunk));
    entry.byArtifact.set(chunk.artifactId, [...(entry.byArtifact.get(chunk.artifactId) ?? []), chunk.id]);
  }
}, 900_000);

afterAll(async () => {
  await db?.cleanup();
});

function asTenant<T>(tenant: CorpusTenant, fn: (tx: TenantTransaction) => Promise<T>): Promise<T> {
  return db.database.withTenantContext({ organizationId: tenant.organizationId, userId: tenant.userId }, fn, {
    readOnly: true,
  });
}

function search(tenant: CorpusTenant, vector: unknown, options: Partial<VectorSearchOptions> = {}) {
  return asTenant(tenant, (tx) => searchChunksByVector(tx, vector, { first: k, ...options }));
}

const ids = (hits: SearchHit[]) => hits.map((hit) => hit.chunkId);

function cosine(a: number[], b: number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return dot / Math.sqrt(na * nb);
}

/** The true top-k of `candidates` by cosine similarity, in JavaScript. */
function bruteForce(tenant: CorpusTenant, query: number[], count: number, candidates?: string[]): string[] {
  const entry = owned.get(tenant.index);
  if (!entry) return [];
  return (candidates ?? [...entry.ids])
    .map((id) => ({ id, score: cosine(query, entry.vectors.get(id) ?? []) }))
    .sort((a, b) => b.score - a.score)
    .slice(0, count)
    .map((x) => x.id);
}

const tenant = (index: number): CorpusTenant => {
  const found = corpus.tenants[index];
  if (!found) throw new Error(`no tenant ${index}`);
  return found;
};
const smallest = () => tenant(corpus.tenants.length - 1);
const largest = () => tenant(0);

/** Every mode the search knows, forced, without the exact fallback (to see each path on its own). */
const modes: Record<string, Partial<VectorSearchOptions>> = {
  exact: { strategy: "exact" },
  relaxed: { strategy: "hnsw", tuning: { iterativeScan: "relaxed_order", exactFallback: false } },
  strict: { strategy: "hnsw", tuning: { iterativeScan: "strict_order", exactFallback: false } },
  // HNSW used as most code does: no iterative scan, pgvector's default ef_search.
  off: { strategy: "hnsw", tuning: { iterativeScan: "off", efSearch: 40, exactFallback: false } },
  // The rule with a threshold low enough that the larger tenants go through the index.
  auto: { strategy: "auto", tuning: { exactMaxRows: 100 } },
};

describe("the corpus", () => {
  it("has 10 tenants of skewed sizes; the smallest holds at least k chunks", async () => {
    const sizes = corpus.tenants.map((t) => t.size);
    expect(sizes).toHaveLength(10);
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(k);
    expect(Math.max(...sizes) / Math.min(...sizes)).toBeGreaterThan(20);
    const [row] = await db.asOwner<{ n: number | string }>(sql`select count(*)::int as n from document_chunk`);
    expect(Number(row?.n)).toBe(corpus.chunks.length);
  });
});

describe("results per mode, every tenant", () => {
  // One pass over every tenant, query and mode; the tests below read from it.
  const runs = new Map<string, { tenant: number; query: number; hits: SearchHit[]; strategy: string }[]>();
  const truth = new Map<string, string[]>();

  beforeAll(async () => {
    for (const name of Object.keys(modes)) runs.set(name, []);
    for (const t of corpus.tenants) {
      // One read-only transaction per tenant, as one operation with many aliases would be.
      await asTenant(t, async (tx) => {
        for (let q = 0; q < queriesPerTenant; q++) {
          const vector = corpus.queryFor(t, q);
          truth.set(`${t.index}:${q}`, bruteForce(t, vector, k));
          for (const [name, options] of Object.entries(modes)) {
            const result = await searchChunksByVector(tx, vector, { first: k, ...options });
            runs.get(name)?.push({ tenant: t.index, query: q, hits: result.hits, strategy: result.strategy });
          }
        }
      });
    }
  }, 600_000);

  const recall = (mode: string, tenantIndex?: number) => {
    const selected = (runs.get(mode) ?? []).filter((run) => tenantIndex === undefined || run.tenant === tenantIndex);
    const exactRuns = runs.get("exact") ?? [];
    const values = selected.map((run) => {
      const exact = exactRuns.find((e) => e.tenant === run.tenant && e.query === run.query);
      return recallOf(ids(run.hits), ids(exact?.hits ?? []));
    });
    return values.reduce((a, b) => a + b, 0) / values.length;
  };

  it("never returns another tenant's chunk, in any mode", () => {
    for (const [name, list] of runs) {
      for (const run of list) {
        const own = owned.get(run.tenant)?.ids ?? new Set<string>();
        const foreign = ids(run.hits).filter((id) => !own.has(id));
        expect(foreign, `${name}, tenant ${run.tenant}, query ${run.query}`).toEqual([]);
      }
    }
  });

  it("answers nearest first, with score = 1 − cosine distance", () => {
    for (const list of runs.values()) {
      for (const run of list) {
        const scores = run.hits.map((hit) => hit.score);
        expect([...scores].sort((a, b) => b - a)).toEqual(scores);
        for (const hit of run.hits) expect(hit.score).toBeCloseTo(1 - hit.distance, 12);
      }
    }
  });

  it("the exact path is exact: it matches a brute-force top-k over the tenant's own chunks", () => {
    // Half precision may swap near-ties at the boundary; anything else would be a bug.
    for (const run of runs.get("exact") ?? []) {
      expect(recallOf(ids(run.hits), truth.get(`${run.tenant}:${run.query}`) ?? [])).toBeGreaterThanOrEqual(0.9);
    }
    expect(recall("exact")).toBe(1);
    const vsBruteForce = (runs.get("exact") ?? []).map((run) =>
      recallOf(ids(run.hits), truth.get(`${run.tenant}:${run.query}`) ?? []),
    );
    expect(vsBruteForce.reduce((a, b) => a + b, 0) / vsBruteForce.length).toBeGreaterThanOrEqual(0.98);
  });

  it("recall@10 against exact search is at least 0.95: the rule, and the HNSW path with iterative scans", () => {
    expect(recall("auto")).toBeGreaterThanOrEqual(0.95);
    expect(recall("relaxed")).toBeGreaterThanOrEqual(0.95);
    expect(recall("strict")).toBeGreaterThanOrEqual(0.95);
    // Per tenant too, for the rule (what clients get).
    for (const t of corpus.tenants) expect(recall("auto", t.index), `tenant ${t.index}`).toBeGreaterThanOrEqual(0.9);
  });

  it("fills k of k for every tenant, the smallest included, with the rule and with iterative scans", () => {
    for (const mode of ["exact", "auto", "relaxed", "strict"]) {
      for (const run of runs.get(mode) ?? []) {
        expect(run.hits.length, `${mode}, tenant ${run.tenant}, query ${run.query}`).toBe(k);
      }
    }
  });

  it("without iterative scan, HNSW under-fills the small tenants (the problem the rule avoids)", () => {
    const offSmallest = (runs.get("off") ?? []).filter((run) => run.tenant === smallest().index);
    const averageFill = offSmallest.reduce((sum, run) => sum + run.hits.length, 0) / offSmallest.length;
    expect(averageFill).toBeLessThan(k * 0.7);
  });

  it("the rule sends small tenants to the exact path and large ones to the index", () => {
    for (const run of runs.get("auto") ?? []) {
      expect(run.strategy).toBe(tenant(run.tenant).size <= 100 ? "exact" : "hnsw");
    }
  });
});

describe("the strategy rule", () => {
  it("counts candidates with a bound and picks exact at or below the threshold", async () => {
    const t = largest();
    const vector = corpus.queryFor(t, 0);
    const below = await search(t, vector, { tuning: { exactMaxRows: t.size } });
    expect(below).toMatchObject({ strategy: "exact", candidateRows: t.size, fellBack: false });
    const above = await search(t, vector, { tuning: { exactMaxRows: t.size - 1 } });
    expect(above).toMatchObject({ strategy: "hnsw", candidateRows: t.size, fellBack: false });
    // The count stops at the threshold + 1: a large tenant is never counted in full.
    const bounded = await search(t, vector, { tuning: { exactMaxRows: 50 } });
    expect(bounded).toMatchObject({ strategy: "hnsw", candidateRows: 51 });
    // The default threshold (10,000) sends every tenant of this corpus to the exact path.
    expect(await search(t, vector)).toMatchObject({ strategy: "exact", candidateRows: t.size });
  });

  it("a narrow filter goes exact even for the largest tenant", async () => {
    const t = largest();
    const artifactId = t.artifactIds[0] ?? "";
    const result = await search(t, corpus.queryFor(t, 1), { filter: { artifactId }, tuning: { exactMaxRows: 100 } });
    const inArtifact = owned.get(t.index)?.byArtifact.get(artifactId) ?? [];
    expect(result.strategy).toBe("exact");
    expect(result.candidateRows).toBe(inArtifact.length);
  });

  it("falls back to the exact path when the HNSW scan gives up before k rows the tenant has", async () => {
    const t = smallest();
    const vector = corpus.queryFor(t, 2);
    const result = await search(t, vector, { strategy: "hnsw", tuning: { maxScanTuples: 20, efSearch: 10 } });
    expect(result).toMatchObject({ strategy: "exact", fellBack: true });
    expect(ids(result.hits)).toEqual(ids((await search(t, vector, { strategy: "exact" })).hits));
  });
});

describe("filters and minScore", () => {
  it("artifactId: only that artifact's chunks, its true top-k, on both paths", async () => {
    const t = tenant(1);
    const artifactId = t.artifactIds[2] ?? "";
    const inArtifact = owned.get(t.index)?.byArtifact.get(artifactId) ?? [];
    const vector = corpus.queryFor(t, 3);
    for (const strategy of ["exact", "hnsw"] as const) {
      const result = await search(t, vector, { strategy, filter: { artifactId } });
      expect(result.hits.every((hit) => hit.artifactId === artifactId)).toBe(true);
      expect(result.hits).toHaveLength(Math.min(k, inArtifact.length));
      expect(recallOf(ids(result.hits), bruteForce(t, vector, k, inArtifact))).toBeGreaterThanOrEqual(0.9);
    }
  });

  it("planId: only chunks of the plan's artifacts", async () => {
    const t = tenant(0);
    const planId = t.planIds[1] ?? "";
    const planArtifacts = new Set(t.artifactIds.filter((id) => id.startsWith(`${planId}-`)));
    for (const strategy of ["exact", "hnsw"] as const) {
      const result = await search(t, corpus.queryFor(t, 4), { strategy, filter: { planId }, first: 50 });
      expect(result.hits).toHaveLength(50);
      expect(result.hits.every((hit) => planArtifacts.has(hit.artifactId))).toBe(true);
    }
  });

  it("another tenant's artifact or plan as a filter finds nothing (RLS hides it)", async () => {
    const t = tenant(2);
    const other = tenant(3);
    const vector = corpus.queryFor(t, 0);
    expect((await search(t, vector, { filter: { artifactId: other.artifactIds[0] } })).hits).toEqual([]);
    expect((await search(t, vector, { filter: { planId: other.planIds[0] } })).hits).toEqual([]);
  });

  it("a query about another tenant's topic still answers only the caller's chunks", async () => {
    const small = smallest();
    const big = largest();
    // A query vector drawn around one of the largest tenant's subtopics that the small tenant does not have.
    const foreignTopic = big.topics.find((topic) => !small.topics.includes(topic)) ?? 0;
    const probe = { ...big, topics: [foreignTopic] };
    const vector = corpus.queryFor(probe, 99);
    for (const options of Object.values(modes)) {
      const result = await search(small, vector, options);
      const own = owned.get(small.index)?.ids ?? new Set<string>();
      expect(ids(result.hits).filter((id) => !own.has(id))).toEqual([]);
    }
  });

  it("minScore leaves out less similar results", async () => {
    const t = tenant(0);
    const vector = corpus.queryFor(t, 5);
    const all = await search(t, vector, { first: 50 });
    const cut = all.hits[20]?.score ?? 0;
    const filtered = await search(t, vector, { first: 50, minScore: cut });
    expect(filtered.hits.every((hit) => hit.score >= cut)).toBe(true);
    expect(ids(filtered.hits)).toEqual(ids(all.hits.filter((hit) => hit.score >= cut)));
  });

  it("a caller with no organization selected finds nothing", async () => {
    const hits = await db.database.withTenantContext(
      { organizationId: null, userId: largest().userId },
      (tx) => searchChunksByVector(tx, corpus.queryFor(largest(), 0), { first: k }),
      { readOnly: true },
    );
    expect(hits.hits).toEqual([]);
  });
});

describe("query plans (EXPLAIN)", () => {
  const explain = (t: CorpusTenant, options: Parameters<typeof explainVectorSearch>[2]) =>
    asTenant(t, (tx) => explainVectorSearch(tx, corpus.queryFor(t, 0), options));

  it("the HNSW path scans the HNSW index in distance order, RLS and filters applied on the way", async () => {
    for (const filter of [{}, { planId: largest().planIds[0] }, { artifactId: largest().artifactIds[0] }]) {
      const plan = await explain(largest(), { strategy: "hnsw", first: k, filter });
      expect(plan).toMatch(/Index Scan using document_chunk_embedding_hnsw_idx on document_chunk/);
      expect(plan).toMatch(/Order By: \(embedding <=> /);
      expect(plan).toMatch(/organization_id = NULLIF/);
      expect(plan).not.toMatch(/Seq Scan on document_chunk/);
    }
  });

  it("the exact path reads candidates through an organization_id index, never the HNSW index or a seq scan", async () => {
    const plan = await explain(smallest(), { strategy: "exact", first: k });
    expect(plan).toMatch(
      /(Bitmap Index Scan|Index Scan|Index Only Scan) on document_chunk_(organization_id_id|artifact_index)_key|Index Scan using document_chunk_(organization_id_id|artifact_index)_key/,
    );
    expect(plan).toMatch(/Index Cond: \(organization_id = NULLIF/);
    expect(plan).not.toMatch(/hnsw_idx/);
    expect(plan).not.toMatch(/Seq Scan on document_chunk/);

    const byArtifact = await explain(largest(), {
      strategy: "exact",
      first: k,
      filter: { artifactId: largest().artifactIds[0] },
    });
    expect(byArtifact).toMatch(/document_chunk_artifact_index_key/);
    expect(byArtifact).toMatch(/Index Cond: \(\(organization_id = NULLIF\(.*\) AND \(artifact_id = /);
    expect(byArtifact).not.toMatch(/hnsw_idx/);
  });
});

describe("bad vectors and arguments", () => {
  const t = () => tenant(4);
  const good = () => corpus.queryFor(tenant(4), 0);
  async function refusal(vector: unknown, options: Partial<VectorSearchOptions> = {}) {
    try {
      await search(t(), vector, options);
    } catch (error) {
      return error as { code?: string; message?: string; details?: Record<string, unknown> };
    }
    throw new Error("expected BAD_USER_INPUT");
  }

  it.each([
    ["too short", () => good().slice(1), /exactly 1536 numbers, got 1535/],
    ["too long", () => [...good(), 0.1], /exactly 1536 numbers, got 1537/],
    ["empty", () => [], /got 0/],
    ["NaN", () => good().map((x, i) => (i === 7 ? Number.NaN : x)), /value 7 is not a finite number/],
    ["Infinity", () => good().map((x, i) => (i === 3 ? Number.POSITIVE_INFINITY : x)), /value 3 is not a finite/],
    ["beyond half precision", () => good().map((x, i) => (i === 0 ? 1e6 : x)), /value 0 is out of range/],
    ["the zero vector", () => new Array(EMBEDDING_DIMENSIONS).fill(0), /zero vector/],
    ["not numbers", () => good().map((x, i) => (i === 5 ? "0.1" : x)), /value 5 is not a finite number/],
    ["not a list", () => "[0.1, 0.2]", /must be a list/],
  ])("refuses a vector %s as BAD_USER_INPUT", async (_label, vector, message) => {
    const error = await refusal(vector());
    expect(error.code).toBe("BAD_USER_INPUT");
    expect(error.message).toMatch(message);
    expect(error.details).toMatchObject({ field: "embedding" });
  });

  it.each([
    [{ first: 0 }, /first/],
    [{ first: 51 }, /first/],
    [{ first: 2.5 }, /first/],
    [{ minScore: 1.5 }, /minScore/],
  ])("refuses %j as BAD_USER_INPUT", async (options, message) => {
    const error = await refusal(good(), options);
    expect(error.code).toBe("BAD_USER_INPUT");
    expect(error.message).toMatch(message);
  });

  it("accepts a vector of any length and scale as long as it is valid (normalized before use)", async () => {
    const scaled = good().map((x) => x * 1000);
    expect(ids((await search(t(), scaled)).hits)).toEqual(ids((await search(t(), good())).hits));
  });
});

describe("bounds and hygiene", () => {
  it("leaves no setting behind in the operation's transaction", async () => {
    const t = tenant(3);
    const settings = await asTenant(t, async (tx) => {
      const read = async () =>
        rowsOf<Record<string, string>>(
          await tx.execute(sql`select current_setting('statement_timeout') as timeout,
            current_setting('enable_seqscan') as seqscan, current_setting('enable_sort') as sort,
            current_setting('hnsw.iterative_scan', true) as iterative, current_setting('hnsw.ef_search', true) as ef`),
        )[0];
      await tx.execute(sql`select set_config('statement_timeout', '4321ms', true)`);
      const before = await read();
      await searchChunksByVector(tx, corpus.queryFor(t, 0), { first: k, strategy: "hnsw" });
      await searchChunksByVector(tx, corpus.queryFor(t, 0), { first: k, strategy: "exact" });
      return { before, after: await read() };
    });
    expect(settings.after).toEqual(settings.before);
    expect(settings.after?.timeout).toBe("4321ms");
    expect(settings.after?.seqscan).toBe("on");
  });

  serverOnlyTest(
    "a statement over the search's time budget is SEARCH_TIMEOUT, and the operation's transaction stays usable",
    async () => {
      // PGlite has no statement timeout. A deliberately slow statement in the search's savepoint stands in for
      // a slow search (the corpus is too small to make one reliably slower than any sane budget).
      const t = largest();
      const outcome = await asTenant(t, async (tx) => {
        let code: string | undefined;
        try {
          await withSearchSettings(tx, { ...defaultSearchTuning, statementTimeoutMs: 50 }, k, (search) =>
            search.execute(sql`select pg_sleep(2)`),
          );
        } catch (error) {
          code = (error as { code?: string }).code;
        }
        const timeout = rowsOf<{ t: string }>(await tx.execute(sql`select current_setting('statement_timeout') as t`));
        const after = await searchChunksByVector(tx, corpus.queryFor(t, 0), { first: k });
        return { code, timeout: timeout[0]?.t, after: after.hits.length };
      });
      expect(outcome).toEqual({ code: "SEARCH_TIMEOUT", timeout: "0", after: k });
    },
  );

  it("the search's statement timeout never exceeds the operation's", async () => {
    const t = tenant(5);
    const seen = await asTenant(t, async (tx) => {
      await tx.execute(sql`select set_config('statement_timeout', '300ms', true)`);
      const read = (search: TenantTransaction) =>
        search
          .execute(sql`select current_setting('statement_timeout') as t`)
          .then((result) => rowsOf<{ t: string }>(result)[0]?.t);
      return {
        capped: await withSearchSettings(tx, { ...defaultSearchTuning, statementTimeoutMs: 2_000 }, k, read),
        lowered: await withSearchSettings(tx, { ...defaultSearchTuning, statementTimeoutMs: 100 }, k, read),
      };
    });
    expect(seen).toEqual({ capped: "300ms", lowered: "100ms" });
  });
});
