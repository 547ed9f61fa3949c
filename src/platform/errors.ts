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
