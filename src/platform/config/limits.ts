// The defaults of what one operation and one request may take. Declared here, in the configuration room, so
// the schema builder, the pipeline and the HTTP layer share one value each (docs/hostile-input.md).

export interface OperationLimits {
  /** Deepest field nesting (introspection fields do not count). */
  maxDepth: number;
  maxAliases: number;
  /** Lexical tokens of the document: bounds parsing work before anything else runs. */
  maxTokens: number;
  maxDirectives: number;
  /** Estimated objects an operation may return (see operationCost). */
  maxCost: number;
}

/**
 * Defaults. Cost 10 000: about the objects one operation may materialise. The repo's heaviest operation
 * (ResearchPlanDetail: 100 steps × 20 conditions) costs about 6 300; two nested full pages (100 × 100) cost
 * 10 201 and are refused, as are three nested default pages (20 × 20 × 20 ≈ 8 400 fits, 20 × 20 × 30 does not).
 */
export const defaultOperationLimits: OperationLimits = {
  maxDepth: 8,
  maxAliases: 15,
  maxTokens: 2000,
  maxDirectives: 50,
  maxCost: 10_000,
};

/** Rows of a connection requested without `first`/`last`: the relay plugin's page, and the cost estimate's. */
export const defaultPageSize = 20;

/** Rows one page of any connection may hold: `first`/`last` must be within minPageSize..maxPageSize. */
export const maxPageSize = 100;
export const minPageSize = 1;

/** Largest request body, bytes (1 MiB; MAX_BODY_BYTES). */
export const defaultMaxBodyBytes = 1024 * 1024;

/** SET LOCAL statement_timeout of every operation, milliseconds (STATEMENT_TIMEOUT_MS). */
export const defaultStatementTimeoutMs = 5000;
