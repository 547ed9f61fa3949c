import { type SQL, sql } from "drizzle-orm";
import { EMBEDDING_DIMENSIONS } from "../../schema/index.js";
import { rowsOf } from "../../src/domains/search/vector-search.js";
import { vectorLiteral } from "../../src/domains/search/vectors.js";
import { embeddingNear, seededRandom, topicEmbedding } from "../../src/platform/db/seed/embeddings.js";

// A synthetic, clustered, multi-tenant corpus for search tests and the benchmark (bench/search.ts).
//
// Shape: `topicCount` global topics, each with `subtopicsPerTopic` subtopics (vectors near the topic), and each
// chunk near one subtopic. Every tenant draws its chunks from a few topics; the largest tenant covers every
// topic, so whichever topic a small tenant's query is about, most vectors around it belong to someone else:
// exactly the case where an HNSW scan filtered by RLS comes back short. Tenant sizes are skewed (Zipf-like).
// Everything is deterministic (seeded): the same options give the same corpus on every machine.

export interface CorpusOptions {
  /** Chunks per tenant, largest first. */
  tenantSizes: number[];
  topicCount?: number;
  subtopicsPerTopic?: number;
  /** Topics each tenant but the first draws from (the first has them all). */
  topicsPerTenant?: number;
  plansPerTenant?: number;
  /** Artifacts per plan (chunks are spread over them round-robin). */
  artifactsPerPlan?: number;
  /** Prefix of every id, so two corpora can live in one database. */
  prefix?: string;
}

export interface CorpusTenant {
  index: number;
  organizationId: string;
  userId: string;
  size: number;
  topics: number[];
  planIds: string[];
  artifactIds: string[];
}

export interface CorpusChunk {
  id: string;
  tenant: number;
  artifactId: string;
  chunkIndex: number;
  topic: number;
  subtopic: number;
}

export interface Corpus {
  tenants: CorpusTenant[];
  /** Every chunk's metadata (vectors are computed on demand: 100k × 1536 numbers do not stay in memory). */
  chunks: CorpusChunk[];
  topicCount: number;
  subtopicsPerTopic: number;
  prefix: string;
  /** The embedding of a chunk (deterministic). */
  embeddingOf(chunk: CorpusChunk): number[];
  /** A query vector about one of `tenant`'s subtopics, different for each `n`. */
  queryFor(tenant: CorpusTenant, n: number): number[];
}

export const hnswIndexName = "document_chunk_embedding_hnsw_idx";

const subtopicSpread = 0.9;
const chunkSpread = 0.5;

/** Skewed sizes summing to about `total`: each tenant is `ratio` times the next (the smallest at least `min`). */
export function skewedSizes(total: number, tenants: number, ratio = 0.62, min = 10): number[] {
  const weights = Array.from({ length: tenants }, (_, i) => ratio ** i);
  const sum = weights.reduce((a, b) => a + b, 0);
  return weights.map((w) => Math.max(min, Math.round((total * w) / sum)));
}

export function createCorpus(options: CorpusOptions): Corpus {
  const prefix = options.prefix ?? "sx";
  const topicCount = options.topicCount ?? 24;
  const subtopicsPerTopic = options.subtopicsPerTopic ?? 4;
  const topicsPerTenant = options.topicsPerTenant ?? 4;
  const plansPerTenant = options.plansPerTenant ?? 3;
  const artifactsPerPlan = options.artifactsPerPlan ?? 4;
  const random = seededRandom(`${prefix}:corpus`);

  const topicCentres = new Map<number, number[]>();
  const subtopicCentres = new Map<string, number[]>();
  const topicCentre = (topic: number) => {
    let centre = topicCentres.get(topic);
    if (!centre) {
      centre = topicEmbedding(`${prefix}-topic-${topic}`);
      topicCentres.set(topic, centre);
    }
    return centre;
  };
  const subtopicCentre = (topic: number, subtopic: number) => {
    const key = `${topic}.${subtopic}`;
    let centre = subtopicCentres.get(key);
    if (!centre) {
      centre = embeddingNear(topicCentre(topic), `${prefix}-sub-${key}`, subtopicSpread);
      subtopicCentres.set(key, centre);
    }
    return centre;
  };

  const tenants: CorpusTenant[] = options.tenantSizes.map((size, index) => {
    const topics =
      index === 0
        ? Array.from({ length: topicCount }, (_, t) => t)
        : [...new Set(Array.from({ length: topicsPerTenant }, () => Math.floor(random() * topicCount)))].sort(
            (a, b) => a - b,
          );
    const organizationId = `${prefix}-org-${index}`;
    const planIds = Array.from({ length: plansPerTenant }, (_, p) => `${organizationId}-plan-${p}`);
    const artifactIds = planIds.flatMap((planId) =>
      Array.from({ length: artifactsPerPlan }, (_, a) => `${planId}-artifact-${a}`),
    );
    return { index, organizationId, userId: `${prefix}-user-${index}`, size, topics, planIds, artifactIds };
  });

  const chunks: CorpusChunk[] = [];
  for (const tenant of tenants) {
    const perArtifact = new Map<string, number>();
    for (let i = 0; i < tenant.size; i++) {
      const topic = tenant.topics[i % tenant.topics.length] ?? 0;
      const subtopic = Math.floor(random() * subtopicsPerTopic);
      const artifactId = tenant.artifactIds[i % tenant.artifactIds.length] ?? "";
      const chunkIndex = perArtifact.get(artifactId) ?? 0;
      perArtifact.set(artifactId, chunkIndex + 1);
      chunks.push({
        id: `${tenant.organizationId}-chunk-${i}`,
        tenant: tenant.index,
        artifactId,
        chunkIndex,
        topic,
        subtopic,
      });
    }
  }

  return {
    tenants,
    chunks,
    topicCount,
    subtopicsPerTopic,
    prefix,
    embeddingOf: (chunk) => embeddingNear(subtopicCentre(chunk.topic, chunk.subtopic), chunk.id, chunkSpread),
    queryFor: (tenant, n) => {
      const pick = seededRandom(`${prefix}:query:${tenant.index}:${n}`);
      const topic = tenant.topics[Math.floor(pick() * tenant.topics.length)] ?? 0;
      const subtopic = Math.floor(pick() * subtopicsPerTopic);
      return embeddingNear(subtopicCentre(topic, subtopic), `${prefix}-query-${tenant.index}-${n}`, chunkSpread);
    },
  };
}

