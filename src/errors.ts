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
