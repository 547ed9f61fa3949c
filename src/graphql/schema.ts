import { assertValidSchema, type GraphQLSchema } from "graphql";
import { builder } from "./builder.js";
import "./auth.js";
import "./ai.js";
import "./research/index.js";
import "./search.js";
import "./mcp.js";

let schema: GraphQLSchema | undefined;

/** The executable schema: every domain slice registered on the one builder. Built once per process. */
export function buildSchema(): GraphQLSchema {
  if (!schema) {
    schema = builder.toSchema({ sortSchema: true });
    assertValidSchema(schema); // fail at start, not on the first request
  }
  return schema;
}
