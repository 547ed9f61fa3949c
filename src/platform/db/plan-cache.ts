import type { SQL, TableRelationalConfig } from "drizzle-orm";
import type { PgDialect } from "drizzle-orm/pg-core";
import { PgAsyncRelationalQuery } from "drizzle-orm/pg-core/async/query";
import { Uncacheable, Walk } from "./query-shape.js";

// The plan cache (issue #18): a relational query's SQL text and its row mapper are built by Drizzle once per
// query *shape*, and every later query of that shape only binds its values and runs.
//
// plugin-drizzle stays the source of truth for what a selection reads: it still hands each resolver the
// `findMany`/`findFirst` config of its selection, as before. What the cache skips is Drizzle turning that config
// into SQL (walking it against the relations, building an SQL tree, flattening it to text) and generating the
// rows' mapper, the largest share of the server's CPU on nested selections (bench/results/2026-12-05-profile.md).
//
// What makes a shape, and how its values are taken out: query-shape.ts.

/** What one shape's SQL is: the text with its parameters (placeholders) and the mapper of its rows. */
interface PlannedQuery {
  builtQuery: { sql: string; params: unknown[] };
  mapper: unknown;
}

export interface PlanCacheStats {
  hits: number;
  misses: number;
  /** Configs the cache cannot key (built as before). */
  bypasses: number;
  size: number;
  capacity: number;
}

/** Per-process, bounded (least recently used out first). One per Database: its dialect built the SQL. */
export class PlanCache {
  private readonly entries = new Map<string, PlannedQuery>();
  hits = 0;
  misses = 0;
  bypasses = 0;

  constructor(readonly capacity: number) {}

  get(key: string): PlannedQuery | undefined {
    const entry = this.entries.get(key);
    if (entry) {
      // Most recently used last.
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    return entry;
  }

  set(key: string, entry: PlannedQuery): void {
    this.entries.set(key, entry);
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }

  stats(): PlanCacheStats {
    return {
      hits: this.hits,
      misses: this.misses,
      bypasses: this.bypasses,
      size: this.entries.size,
      capacity: this.capacity,
    };
  }
}

/** drizzle's relational query, internals as rc.4 has them (patches/README.md, "drizzle-orm's private classes"). */
interface RelationalQueryInternals {
  schema: Record<string, TableRelationalConfig>;
  table: unknown;
  tableConfig: TableRelationalConfig;
  dialect: PgDialect & {
    mapperGenerators: { relationalRows(options: Record<string, unknown>): unknown };
    sqlToQuery(sql: SQL): { sql: string; params: unknown[] };
  };
  session: {
    prepareQuery(
      query: { sql: string; params: unknown[] },
      mode: "arrays",
      name: string | boolean | undefined,
      mapper: unknown,
    ): { execute(values?: Record<string, unknown>): Promise<unknown> };
  };
  config: unknown;
  mode: "first" | "many";
  parseJson: boolean;
  _prepare(name?: string, generateName?: boolean): { execute(values?: Record<string, unknown>): Promise<unknown> };
}

/**
 * Shapes with more values than this are built as without the cache. An entry's size grows with its values
 * (a Param and a Placeholder each, and their share of the text: about 200 bytes a value), and a client choosing
 * list lengths (`status: [DRAFT, DRAFT, …]`) chooses shapes: this keeps the cache at most PLAN_CACHE_SIZE × ~50 KB.
 */
export const maxCachedValues = 256;

function planned(query: RelationalQueryInternals, cache: PlanCache) {
  let walk = new Walk(query.schema, false);
  try {
    walk.query(query.config, query.tableConfig);
  } catch (error) {
    if (error instanceof Uncacheable) return undefined;
    throw error;
  }
  if (walk.values.length > maxCachedValues) return undefined;
  const key = `${query.mode}|${query.tableConfig.name}|${walk.key}`;
  const values: Record<string, unknown> = {};
  for (let i = 0; i < walk.values.length; i++) values[`p${i}`] = walk.values[i];
  let entry = cache.get(key);
  if (entry) {
    cache.hits++;
  } else {
    cache.misses++;
    walk = new Walk(query.schema, true);
    const config = walk.query(query.config, query.tableConfig);
    const built = query.dialect.buildRelationalQuery({
      schema: query.schema,
      table: query.table,
      tableConfig: query.tableConfig,
      queryConfig: config,
      mode: query.mode,
    } as Parameters<PgDialect["buildRelationalQuery"]>[0]);
    const mapper = query.dialect.mapperGenerators.relationalRows({
      isFirst: query.mode === "first",
      parseJson: query.parseJson,
      parseJsonIfString: false,
      rootJsonMappers: false,
      selection: built.selection,
      arrayModeRoot: true,
    });
    entry = { builtQuery: query.dialect.sqlToQuery(built.sql), mapper };
    cache.set(key, entry);
  }
  return query.session.prepareQuery(entry.builtQuery, "arrays", false, entry.mapper).execute(values);
}

const caches = new WeakMap<object, PlanCache>();

/**
 * Runs the transaction's relational queries (`tx.query.<table>.findMany/findFirst`) through `cache`. drizzle
 * builds each transaction's query builders afresh; they take the query class to make, which this swaps for
 * one that asks the cache first.
 */
export function usePlanCache(tx: { query: Record<string, unknown> }, cache: PlanCache | undefined): void {
  if (!cache || cache.capacity === 0) return;
  let session: object | undefined;
  for (const name in tx.query) {
    const builder = tx.query[name] as { builder: unknown; session: object };
    builder.builder = PlannedRelationalQuery;
    session = builder.session;
  }
  if (session) caches.set(session, cache);
}

class PlannedRelationalQuery extends PgAsyncRelationalQuery<unknown> {
  override execute(placeholderValues?: Record<string, unknown>): Promise<unknown> {
    const self = this as unknown as RelationalQueryInternals;
    const cache = caches.get(self.session);
    if (cache && placeholderValues === undefined) {
      const result = planned(self, cache);
      if (result) return result;
      cache.bypasses++;
    }
    return super.execute(placeholderValues) as Promise<unknown>;
  }
}

/** The transaction's relational queries built by drizzle alone, as without the cache (the differential test's reference). */
export function withoutPlanCache(tx: { query: Record<string, unknown> }): void {
  for (const name in tx.query) {
    (tx.query[name] as { builder: unknown }).builder = PgAsyncRelationalQuery;
  }
}
