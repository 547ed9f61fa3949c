import {
  Column,
  getColumns,
  getTableName,
  is,
  Name,
  Param,
  Placeholder,
  SQL,
  StringChunk,
  Table,
  type TableRelationalConfig,
} from "drizzle-orm";
import type { PgDialect } from "drizzle-orm/pg-core";
import { PgAsyncRelationalQuery } from "drizzle-orm/pg-core/async/query";

// The plan cache (issue #18): a relational query's SQL text and its row mapper are built by Drizzle once per
// query *shape*, and every later query of that shape only binds its values and runs.
//
// plugin-drizzle stays the source of truth for what a selection reads: it still hands each resolver the
// `findMany`/`findFirst` config of its selection, as before. What the cache skips is Drizzle turning that config
// into SQL (walking it against the relations, building an SQL tree, flattening it to text) and generating the
// rows' mapper, the largest share of the server's CPU on nested selections (bench/results/2026-12-05-profile.md).
//
// The shape of a config is everything in it but the values that Drizzle sends as parameters: the columns, the
// relations and their nesting, the filter's operators and their nesting, the order, the extras' SQL text, and
// whether a limit or an offset is there. The values (filter operands, limits, offsets, the parameters inside an
// extra's SQL) are collected in order. On a miss, the config is rebuilt with each value replaced by a
// placeholder (`Param(Placeholder, column)`, so the column's encoder still maps the value when it is bound),
// Drizzle builds SQL and mapper from that, and both are kept. On a hit the cached SQL runs with this request's
// values. The SQL text is the same for every tenant and user: RLS, the tenant transaction, auth scopes and limits
// are untouched, and no answer is cached (only SQL text and a mapper function).
//
// A config holding anything whose effect on the SQL cannot be told from its shape (a function: an `orderBy`
// callback, a `RAW` filter callback, an extra built by a callback; a null operand; an object of an unknown kind)
// bypasses the cache and is built as before.

/** Values that Drizzle binds as one parameter. */
type Leaf = string | number | boolean | bigint | Date;

