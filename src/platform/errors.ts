// Errors the gateway means to show to a client: each has a stable code (GraphQL `extensions.code`) and a
// sentence for a person. Anything else thrown is an internal error: masked for clients, logged in full.

export const errorCodes = [
  "UNAUTHENTICATED",
  "FORBIDDEN",
  "BAD_USER_INPUT",
  "NOT_FOUND",
  "CONFLICT",
  "RATE_LIMITED",
  "OPERATION_NOT_SUPPORTED",
  /** The embedding provider failed (unreachable, timeout, HTTP error, unusable answer): `reason` says which. */
  "EMBEDDING_PROVIDER_ERROR",
  /** Text search or ingestion without vectors, and no embedding provider is configured (EMBEDDINGS_URL). */
  "EMBEDDING_PROVIDER_NOT_CONFIGURED",
  /** A search ran out of its time budget (SEARCH_STATEMENT_TIMEOUT_MS): narrow it or try again. */
  "SEARCH_TIMEOUT",
  /** The operation ran past STATEMENT_TIMEOUT_MS and was cancelled; its transaction was rolled back. */
  "TIMEOUT",
  /** The operation exceeds an operation limit (depth, aliases, tokens, directives, cost, request size): `limit` says which. */
  "LIMIT_EXCEEDED",
  /** Trusted documents are on and the request named a document hash that is not in the allowlist. */
  "TRUSTED_DOCUMENT_NOT_FOUND",
  /** Trusted documents are on and the request sent a free-form query instead of a document hash. */
  "TRUSTED_DOCUMENT_REQUIRED",
  /**
   * Trusted documents are off and the request named a document hash without its text. Apollo's name for it:
   * its persisted-queries link then stops hashing and sends the query text (docs/clients.md).
   */
  "PERSISTED_QUERY_NOT_SUPPORTED",
  /** A GET or a form-encoded POST without a CSRF header (x-graphql-csrf): status 403 (docs/clients.md). */
  "CSRF_HEADER_REQUIRED",
  /**
   * Subscriptions are refused: this process's LISTEN connection did not prove itself (LIVE_DATABASE_URL must be
   * a direct connection or a PgBouncer session pool), or the server is shutting down (docs/live-updates.md).
   */
  "LIVE_UPDATES_UNAVAILABLE",
  /** Anything unexpected, masked for the client (src/pipeline/error-masking.ts): only the request id is shown. */
  "INTERNAL_SERVER_ERROR",
] as const;
export type ErrorCode = (typeof errorCodes)[number];

export class GatewayError extends Error {
  override name = "GatewayError";
  readonly code: ErrorCode;
  /** Extra machine-readable details (for example the offending field), never internals. */
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.code = code;
    this.details = details;
  }
}

export function isGatewayError(error: unknown): error is GatewayError {
  return error instanceof GatewayError;
}

/**
 * An error and the errors it wraps (`cause`: drizzle wraps the driver's errors), outermost first: at most
 * `limit` of them, and only objects (the walk stops at the first cause that is not one).
 */
export function* errorCauses(error: unknown, limit: number): Generator<object> {
  let current = error;
  for (let depth = 0; depth < limit && typeof current === "object" && current !== null; depth++) {
    yield current;
    current = (current as { cause?: unknown }).cause;
  }
}
