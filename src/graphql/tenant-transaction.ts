import { type ExecutionArgs, type ExecutionResult, getOperationAST } from "graphql";
import type { Plugin } from "graphql-yoga";
import type { Database } from "../db/index.js";
import { GatewayError } from "../errors.js";
import type { InitialContext } from "./context.js";
import { createLoaders } from "./loaders.js";

export interface TenantTransactionOptions {
  /** SET LOCAL statement_timeout for every operation, milliseconds. */
  statementTimeoutMs?: number;
}

/** Thrown inside the transaction to roll it back while still answering with the operation's result. */
class RollbackWithResult extends Error {
  constructor(readonly result: ExecutionResult) {
    super("operation had errors: rolled back");
  }
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === "object" && value !== null && Symbol.asyncIterator in value;
}

/**
 * Runs each GraphQL operation inside one withTenantContext() transaction: read-only for queries, read-write
 * for mutations. Commits when the operation succeeds; rolls back when a mutation has any error, so
 * mutations are atomic. Replacing the execute function (rather than the context factory) is what lets the
 * transaction wrap the whole execution, and the context carries it to every resolver.
 */
export function useTenantTransaction(database: Database, options: TenantTransactionOptions = {}): Plugin {
  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      const operation = getOperationAST(args.document, args.operationName);
      const readOnly = operation?.operation !== "mutation";
      setExecuteFn(async (executionArgs: ExecutionArgs) => {
        const context = executionArgs.contextValue as InitialContext;
        const principal = context.principal;
        try {
          return await database.withTenantContext(
            { organizationId: principal?.organizationId ?? null, userId: principal?.userId ?? null },
            async (tx) => {
              context.tx = tx;
              context.loaders = createLoaders(tx);
              const result = await executeFn(executionArgs);
              if (isAsyncIterable(result)) {
                // @defer/@stream would outlive the transaction; the validation rule refuses them first.
                throw new GatewayError("OPERATION_NOT_SUPPORTED", "Incremental delivery is not supported.");
              }
              if (!readOnly && result.errors?.length) throw new RollbackWithResult(result);
              return result;
            },
            { readOnly, ...(options.statementTimeoutMs ? { statementTimeoutMs: options.statementTimeoutMs } : {}) },
          );
        } catch (error) {
          if (error instanceof RollbackWithResult) return error.result;
          throw error;
        } finally {
          // Nothing may use the transaction after it ended.
          delete context.tx;
          delete context.loaders;
        }
      });
    },
  };
}