/**
 * Writes the corpus as the tables' owner (a superuser on both test backends, so RLS does not apply):
 * users, organizations, memberships, plans, artifacts, then chunks in batches. `exec` runs one statement.
 */
export async function loadCorpus(
  exec: (query: SQL) => Promise<unknown>,
  corpus: Corpus,
  options: {
    batchSize?: number;
    onProgress?: (written: number, total: number) => void;
    /**
     * Drop the HNSW index before writing the chunks and re-create it (same definition, read from the catalog)
     * afterwards: one bulk build is several times faster than as many single inserts into the graph.
     */
    rebuildIndex?: boolean;
    onIndexBuild?: () => void;
  } = {},
): Promise<void> {
  let indexDefinition: string | undefined;
  if (options.rebuildIndex) {
    const [row] = rowsOf<{ indexdef: string }>(
      await exec(sql`select indexdef from pg_indexes where indexname = ${hnswIndexName}`),
    );
    if (!row) throw new Error(`index ${hnswIndexName} not found`);
    indexDefinition = row.indexdef;
    await exec(sql`drop index ${sql.identifier(hnswIndexName)}`);
  }
  for (const tenant of corpus.tenants) {
    await exec(
      sql`insert into "user" (id, name, email) values (${tenant.userId}, ${`User ${tenant.index}`}, ${`${tenant.userId}@search.test`})`,
    );
    await exec(
      sql`insert into organization (id, name, slug) values (${tenant.organizationId}, ${`Tenant ${tenant.index}`}, ${tenant.organizationId})`,
    );
    await exec(
      sql`insert into member (id, organization_id, user_id, role) values (${`${tenant.organizationId}-member`}, ${tenant.organizationId}, ${tenant.userId}, 'owner')`,
    );
    for (const planId of tenant.planIds) {
      await exec(
        sql`insert into research_plan (id, organization_id, title, author_id) values (${planId}, ${tenant.organizationId}, ${`Plan ${planId}`}, ${tenant.userId})`,
      );
    }
    const artifactRows = tenant.artifactIds.map((artifactId, a) => {
      const planId = tenant.planIds[Math.floor(a / (tenant.artifactIds.length / tenant.planIds.length))] ?? "";
      return sql`(${artifactId}, ${tenant.organizationId}, ${planId}, 'document', ${`Artifact ${artifactId}`})`;
    });
    await exec(
      sql`insert into research_artifact (id, organization_id, plan_id, kind, title) values ${sql.join(artifactRows, sql`, `)}`,
    );
  }
  const batchSize = options.batchSize ?? 100;
  const organizationOf = new Map(corpus.tenants.map((t) => [t.index, t.organizationId]));
  for (let start = 0; start < corpus.chunks.length; start += batchSize) {
    const batch = corpus.chunks.slice(start, start + batchSize);
    const rows = batch.map(
      (chunk) =>
        sql`(${chunk.id}, ${organizationOf.get(chunk.tenant) ?? ""}, ${chunk.artifactId}, ${chunk.chunkIndex}, ${`Passage ${chunk.chunkIndex} about topic ${chunk.topic}.${chunk.subtopic}.`}, 8, ${vectorLiteral(corpus.embeddingOf(chunk))}::halfvec(${sql.raw(String(EMBEDDING_DIMENSIONS))}))`,
    );
    await exec(
      sql`insert into document_chunk (id, organization_id, artifact_id, chunk_index, content, token_count, embedding) values ${sql.join(rows, sql`, `)}`,
    );
    options.onProgress?.(start + batch.length, corpus.chunks.length);
  }
  if (indexDefinition) {
    options.onIndexBuild?.();
    await exec(sql.raw(indexDefinition));
  }
  // What autovacuum does in a steady state: statistics, and the visibility map (index-only counts).
  await exec(sql`vacuum analyze document_chunk`);
  await exec(sql`vacuum analyze research_artifact`);
}

/** Recall of `found` against the exact top-k `truth` (ids): |found ∩ truth| / |truth| (1 when truth is empty). */
export function recallOf(found: readonly string[], truth: readonly string[]): number {
  if (truth.length === 0) return 1;
  const set = new Set(found);
  return truth.filter((id) => set.has(id)).length / truth.length;
}
