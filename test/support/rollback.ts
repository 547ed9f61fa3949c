// For isolation tests that try a write and must leave nothing behind: the transaction reports what it could do
// by throwing a Rollback carrying it, which rolls it back.

/** Thrown to roll a transaction back after checking what it could do. */
export class Rollback extends Error {}

/** The message of the Rollback a transaction ended with; fails on any other outcome. */
export async function rolledBackWith(transaction: Promise<unknown>): Promise<string> {
  try {
    await transaction;
  } catch (error) {
    if (error instanceof Rollback) return error.message;
    throw error;
  }
  throw new Error("the transaction committed instead of rolling back");
}

/** Rows a statement changed, as postgres.js (count) or PGlite (affectedRows) reports it. */
export function affectedRows(result: unknown): number {
  const reported = result as { count?: unknown; affectedRows?: unknown; rowCount?: unknown };
  const count = reported.count ?? reported.affectedRows ?? reported.rowCount;
  if (typeof count !== "number") throw new Error(`the driver reported no affected row count: ${String(result)}`);
  return count;
}
