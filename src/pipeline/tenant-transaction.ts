import { type ExecutionArgs, type ExecutionResult, GraphQLError, type GraphQLSchema } from "graphql";
import type { Plugin } from "graphql-yoga";
import type { Database, TenantTransactionOptions } from "../platform/db/index.js";
import { type ErrorCode, GatewayError } from "../platform/errors.js";
import type { InitialContext } from "../schema-builder/context.js";
import { createLoaders } from "../schema-builder/loaders.js";
import { type OperationAnalysis, operationAnalysisOf } from "./operation-analysis.js";

/** What useTenantTransaction() sets on every operation's transaction (read-only follows the operation type). */
export type TenantTransactionPluginOptions = Pick<TenantTransactionOptions, "statementTimeoutMs">;

/** Thrown inside the transaction to roll it back while still answering with the operation's result. */
class RollbackWithResult extends Error {
  constructor(readonly result: ExecutionResult) {
    super("operation had errors: rolled back");
  }
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === "object" && value !== null && Symbol.asyncIterator in value;
}

type TransactionMode = { kind: "inside" } | { kind: "outside" } | { kind: "mixed"; outside: string[] };

/**
 * Whether a mutation runs outside the tenant transaction: every root field (but `__typename`) carries the
 * `outsideTenantTransaction` extension. A mix cannot be atomic (Better Auth commits on its own connection),
 * so it is refused before anything runs.
 */
function transactionMode(schema: GraphQLSchema, analysis: OperationAnalysis): TransactionMode {
  const mutationType = schema.getMutationType();
  if (analysis.type !== "mutation" || !mutationType) return { kind: "inside" };
  const fields = mutationType.getFields();
  const names = analysis.executedRootFieldNames().filter((name) => !name.startsWith("__"));
  const outside = names.filter((name) => fields[name]?.extensions.outsideTenantTransaction === true);
  if (outside.length === 0) return { kind: "inside" };
  return outside.length === names.length ? { kind: "outside" } : { kind: "mixed", outside: [...new Set(outside)] };
}

/**
 * Runs each GraphQL operation inside one withTenantContext() transaction: read-only for queries, read-write
 * for mutations. Commits when the operation succeeds; rolls back when it has any error (so mutations are
 * atomic) and still answers its result: a failing field nulls that field only, on every backend. Replacing
 * the execute function (rather than the context factory) is what lets the transaction wrap the whole
 * execution, and the context carries it to every resolver.
 *
 * The exception: a mutation whose root fields all carry `outsideTenantTransaction` executes with no
 * transaction at all (those fields delegate to Better Auth). Mixing them with other fields is BAD_USER_INPUT.
 */
export function useTenantTransaction(database: Database, options: TenantTransactionPluginOptions = {}): Plugin {
  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      const analysis = operationAnalysisOf(args);
      const operation = analysis.definition;
      const readOnly = analysis.type !== "mutation";
      const mode = transactionMode(args.schema, analysis);
      if (mode.kind === "mixed") {
        const message =
          `${mode.outside.join(", ")} run${mode.outside.length === 1 ? "s" : ""} outside the tenant transaction ` +
          "(through Better Auth) and cannot share an operation with other mutations: send them in an operation of their own.";
        setExecuteFn(() => ({
          errors: [
            new GraphQLError(message, {
              nodes: operation ? [operation] : [],
              extensions: { code: "BAD_USER_INPUT" satisfies ErrorCode, fields: mode.outside },
            }),
          ],
        }));
        return;
      }
      if (mode.kind === "outside") {
        // No transaction: context.tx and context.loaders stay absent.
        return;
      }
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
              // Any error ends the transaction with a rollback, and the result (the other fields' data with
              // it) is the answer, on both backends: a mutation's writes are undone, and a query has nothing
              // to commit. Committing instead failed on PostgreSQL whenever a field's statement had failed:
              // postgres.js rejects a transaction in which any statement failed, even one whose error the
              // field already answered, and the whole `data` was lost; PGlite kept it.
              if (result.errors?.length) throw new RollbackWithResult(result);
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
