import SchemaBuilder from "@pothos/core";
import DirectivesPlugin from "@pothos/plugin-directives";
import DrizzlePlugin from "@pothos/plugin-drizzle";
import RelayPlugin from "@pothos/plugin-relay";
import ScopeAuthPlugin from "@pothos/plugin-scope-auth";
import { getTableConfig } from "drizzle-orm/pg-core";
import { type Relations, relations } from "../../schema/index.js";
import type { TokenScope } from "../../schema/mcp.js";
import { GatewayError } from "../errors.js";
import type { GraphQLContext } from "./context.js";
import { DateTimeScalar, JSONScalar } from "./scalars.js";

export interface PothosTypes {
  Context: GraphQLContext;
  DrizzleRelations: Relations;
  AuthScopes: {
    /** Someone is signed in (session or token). */
    signedIn: boolean;
    /** An organization is selected and the caller is a member of it. */
    tenant: boolean;
    /** The principal's token carries this scope (sessions carry all). */
    scope: TokenScope;
  };
  Scalars: {
    DateTime: { Input: Date; Output: Date | string };
    JSON: { Input: unknown; Output: unknown };
  };
  DefaultFieldNullability: false;
}

export const builder = new SchemaBuilder<PothosTypes>({
  plugins: [ScopeAuthPlugin, RelayPlugin, DirectivesPlugin, DrizzlePlugin],
  defaultFieldNullability: false,
  scopeAuth: {
    authScopes: (context) => ({
      signedIn: context.principal !== null,
      tenant: context.principal?.organizationId != null,
      scope: (scope) => context.principal?.scopes.includes(scope) ?? false,
    }),
    unauthorizedError: (_parent, context, _info, result) => {
      if (!context.principal) return new GatewayError("UNAUTHENTICATED", "Sign in to use this field.");
      if (!context.principal.organizationId) {
        return new GatewayError(
          "FORBIDDEN",
          "This field needs an organization: set X-Organization-Id or choose an active organization.",
        );
      }
      return new GatewayError("FORBIDDEN", result.message);
    },
  },
  relay: {
    nodesOnConnection: true,
    clientMutationId: "omit",
    cursorType: "String",
    nodeQueryOptions: { nullable: true },
    nodesQueryOptions: { nullable: { list: false, items: true } },
  },
  directives: { useGraphQLToolsUnorderedDirectives: true },
  drizzle: {
    // Resolved per field at execution time: always the operation's own tenant transaction.
    client: (context) => context.tx,
    getTableConfig,
    relations,
    defaultConnectionSize: 20,
    maxConnectionSize: 100,
  },
});

builder.addScalarType("DateTime", DateTimeScalar);
builder.addScalarType("JSON", JSONScalar);

builder.queryType({ description: "Read the organization's research, AI usage and search data." });
builder.mutationType({ description: "Change research plans and record what agents did." });
