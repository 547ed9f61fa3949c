import { decodeBase64, decodeCursorChunk } from "@pothos/core";
import { GatewayError } from "../errors.js";

/** The type of one ordering column, as a keyset cursor holds its value. */
export type CursorValueKind = "date" | "string" | "number";

/** Cursors of lists ordered by a timestamp, then by id (the tie-breaker plugin-drizzle appends). */
export const byTimestampThenId: readonly CursorValueKind[] = ["date", "string"];
/** Cursors of lists ordered by a text column, then by id. */
export const byTextThenId: readonly CursorValueKind[] = ["string", "string"];

function fits(value: unknown, kind: CursorValueKind): boolean {
  switch (kind) {
    case "date":
      return value instanceof Date && !Number.isNaN(value.getTime());
    case "string":
      return typeof value === "string";
    case "number":
      return typeof value === "number" && Number.isFinite(value);
  }
}

function decode(cursor: string): unknown {
  try {
    const decoded = decodeBase64(cursor);
    return decoded.startsWith("DC:") ? decodeCursorChunk(decoded.slice(3)) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Refuses an `after`/`before` cursor that was not issued by this list with this ordering, before any SQL
 * runs. plugin-drizzle checks a cursor's syntax only: a well-formed cursor whose values have other types
 * than the ordering's columns (a TITLE cursor reused after switching to CREATED_AT, or a forged one) went
 * to PostgreSQL and came back as an internal error (`invalid input syntax for type timestamp`).
 */
export function assertCursorFits(
  args: { after?: string | null; before?: string | null },
  kinds: readonly CursorValueKind[],
): void {
  for (const name of ["after", "before"] as const) {
    const cursor = args[name];
    if (cursor == null) continue;
    const values = decode(cursor);
    const ok =
      Array.isArray(values) &&
      values.length >= 1 &&
      values.length <= kinds.length &&
      values.every((value, index) => fits(value, kinds[index] ?? "string"));
    if (!ok) {
      throw new GatewayError(
        "BAD_USER_INPUT",
        `Invalid cursor in "${name}": use a cursor this list returned with the same ordering.`,
        { argument: name },
      );
    }
  }
}
