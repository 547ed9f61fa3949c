import type { Relations } from "../../schema/index.js";
import type { GatewayError } from "../platform/errors.js";
import { builder } from "./builder.js";

// A mutation's payload names the row it wrote by ID; the payload field reads that row again with the client's
// selection, planned into one statement, on the operation's own transaction (so it sees the write).

type TableName = keyof Relations;

// drizzle and Pothos type each table on its own; for a table given as a type parameter TypeScript cannot resolve
// either type, so the one call is typed by hand: findFirst(config) of that table's relational query builder,
// with the config Pothos planned from the client's selection. Its result is the row Pothos asked for.
type PlannedSelection = (selection: { where: { id: string } }) => unknown;
interface RowReader {
  findFirst(config: unknown): Promise<unknown>;
}

/**
 * A payload field that re-reads one row of `table` by the ID `idOf` takes from the payload; a row gone
 * meanwhile (deleted by something else) is the `missing` error.
 */
export function rowField<Parent, Table extends TableName>(
  t: PothosSchemaTypes.ObjectFieldBuilder<typeof builder.$inferSchemaTypes, Parent>,
  table: Table,
  idOf: (payload: Parent) => string,
  missing: () => GatewayError,
) {
  return t.drizzleField({
    type: table,
    resolve: async (query, payload, _args, ctx) => {
      const reader = ctx.tx.query[table] as unknown as RowReader;
      const row = await reader.findFirst((query as PlannedSelection)({ where: { id: idOf(payload) } }));
      if (!row) throw missing();
      return row as never; // the row drizzleField expects for `table`, a type TypeScript cannot name here
    },
  });
}

/** The payload of a mutation that wrote one row: an object type whose one field is that row, re-read. */
export function rowPayload<Table extends TableName>(
  name: string,
  field: string,
  table: Table,
  missing: () => GatewayError,
) {
  return builder.objectRef<{ id: string }>(name).implement({
    fields: (t) => ({ [field]: rowField(t, table, (payload) => payload.id, missing) }),
  });
}
