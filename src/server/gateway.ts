import { renderGraphiQL } from "@graphql-yoga/render-graphiql";
import { createYoga, type Plugin, type YogaServerInstance } from "graphql-yoga";
import type { Auth } from "../auth/better-auth.js";
import { resolvePrincipal } from "../auth/principal.js";
import type { Database } from "../db/index.js";
import type { InitialContext } from "../graphql/context.js";
import { refuseUnsupportedOperations } from "../graphql/operation-rules.js";
import { buildSchema } from "../graphql/schema.js";
import { useTenantTransaction } from "../graphql/tenant-transaction.js";
import { createErrorMasker, type ErrorLogger } from "./errors.js";
import { graphiqlDefaults } from "./graphiql.js";
import { currentRequestContext } from "./request-context.js";

export interface GatewayOptions {
  database: Database;
  auth: Auth;
  logger: ErrorLogger;
  /** GraphiQL with the demo token and an example query (development only). */
  graphiql: boolean;
  statementTimeoutMs?: number;
}

export type Gateway = YogaServerInstance<Record<string, never>, InitialContext>;

const useOperationRules: Plugin = {
  onValidate({ addValidationRule }) {
    addValidationRule(refuseUnsupportedOperations);
  },
};

/** The GraphQL endpoint: schema, who is calling, one tenant transaction per operation, masked errors. */
export function createGateway(options: GatewayOptions): Gateway {
  const maskError = createErrorMasker(options.logger);
  return createYoga<Record<string, never>, InitialContext>({
    schema: buildSchema(),
    graphqlEndpoint: "/graphql",
    batching: false,
    logging: false,
    landingPage: false,
    context: async ({ request }) => {
      const requestId = currentRequestContext()?.requestId ?? "unknown";
      // Before the transaction opens: on PGlite, auth reads share the single connection.
      const principal = await resolvePrincipal(request, { auth: options.auth, database: options.database });
      return { requestId, principal };
    },
    plugins: [
      useOperationRules,
      useTenantTransaction(options.database, {
        ...(options.statementTimeoutMs ? { statementTimeoutMs: options.statementTimeoutMs } : {}),
      }),
    ],
    maskedErrors: {
      maskError: (error) => maskError(error, currentRequestContext()?.requestId),
    },
    graphiql: options.graphiql ? graphiqlDefaults : false,
    renderGraphiQL,
  });
}
