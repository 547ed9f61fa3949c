import { PothosValidationError } from "@pothos/core";
import { GraphQLError } from "graphql";
import { type ErrorCode, errorCauses, isGatewayError } from "../platform/errors.js";

export interface ErrorLogger {
  error(details: Record<string, unknown>, message: string): void;
  warn(details: Record<string, unknown>, message: string): void;
}

/** The SQLSTATE of a PostgreSQL error anywhere in a chain of causes (drizzle wraps postgres.js's errors). */
function sqlStateOf(error: unknown): string | undefined {
  for (const link of errorCauses(error, 6)) {
    const code = (link as { code?: unknown }).code;
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}

/** What a missing prepared statement (SQLSTATE 26000) almost always means in production. */
const missingPreparedStatementHint =
  "a prepared statement was missing on the server connection: behind a transaction pooler without " +
  "prepared-statement support (PgBouncer before 1.21, or without max_prepared_statements) set " +
  "DATABASE_PREPARED_STATEMENTS=false";

function isStatementTimeout(error: unknown): boolean {
  if (sqlStateOf(error) !== "57014") return false;
  for (const link of errorCauses(error, 6)) {
    if (!(link instanceof Error)) return false;
    if (link.message.includes("statement timeout")) return true;
  }
  return false;
}

function unwrap(error: unknown): unknown {
  return error instanceof GraphQLError && error.originalError ? unwrap(error.originalError) : error;
}

/**
 * What a client may see of an error. Errors we meant to show (GatewayError, bad input the schema plugins
 * reject, GraphQL syntax and validation errors) keep their message with a code. Everything else — SQL,
 * constraint names, stack traces — becomes "Unexpected error." with the request id, and is logged in full.
 */
export function createErrorMasker(logger: ErrorLogger) {
  return (error: unknown, requestId: string | undefined): GraphQLError => {
    const original = unwrap(error);
    const path = error instanceof GraphQLError ? error.path : undefined;
    const nodes = error instanceof GraphQLError ? error.nodes : undefined;
    if (isGatewayError(original)) {
      return new GraphQLError(original.message, {
        nodes,
        path,
        extensions: { code: original.code, ...(original.details ?? {}) },
      });
    }
    if (original instanceof PothosValidationError) {
      return new GraphQLError(original.message, {
        nodes,
        path,
        extensions: { code: "BAD_USER_INPUT" satisfies ErrorCode },
      });
    }
    if (error instanceof GraphQLError && !error.originalError) {
      // Parse and validation errors, and errors the schema raised on purpose (coded scalars): already safe.
      if (typeof error.extensions.code === "string") return error;
      // graphql-js's own variable errors carry no code ("Variable "$id" of required type "ID!" was not
      // provided.", "Too many errors processing variables, error limit reached."): the client's input.
      return new GraphQLError(error.message, {
        nodes,
        path,
        extensions: { ...error.extensions, code: "BAD_USER_INPUT" satisfies ErrorCode },
      });
    }
    if (error instanceof GraphQLError && original instanceof GraphQLError) {
      // graphql-js wraps the error of an enum or scalar that refused a variable ("Variable "$input" got
      // invalid value …; Value "X" does not exist in "Status" enum."): nothing internal, it is bad input.
      const code =
        typeof original.extensions.code === "string"
          ? original.extensions.code
          : ("BAD_USER_INPUT" satisfies ErrorCode);
      return new GraphQLError(error.message, { nodes, path, extensions: { ...original.extensions, code } });
    }
    if (isStatementTimeout(original)) {
      // Clear for the client, and safe: the transaction is aborted, so the operation commits nothing.
      logger.warn({ err: original, requestId, path: path?.join(".") }, "statement timeout");
      return new GraphQLError(
        "The operation took longer than its time limit and was cancelled; nothing it did was saved. " +
          "Ask for less, or try again.",
        { nodes, path, extensions: { code: "TIMEOUT" satisfies ErrorCode, ...(requestId ? { requestId } : {}) } },
      );
    }
    logger.error(
      {
        err: original,
        requestId,
        path: path?.join("."),
        ...(sqlStateOf(original) === "26000" ? { hint: missingPreparedStatementHint } : {}),
      },
      "unexpected error while executing a GraphQL operation",
    );
    return new GraphQLError("Unexpected error.", {
      nodes,
      path,
      extensions: { code: "INTERNAL_SERVER_ERROR" satisfies ErrorCode, ...(requestId ? { requestId } : {}) },
    });
  };
}