function isLeaf(value: unknown): value is Leaf {
  const type = typeof value;
  return type === "string" || type === "number" || type === "boolean" || type === "bigint" || value instanceof Date;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Thrown inside the walk when the config's shape cannot be told: the query is built as before. */
class Uncacheable extends Error {}
const uncacheable = new Uncacheable("uncacheable");

/** One walk over a config: the shape key, the values in order, and (on a miss) the config with placeholders. */
class Walk {
  key = "";
  readonly values: unknown[] = [];
  constructor(
    readonly schema: Record<string, TableRelationalConfig>,
    readonly build: boolean,
  ) {}

  /** A value bound as a parameter; with `encoder`, mapped by that column when bound. */
  leaf(value: unknown, encoder?: Column): unknown {
    if (!isLeaf(value)) throw uncacheable;
    const index = this.values.length;
    this.values.push(value);
    this.key += "?";
    if (!this.build) return undefined;
    // A column whose encoder turns a value into SQL (inlined by drizzle, not a parameter) cannot be bound later.
    if (encoder && is(encoder.mapToDriverValue(value), SQL)) throw uncacheable;
    const placeholder = new Placeholder(`p${index}`);
    return encoder ? new Param(placeholder, encoder) : placeholder;
  }

  query(config: unknown, tableConfig: TableRelationalConfig): unknown {
    if (config === true) {
      this.key += "T";
      return true;
    }
    if (!isPlainObject(config)) throw uncacheable;
    const out: Record<string, unknown> = {};
    this.key += "{";
    for (const name in config) {
      const value = config[name];
      if (value === undefined) continue;
      this.key += `${name}:`;
      switch (name) {
        case "columns":
        case "orderBy":
          out[name] = this.flat(value);
          break;
        case "with":
          out[name] = this.with(value, tableConfig);
          break;
        case "where":
          out[name] = this.filter(value, tableConfig);
          break;
        case "extras":
          out[name] = this.extras(value);
          break;
        case "limit":
        case "offset":
          out[name] = this.leaf(value);
          break;
        case "comment":
          if (typeof value !== "string") throw uncacheable;
          this.key += JSON.stringify(value);
          out[name] = value;
          break;
        default:
          throw uncacheable;
      }
      this.key += ",";
    }
    this.key += "}";
    return out;
  }

  /** `columns` and `orderBy` objects: every entry is shape (`true`/`false`, `"asc"`/`"desc"`). */
  flat(value: unknown): unknown {
    if (!isPlainObject(value)) throw uncacheable;
    for (const name in value) {
      const entry = value[name];
      if (entry !== undefined && typeof entry !== "boolean" && typeof entry !== "string") throw uncacheable;
      this.key += `${name}=${String(entry)};`;
    }
    return value;
  }

  with(value: unknown, tableConfig: TableRelationalConfig): unknown {
    if (!isPlainObject(value)) throw uncacheable;
    const out: Record<string, unknown> = {};
    for (const name in value) {
      const entry = value[name];
      this.key += `${name}(`;
      if (!entry) {
        this.key += "-";
        out[name] = entry;
      } else {
        const relation = tableConfig.relations[name];
        const target = relation ? this.schema[relation.targetTableName] : undefined;
        if (!target) throw uncacheable;
        out[name] = this.query(entry, target);
      }
      this.key += ")";
    }
    return out;
  }

  extras(value: unknown): unknown {
    if (!isPlainObject(value)) throw uncacheable;
    const out: Record<string, unknown> = {};
    for (const name in value) {
      const entry = value[name];
      this.key += `${name}=`;
      if (!entry) {
        this.key += "-;";
        out[name] = entry;
        continue;
      }
      if (!is(entry, SQL)) throw uncacheable;
      out[name] = this.sql(entry);
      this.key += ";";
    }
    return out;
  }

  /** A relational filter on `tableConfig`'s table, read as drizzle's relationsFilterToSQL reads it. */
  filter(value: unknown, tableConfig: TableRelationalConfig): unknown {
    if (!isPlainObject(value)) throw uncacheable;
    const columns = columnsOf(tableConfig);
    const out: Record<string, unknown> = {};
    this.key += "{";
    for (const name in value) {
      const entry = value[name];
      if (entry === undefined) continue;
      this.key += `${name}:`;
      if (name === "RAW") {
        if (!is(entry, SQL)) throw uncacheable;
        out[name] = this.sql(entry);
      } else if (name === "OR" || name === "AND") {
        out[name] = this.list(entry, (item) => this.filter(item, tableConfig));
      } else if (name === "NOT") {
        out[name] = this.filter(entry, tableConfig);
      } else if (Object.hasOwn(columns, name)) {
        out[name] = this.columnFilter(entry, columns[name] as Column);
      } else {
        const relation = tableConfig.relations[name];
        const target = relation ? this.schema[relation.targetTableName] : undefined;
        if (!target) throw uncacheable;
        if (typeof entry === "boolean") {
          this.key += String(entry);
          out[name] = entry;
        } else {
          out[name] = this.filter(entry, target);
        }
      }
      this.key += ",";
    }
    this.key += "}";
    return out;
  }

  list(value: unknown, item: (entry: unknown) => unknown): unknown[] {
    if (!Array.isArray(value)) throw uncacheable;
    this.key += `[${value.length}:`;
    const out = value.map(item);
    this.key += "]";
    return out;
  }

  /** A column's filter, read as drizzle's relationsFieldFilterToSQL reads it. */
  columnFilter(value: unknown, column: Column): unknown {
    if (typeof value !== "object") {
      // The shorthand `{ column: value }` is `eq`; a Param is an object, which drizzle would read as a filter.
      const bound = this.leaf(value, column);
      return this.build ? { eq: bound } : undefined;
    }
    if (!isPlainObject(value)) throw uncacheable;
    const out: Record<string, unknown> = {};
    this.key += "{";
    for (const operator in value) {
      const operand = value[operator];
      if (operand === undefined) continue;
      this.key += `${operator}:`;
      switch (operator) {
        case "NOT":
          out[operator] = this.columnFilter(operand, column);
          break;
        case "OR":
        case "AND":
          out[operator] = this.list(operand, (item) => this.columnFilter(item, column));
          break;
        case "isNull":
        case "isNotNull":
          if (typeof operand !== "boolean") throw uncacheable;
          this.key += String(operand);
          out[operator] = operand;
          break;
        case "in":
        case "notIn":
          out[operator] = this.list(operand, (item) => this.leaf(item, column));
          break;
        case "eq":
        case "ne":
        case "gt":
        case "gte":
        case "lt":
        case "lte":
        case "like":
        case "notLike":
        case "ilike":
        case "notIlike":
          out[operator] = this.leaf(operand, column);
          break;
        default:
          throw uncacheable;
      }
      this.key += ",";
    }
    this.key += "}";
    return out;
  }

  /** An SQL object: its text and the identities it names are shape, its parameters are values. */
  sql(value: SQL): SQL {
    const internals = value as unknown as SqlInternals;
    if (internals.shouldInlineParams) throw uncacheable;
    this.key += "sql(";
    const chunks = value.queryChunks.map((chunk) => this.chunk(chunk));
    this.key += ")";
    if (!this.build) return value;
    const copy = new SQL(chunks as SQL["queryChunks"]);
    (copy as unknown as SqlInternals).decoder = internals.decoder;
    return copy;
  }

  chunk(chunk: unknown): unknown {
    if (is(chunk, StringChunk)) {
      this.key += JSON.stringify(chunk.value);
      return chunk;
    }
    if (is(chunk, SQL)) return this.sql(chunk);
    if (is(chunk, Param)) {
      if (!is(chunk.encoder, Column) && chunk.encoder !== undefined && !isNoopEncoder(chunk.encoder)) {
        throw uncacheable;
      }
      return this.leaf(chunk.value, is(chunk.encoder, Column) ? chunk.encoder : undefined);
    }
    if (is(chunk, Column)) {
      this.key += `c:${getTableName((chunk as unknown as { table: Table }).table)}.${chunk.name};`;
      return chunk;
    }
    if (is(chunk, Table)) {
      // Aliased tables are new proxies per query: their name and the table they alias identify them.
      this.key += `t:${getTableName(chunk)}/${String((chunk as unknown as Record<symbol, unknown>)[originalName])};`;
      return chunk;
    }
    if (is(chunk, Name)) {
      this.key += `n:${JSON.stringify(chunk.value)};`;
      return chunk;
    }
    if (Array.isArray(chunk)) return this.list(chunk, (item) => this.chunk(item));
    return this.leaf(chunk);
  }
}

const originalName = Symbol.for("drizzle:OriginalName");

/** What drizzle's SQL keeps besides its chunks (internal in its types). */
interface SqlInternals {
  shouldInlineParams: boolean;
  decoder: unknown;
}

const tableColumns = new WeakMap<TableRelationalConfig, Record<string, Column>>();

function columnsOf(tableConfig: TableRelationalConfig): Record<string, Column> {
  let columns = tableColumns.get(tableConfig);
  if (!columns) {
    columns = getColumns(tableConfig.table as Table) as Record<string, Column>;
    tableColumns.set(tableConfig, columns);
  }
  return columns;
}

function isNoopEncoder(encoder: unknown): boolean {
  const map = (encoder as { mapToDriverValue?: { isNoop?: boolean } }).mapToDriverValue;
  return map?.isNoop === true;
}

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
