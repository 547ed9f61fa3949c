// What PostgreSQL said when it refused a statement, whichever driver (postgres.js, PGlite) and whatever wrapping
// (drizzle's DrizzleQueryError keeps the driver's error as `cause`).

export interface PgErrorInfo {
  /** SQLSTATE, e.g. 42501 (insufficient privilege, also RLS WITH CHECK), 23503 (foreign key). */
  code: string | undefined;
  message: string;
  constraint: string | undefined;
}

export function pgErrorOf(error: unknown): PgErrorInfo {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current; depth++) {
    if (typeof current === "object" && current !== null && "code" in current && typeof current.code === "string") {
      const withFields = current as {
        code: string;
        message?: unknown;
        constraint?: unknown;
        constraint_name?: unknown;
      };
      const constraint = withFields.constraint ?? withFields.constraint_name;
      return {
        code: withFields.code,
        message: String(withFields.message ?? ""),
        constraint: typeof constraint === "string" ? constraint : undefined,
      };
    }
    current = typeof current === "object" && current !== null && "cause" in current ? current.cause : undefined;
  }
  return { code: undefined, message: error instanceof Error ? error.message : String(error), constraint: undefined };
}

/** Awaits something that must be refused and returns PostgreSQL's reason; fails when it succeeds. */
export async function refusalOf(promise: Promise<unknown>): Promise<PgErrorInfo> {
  let result: unknown;
  try {
    result = await promise;
  } catch (error) {
    return pgErrorOf(error);
  }
  throw new Error(`expected the database to refuse, but it succeeded with ${JSON.stringify(result)}`);
}
