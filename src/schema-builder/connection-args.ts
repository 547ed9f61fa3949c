import { type AnyTableFilter, getColumns, type Table } from "drizzle-orm";
import { builder } from "./builder.js";
import { type ColumnFilter, columnFilter, type FilterInput, filterToWhere } from "./connection-filters.js";
import { type Direction, type OrderInput, orderInputOf, orderToOrderBy } from "./connection-order.js";
import type { graphqlEnumOfPg } from "./enums.js";

// One table's connection arguments, `filter: <Type>Filter` and `orderBy: <Type>Order`, made from its Drizzle
// columns, and the two functions that turn their values into a relational query's `where` and `orderBy`.
// The same arguments serve the table's root connection and every related connection that lists its rows.

type EnumRef = NonNullable<ReturnType<typeof graphqlEnumOfPg>>;
type ColumnKey<T extends Table> = keyof ReturnType<typeof getColumns<T>> & string;

export interface TableArgsSpec<T extends Table> {
  /** The GraphQL type's name: makes `<name>Filter`, `<name>Order` and `<name>OrderField`. */
  name: string;
  table: T;
  /** Columns a client may filter on: each must be served by an index (docs/filtering.md). */
  filter: readonly ColumnKey<T>[];
  /** Columns a client may order by, each with its default direction: each served by an index too. */
  order: Partial<Record<ColumnKey<T>, Direction>>;
  /** The ordering without an `orderBy` argument (one of `order`). */
  defaultOrder: ColumnKey<T>;
  /** Text columns that hold one of a list of values ($type): the GraphQL enum of those values. */
  enums?: Partial<Record<ColumnKey<T>, EnumRef>>;
}

export interface ConnectionArgValues {
  filter?: FilterInput | null;
  orderBy?: OrderInput | null;
}

export function tableConnectionArgs<T extends Table>(spec: TableArgsSpec<T>) {
  const columns = getColumns(spec.table) as Record<string, Parameters<typeof columnFilter>[1]>;
  const filterable = new Map<string, ColumnFilter>();
  for (const key of spec.filter) {
    const column = columns[key];
    if (!column) throw new Error(`${spec.name}Filter: ${key} is not a column`);
    filterable.set(key, columnFilter(key, column, spec.enums?.[key]));
  }
  const defaults = spec.order as Readonly<Record<string, Direction>>;

  // Three levels, none of which contains itself: graphql-jit (EXECUTION=jit) cannot compile the variables of a
  // recursive input type (it recurses until the stack overflows, seconds and hundreds of MB per document).
  // `<Type>Filter` → and/or/not of `<Type>FilterClause` → and/or/not of `<Type>FilterTerm` (columns only).
  const filterColumns = [...filterable.values()];
  const Term = builder.inputRef<FilterInput, false>(`${spec.name}FilterTerm`).implement({
    description: `Conditions on the rows, innermost level of ${spec.name}Filter (no and/or/not).`,
    fields: (t) => Object.fromEntries(filterColumns.map(({ key, type }) => [key, t.field({ type, required: false })])),
  });
  const level = (name: string, inner: typeof Term, description: string) =>
    builder.inputRef<FilterInput, false>(name).implement({
      description,
      fields: (t) => ({
        ...Object.fromEntries(filterColumns.map(({ key, type }) => [key, t.field({ type, required: false })])),
        and: t.field({ type: [inner], required: false, description: "Every one of these holds." }),
        or: t.field({ type: [inner], required: false, description: "At least one of these holds." }),
        not: t.field({ type: inner, required: false, description: "This does not hold." }),
      }),
    });
  const Clause = level(`${spec.name}FilterClause`, Term, `Conditions on the rows, second level of ${spec.name}Filter.`);
  const Filter = level(
    `${spec.name}Filter`,
    Clause,
    "Conditions on the rows; all that are given must hold. and/or/not nest two levels. Limits: docs/filtering.md.",
  );
  const Order = orderInputOf(spec.name, defaults);

  const where = (args: ConnectionArgValues): AnyTableFilter | undefined => filterToWhere(args.filter, filterable);
  /** The ordering; without an `orderBy` argument, `unordered` (a connection's own default) or defaultOrder's. */
  const orderBy = (args: ConnectionArgValues, unordered?: Record<string, Direction>): Record<string, Direction> =>
    !args.orderBy && unordered ? unordered : orderToOrderBy(args.orderBy, defaults, spec.defaultOrder);

  return {
    Filter,
    Order,
    /** `filter` and `orderBy`, to spread into a connection's `args`. */
    args: builder.args((t) => ({
      filter: t.field({ type: Filter, required: false }),
      orderBy: t.field({ type: Order, required: false }),
    })),
    where,
    orderBy,
    /** `{ where, orderBy }` of a related connection's `query`; `unordered` as for orderBy(). */
    query: (args: ConnectionArgValues, unordered?: Record<string, Direction>) => {
      const filter = where(args);
      return { ...(filter ? { where: filter } : {}), orderBy: orderBy(args, unordered) };
    },
  };
}
