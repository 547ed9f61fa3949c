import { execute, type GraphQLSchema, getOperationAST, parse, validate } from "graphql";
import { createErrorMasker } from "../../../src/pipeline/error-masking.js";
import type { Auth } from "../../../src/platform/auth/better-auth.js";
import { createOrganizationApi } from "../../../src/platform/auth/organizations.js";
import { resolvePrincipal } from "../../../src/platform/auth/principal.js";
import { defaultSearchConfig, defaultStatementTimeoutMs } from "../../../src/platform/config/index.js";
import type { Database } from "../../../src/platform/db/index.js";
import { connectionsOf, registerConnections } from "../../../src/platform/db/internal.js";
import { withoutPlanCache } from "../../../src/platform/db/plan-cache.js";
import type { GraphQLContext, InitialContext } from "../../../src/schema-builder/context.js";
import { createLoaders } from "../../../src/schema-builder/loaders.js";
import type { CampaignCaller } from "../../security/campaign/callers.js";
import { Rollback } from "../../support/rollback.js";
import type { Answer } from "./answers.js";

// The reference executor of the differential test: plain graphql-js `execute` of the gateway's own schema
// object, with the context the gateway builds (the principal read from the same headers, the organization
// API, search's config) and its transaction semantics (one tenant transaction, read-only for queries, a
// fresh tx and loaders on the context), then the gateway's own error masking. No Yoga, no envelop plugins.

/**
 * The same database whose every tenant transaction rolls back after answering: each executor of a case starts
 * from the same rows, so a mutation answers alike on each (and the next case sees nothing of it).
 */
export function rollingBack(database: Database): Database {
  const wrapped = Object.create(database) as Database;
  // Principal resolution reaches the raw connections through the Database object.
  registerConnections(wrapped, connectionsOf(database));
  wrapped.withTenantContext = async (context, fn, options) => {
    let answered: { value: Awaited<ReturnType<typeof fn>> } | undefined;
    try {
      await database.withTenantContext(
        context,
        async (tx) => {
          answered = { value: await fn(tx) };
          throw new Rollback("every differential case rolls back");
        },
        options,
      );
    } catch (error) {
      if (error instanceof Rollback && answered) return answered.value;
      throw error;
    }
    throw new Error("the transaction committed instead of rolling back");
  };
  return wrapped;
}

export interface ReferenceExecutor {
  /** The answer plain graphql-js gives; `refused` when the document does not validate (nothing executed). */
  answer(
    caller: CampaignCaller,
    operation: { query: string; variables: Record<string, unknown>; operationName: string | undefined },
  ): Promise<Answer & { refused: boolean }>;
}

const silent = { error: () => {}, warn: () => {} };

export function referenceExecutor(options: {
  schema: GraphQLSchema;
  database: Database;
  auth: Auth;
}): ReferenceExecutor {
  const { schema, database, auth } = options;
  const organizations = createOrganizationApi({ auth });
  const maskError = createErrorMasker(silent);
  let sequence = 0;
  return {
    async answer(caller, operation) {
      const document = parse(operation.query);
      const validationErrors = validate(schema, document);
      if (validationErrors.length > 0) {
        return { refused: true, errors: validationErrors.map((error) => JSON.parse(JSON.stringify(error))) };
      }
      const requestId = `reference-${++sequence}`;
      const request = new Request("http://127.0.0.1/graphql", { method: "POST", headers: caller.headers });
      const principal = await resolvePrincipal(request, { auth, database }, { responseHeaders: new Headers() });
      const context: InitialContext = {
        requestId,
        principal,
        clientAddress: "127.0.0.1",
        request,
        organizations,
        search: defaultSearchConfig,
      };
      const definition = getOperationAST(document, operation.operationName);
      const result = await database.withTenantContext(
        { organizationId: principal?.organizationId ?? null, userId: principal?.userId ?? null },
        async (tx) => {
          // The reference builds every query's SQL with drizzle alone: the gateway's plan cache is what is tested.
          withoutPlanCache(tx);
          const inside: GraphQLContext = { ...context, tx, loaders: createLoaders(tx) };
          return execute({
            schema,
            document,
            variableValues: operation.variables,
            operationName: operation.operationName,
            contextValue: inside,
          });
        },
        { readOnly: definition?.operation !== "mutation", statementTimeoutMs: defaultStatementTimeoutMs },
      );
      const masked = result.errors?.map((error) => maskError(error, requestId));
      return {
        refused: false,
        ...JSON.parse(JSON.stringify({ ...result, ...(masked ? { errors: masked } : {}) })),
      };
    },
  };
}
