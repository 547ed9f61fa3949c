import { assertValidSchema, type GraphQLSchema } from "graphql";
import { builder } from "../schema-builder/builder.js";
import { checkEntityRepresentations } from "../schema-builder/entity-representations.js";
import "./identity/index.js";
import "./ai/types.js";
import "./ai/usage-mutations.js";
import "./research/index.js";
import "./search/graphql.js";
import "./tokens/graphql.js";
import "./federation.js";

const schemas = new Map<boolean, GraphQLSchema>();

/**
 * The executable schema: every domain slice registered on the one builder, as a Federation v2 subgraph
 * (`_service`, `_entities` and the entity keys added). It serves clients directly just as well.
 * `federation: false` (FEDERATION=off) serves the same schema without `_service` and `_entities`.
 * Built once per process (per variant).
 */
export function buildSchema(options: { federation?: boolean } = {}): GraphQLSchema {
  const federation = options.federation ?? true;
  let schema = schemas.get(federation);
  if (!schema) {
    schema = federation
      ? checkEntityRepresentations(
          builder.toSubGraphSchema({
            sortSchema: true,
            linkUrl: "https://specs.apollo.dev/federation/v2.6",
            federationDirectives: ["@key", "@shareable"],
          }),
        )
      : builder.toSchema({ sortSchema: true });
    assertValidSchema(schema); // fail at start, not on the first request
    schemas.set(federation, schema);
  }
  return schema;
}
