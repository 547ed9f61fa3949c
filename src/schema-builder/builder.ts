import SchemaBuilder from "@pothos/core";
import DirectivesPlugin from "@pothos/plugin-directives";
import DrizzlePlugin from "@pothos/plugin-drizzle";
import FederationPlugin from "@pothos/plugin-federation";
import RelayPlugin, { resolveNodes } from "@pothos/plugin-relay";
import ScopeAuthPlugin from "@pothos/plugin-scope-auth";
import { type GraphQLResolveInfo, isObjectType } from "graphql";
import { type Relations, relations } from "../../schema/index.js";
import type { TokenScope } from "../../schema/tokens.js";
import { defaultPageSize, maxPageSize } from "../platform/config/index.js";
import { GatewayError } from "../platform/errors.js";
import { operationCanRead } from "./anonymous-access.js";
import type { GraphQLContext } from "./context.js";
import { nodeVisible } from "./node-visibility.js";
import { DateTimeScalar, JSONScalar } from "./scalars.js";
import { tableConfigForGraphql } from "./table-config.js";

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
  plugins: [ScopeAuthPlugin, RelayPlugin, DirectivesPlugin, DrizzlePlugin, FederationPlugin],
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
    // Every Relay-style subgraph defines its own PageInfo: a value type, identical in each, so resolvable by
    // any of them (docs/federation.md).
    pageInfoTypeOptions: { shareable: true },
    // A row another tenant owns (hidden by RLS) and a row that does not exist are both null, with no error:
    // see resolveNodeOrNull.
    nodeQueryOptions: {
      nullable: true,
      resolve: (_root, args, context, info) => resolveNodeOrNull(args.id, context, info),
    },
    nodesQueryOptions: {
      nullable: { list: false, items: true },
      resolve: (_root, args, context, info) => args.ids.map((id) => resolveNodeOrNull(id, context, info)),
    },
  },
  directives: { useGraphQLToolsUnorderedDirectives: true },
  drizzle: {
    // Resolved per field at execution time: always the operation's own tenant transaction.
    client: (context) => context.tx,
    getTableConfig: tableConfigForGraphql, // tenant tables keyed by id inside an operation (see table-config.ts)
    relations,
    defaultConnectionSize: defaultPageSize,
    maxConnectionSize: maxPageSize, // larger pages are refused before execution (page-size.ts)
  },
});

builder.addScalarType("DateTime", DateTimeScalar);
builder.addScalarType("JSON", JSONScalar);

// Nullability of root fields (docs/clients.md, checked by test/graphql/relay-consistency.test.ts): a root field is
// non-null whenever a caller allowed to call it always gets a value: lists and connections (an empty page, not
// null), `organization`, `aiModels`, every mutation. A caller who may not call it (signed out: UNAUTHENTICATED;
// no organization selected, or a token without the scope: FORBIDDEN) gets the error at that field and `data`
// is null: the answer is "fix the credentials", not a partial page. Nullable only where null is an answer of its
// own: `viewer` (nobody signed in), `node`, `nodes` items, `researchPlan(id:)` (no such plan, or another
// tenant's), and federation's `_entities` items.
builder.queryType({ description: "Read the organization's research, AI usage and search data." });
builder.mutationType({ description: "Change research plans and record what agents did." });
builder.subscriptionType({
  description:
    "Live updates over SSE or graphql-ws: each delivery re-reads its data as the subscriber, in a read-only tenant transaction.",
});

/** What plugin-drizzle's node loader rejects with when the row is not there (or RLS hides it). */
const rowNotFound = /^Model \w+\(.*\) not found$/s;

/**
 * One node by global id, null when no row answers it. plugin-drizzle's loader rejects a missing row with
 * "Model … not found", which would surface as an internal error, and only for ids that name a real
 * type: a probe could tell "another tenant's row" from "no such row" by the error, or count on a
 * masked 500. Each id is resolved on its own (in the same tick, so the loader still batches them into
 * one statement) so that a hidden row in `nodes(ids:)` is null without failing its neighbours. An id
 * naming no Node type is bad input, like an id that does not decode. A type the operation's role cannot
 * read (anonymous: tenant and identity rows) is null without a query, and so is a row its domain says the
 * caller may not see (node-visibility.ts: users and organizations).
 */
function resolveNodeOrNull(
  id: { typename: string; id: string },
  context: GraphQLContext,
  info: GraphQLResolveInfo,
): Promise<unknown> {
  const type = info.schema.getType(id.typename);
  if (!isObjectType(type) || !type.getInterfaces().some((iface) => iface.name === "Node")) {
    return Promise.reject(new GatewayError("BAD_USER_INPUT", "Invalid global ID: it names no node type."));
  }
  if (!operationCanRead(context, id.typename)) return Promise.resolve(null);
  const visible = nodeVisible(id.typename, id.id, context);
  if (visible === false) return Promise.resolve(null);
  if (visible !== true) return visible.then((yes) => (yes ? loadNodeOrNull(id, context, info) : null));
  return loadNodeOrNull(id, context, info);
}

function loadNodeOrNull(
  id: { typename: string; id: string },
  context: GraphQLContext,
  info: GraphQLResolveInfo,
): Promise<unknown> {
  return resolveNodes(builder, context, info, [id]).then(
    ([node]) => node ?? null,
    (error: unknown) => {
      if (error instanceof Error && rowNotFound.test(error.message)) return null;
      throw error;
    },
  );
}
