import type { AuditDiff } from "../../../schema/index.js";
import { planAuditLog } from "../../../schema/index.js";
import type { TenantTransaction } from "../../platform/db/index.js";

type AuditAction = (typeof planAuditLog.$inferInsert)["action"];

function comparable(value: unknown): unknown {
  return value instanceof Date ? value.toISOString() : value;
}

/** The fields a change touched, before and after (dates as ISO strings); null side for creation or deletion. */
export function diffOf(
  before: Record<string, unknown> | null,
  after: Record<string, unknown> | null,
  fields: readonly string[],
): AuditDiff {
  if (!before || !after) {
    const pick = (row: Record<string, unknown> | null) =>
      row ? Object.fromEntries(fields.map((f) => [f, comparable(row[f])])) : null;
    return { before: pick(before), after: pick(after) };
  }
  const changed = fields.filter((f) => JSON.stringify(comparable(before[f])) !== JSON.stringify(comparable(after[f])));
  return {
    before: Object.fromEntries(changed.map((f) => [f, comparable(before[f])])),
    after: Object.fromEntries(changed.map((f) => [f, comparable(after[f])])),
  };
}

/**
 * Writes the audit entry of a change to a plan, in the mutation's own transaction: if the mutation fails,
 * neither the change nor its entry exists.
 */
export async function recordAudit(
  tx: TenantTransaction,
  entry: { planId: string; actorId: string; action: AuditAction; diff: AuditDiff },
): Promise<void> {
  await tx.insert(planAuditLog).values(entry);
}

/**
 * The same entry as a data-modifying CTE (`WITH audit_entry AS (INSERT …)`), for the statement that makes the
 * change: `tx.with(auditEntry(tx, entry)).insert(…)` writes both in one statement, RLS checking each row.
 */
export function auditEntry(
  tx: TenantTransaction,
  entry: { planId: string; actorId: string; action: AuditAction; diff: AuditDiff },
) {
  return tx.$with("audit_entry").as(tx.insert(planAuditLog).values(entry));
}
