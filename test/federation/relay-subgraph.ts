import { printSubgraphSchema } from "@apollo/subgraph";
import SchemaBuilder from "@pothos/core";
import DirectivesPlugin from "@pothos/plugin-directives";
import FederationPlugin from "@pothos/plugin-federation";
import RelayPlugin, { resolveArrayConnection } from "@pothos/plugin-relay";
import { type DocumentNode, type GraphQLSchema, parse } from "graphql";

// A second Relay-style subgraph, "bookmarks", built the way another team would build one with Pothos: its own
// `PageInfo` (@shareable, as ours) and `Node` interface, a Node type `Bookmark`, and a connection. Each
// bookmark stores the database id of one of our research plans and references it by our `databaseId` key,
// a stub it cannot resolve itself (`resolvable: false`): every field of the plan comes from our subgraph.
// What it must leave out to compose with ours: the `Query.node`/`Query.nodes` fields (ours resolve only our
// own global IDs; see docs/federation.md).

type BookmarksTypes = { DefaultFieldNullability: false };
type BuilderOptions = ConstructorParameters<typeof SchemaBuilder<BookmarksTypes>>[0];

export interface BookmarkRow {
  id: string;
  label: string;
  /** The database id of one of our research plans (any tenant's, or none at all: the router decides). */
  planDatabaseId: string;
}

export interface RelaySubgraph {
  schema: GraphQLSchema;
  typeDefs: DocumentNode;
}

export function buildBookmarksSubgraph(rows: readonly BookmarkRow[]): RelaySubgraph {
  const builder = new SchemaBuilder<BookmarksTypes>({
    plugins: [RelayPlugin, DirectivesPlugin, FederationPlugin],
    defaultFieldNullability: false,
    relay: {
      pageInfoTypeOptions: { shareable: true },
      nodeQueryOptions: false,
      nodesQueryOptions: false,
      nodesOnConnection: true,
      clientMutationId: "omit",
      cursorType: "String",
    },
    // Pothos declares plugin options globally: the types require the drizzle and scope-auth options of our
    // own builder (loaded in this process) on every builder, though only the plugins listed here run.
  } as BuilderOptions);

  const ResearchPlan = builder
    .externalRef("ResearchPlan", builder.keyDirective(builder.selection<{ databaseId: string }>("databaseId"), false))
    .implement({ externalFields: (t) => ({ databaseId: t.id() }) });

  const Bookmark = builder.node(builder.objectRef<BookmarkRow>("Bookmark"), {
    id: { resolve: (bookmark) => bookmark.id },
    loadMany: (ids) => ids.map((id) => rows.find((row) => row.id === id) ?? null),
    fields: (t) => ({
      label: t.exposeString("label"),
      plan: t.field({
        type: ResearchPlan,
        nullable: true,
        resolve: (bookmark) => ({ databaseId: bookmark.planDatabaseId }),
      }),
    }),
  });

  builder.queryType({
    fields: (t) => ({
      bookmarks: t.connection({
        type: Bookmark,
        resolve: (_root, args) => resolveArrayConnection({ args }, [...rows]),
      }),
    }),
  });

  const schema = builder.toSubGraphSchema({ linkUrl: "https://specs.apollo.dev/federation/v2.6" });
  return { schema, typeDefs: parse(printSubgraphSchema(schema)) };
}
