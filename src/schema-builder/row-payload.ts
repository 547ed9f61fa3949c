import type { Relations } from "../../schema/index.js";
import type { GatewayError } from "../platform/errors.js";
import { builder } from "./builder.js";

// A mutation's payload names the row it wrote by ID; the payload field reads that row again with the client's
// selection, planned into one statement, on the operation's own transaction (so it sees the write). When the
// mutation has the whole row as it wrote it (RETURNING) and the selection asks only for its columns, the field
// answers from that row without reading it again.

type TableName = keyof Relations;

// drizzle and Pothos type each table on its own; for a table given as a type parameter TypeScript cannot resolve
// either type, so the one call is typed by hand: findFirst(config) of that table's relational query builder,
// with the config Pothos planned from the client's selection. Its result is the row Pothos asked for.
interface PlannedQuery {
  columns?: Record<string, unknown>;
  with?: unknown;
  extras?: unknown;
}
type PlannedSelection = (selection: { where: { id: string } }) => PlannedQuery;
interface RowReader {
  findFirst(config: unknown): Promise<unknown>;
}

/** A whole row as a statement returned it, keyed by the tables' TypeScript column names. */
export type WrittenRow = Record<string, unknown>;

function nothingIn(part: unknown): boolean {
  return part === undefined || (typeof part === "object" && part !== null && Object.keys(part).length === 0);
}

/**
 * Whether `row` answers the planned query: it selects columns only (no relations, no computed extras, which
 * need SQL) and the row has every one of them.
 */
function answersQuery(row: WrittenRow, query: PlannedQuery): boolean {
  return nothingIn(query.with) && nothingIn(query.extras) && Object.keys(query.columns ?? {}).every((c) => c in row);
}

/**
 * A payload field that re-reads one row of `table` by the ID `idOf` takes from the payload; a row gone
 * meanwhile (deleted by something else) is the `missing` error. `writtenOf` gives the row as the mutation
 * wrote it, when it has it whole: the field answers from it when the selection is only its columns.
 */
export function rowField<Parent, Table extends TableName>(
  t: PothosSchemaTypes.ObjectFieldBuilder<typeof builder.$inferSchemaTypes, Parent>,
  table: Table,
  idOf: (payload: Parent) => string,
  missing: () => GatewayError,
  writtenOf?: (payload: Parent) => WrittenRow | undefined,
) {
  return t.drizzleField({
    type: table,
    resolve: async (query, payload, _args, ctx) => {
      const planned = (query as PlannedSelection)({ where: { id: idOf(payload) } });
      const written = writtenOf?.(payload);
      if (written && answersQuery(written, planned)) return written as never;
      const reader = ctx.tx.query[table] as unknown as RowReader;
      const row = await reader.findFirst(planned);
      if (!row) throw missing();
      return row as never; // the row drizzleField expects for `table`, a type TypeScript cannot name here
    },
  });
}

/**
 * The payload of a mutation that wrote one row: an object type whose one field is that row, re-read, or
 * answered from `written` (the row as written) where that suffices.
 */
export function rowPayload<Table extends TableName>(
  name: string,
  field: string,
  table: Table,
  missing: () => GatewayError,
) {
  return builder.objectRef<{ id: string; written?: WrittenRow | undefined }>(name).implement({
    fields: (t) => ({
      [field]: rowField(
        t,
        table,
        (payload) => payload.id,
        missing,
        (payload) => payload.written,
      ),
    }),
  });
}
