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

// A relational query config's shape, for the plan cache (plan-cache.ts): one walk gives the shape key, the values
// in order and, when asked, the config with each value replaced by a placeholder.
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
export class Uncacheable extends Error {}
export const uncacheable = new Uncacheable("uncacheable");

/** One walk over a config: the shape key, the values in order, and (on a miss) the config with placeholders. */
export class Walk {
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
