import { assertValidSchema, type GraphQLSchema } from "graphql";
import { builder } from "./builder.js";
import { checkEntityRepresentations } from "./entity-representations.js";
import "./auth.js";
import "./ai.js";
import "./ai/usage-mutations.js";
import "./research/index.js";
import "./search.js";
import "./mcp.js";
import "./federation.js";

let schema: GraphQLSchema | undefined;

/**
 * The executable schema: every domain slice registered on the one builder, as a Federation v2 subgraph
 * (`_service`, `_entities` and the entity keys added). It serves clients directly just as well.
 * Built once per process.
 */
export function buildSchema(): GraphQLSchema {
  if (!schema) {
    schema = checkEntityRepresentations(
      builder.toSubGraphSchema({
        sortSchema: true,
        linkUrl: "https://specs.apollo.dev/federation/v2.6",
        federationDirectives: ["@key", "@shareable"],
      }),
    );
    assertValidSchema(schema); // fail at start, not on the first request
  }
  return schema;
}
