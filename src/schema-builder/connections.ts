import type { ObjectRef } from "@pothos/core";
import { builder } from "./builder.js";

// One connection type per node type: `ResearchPlanConnection` with `ResearchPlanEdge`, whichever field pages
// plans, so a client's fragment on "a page of plans" fits every such field. Pass the ref as the third
// argument of `t.relatedConnection(...)` / `t.drizzleConnection(...)`; every field sharing it must then offer
// what the type has (here `totalCount`: give those fields `totalCount`).

type BuilderTypes = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer Types> ? Types : never;

/**
 * What plugin-drizzle puts on a connection for totalCount: the count itself (a relation's, read in the page's
 * statement) or a function that counts (a root connection's).
 */
type CountOnConnection = number | (() => number | Promise<number>) | undefined;

function totalCountOf(connection: object): number | Promise<number> {
  const count = (connection as { totalCount?: CountOnConnection }).totalCount;
  const value = typeof count === "function" ? count() : count;
  // Every field sharing the type counts (see above): a missing count is a wiring mistake, not an answer.
  if (value === undefined) throw new Error("connection field without totalCount shares a connection type");
  return value;
}

/** `<name>Connection` (and `<name>Edge`) of `type`, with `totalCount`. */
export function nodeConnection<Shape extends object>(type: ObjectRef<BuilderTypes, Shape>, name: string) {
  return builder.connectionObject({
    type,
    name: `${name}Connection`,
    fields: (t) => ({
      totalCount: t.int({
        description: "How many there are in all, across every page.",
        // plugin-drizzle recognizes its count field by this: a selection of totalCount alone reads no rows.
        extensions: { pothosDrizzleTotalCount: true },
        resolve: (connection) => totalCountOf(connection),
      }),
    }),
  });
}
