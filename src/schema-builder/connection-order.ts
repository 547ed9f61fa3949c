import { builder } from "./builder.js";

// The `orderBy` argument of a connection, generated from a table's orderable columns: `{ field, direction }`,
// the direction optional with a default per field (A to Z for text and positions, newest first for dates).
// It becomes a Drizzle relational-query `orderBy` object; plugin-drizzle appends the primary key (`id`) as
// the last key of every ordering and of its cursors, so paging is stable when values tie.

export type Direction = "asc" | "desc";

export const OrderDirection = builder.enumType("OrderDirection", {
  values: { ASC: { value: "asc" }, DESC: { value: "desc" } },
});

/** createdAt → CREATED_AT */
export function screamingCase(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase();
}

export interface OrderInput {
  field: string;
  direction?: Direction | null;
}

/** The `<Type>OrderField` enum and `<Type>Order` input of one table. */
export function orderInputOf(typeName: string, defaults: Readonly<Record<string, Direction>>) {
  const Field = builder.enumType(`${typeName}OrderField`, {
    values: Object.fromEntries(
      Object.entries(defaults).map(([key, direction]) => [
        screamingCase(key),
        { value: key, description: `Default direction: ${direction === "asc" ? "ASC" : "DESC"}.` },
      ]),
    ),
  });
  const described = Object.entries(defaults)
    .map(([key, direction]) => `${screamingCase(key)} ${direction === "asc" ? "ASC" : "DESC"}`)
    .join(", ");
  return builder.inputRef<OrderInput, false>(`${typeName}Order`).implement({
    description: "The order of a connection's rows; ties are broken by id, so cursors stay stable.",
    fields: (t) => ({
      field: t.field({ type: Field, required: true }),
      direction: t.field({
        type: OrderDirection,
        required: false,
        description: `Default per field: ${described}.`,
      }),
    }),
  });
}

/** The relational-query `orderBy` of an `orderBy` argument (or of the default field). */
export function orderToOrderBy(
  input: OrderInput | null | undefined,
  defaults: Readonly<Record<string, Direction>>,
  defaultField: string,
): Record<string, Direction> {
  const field = input?.field ?? defaultField;
  const direction = input?.direction ?? defaults[field] ?? "asc";
  return { [field]: direction };
}
