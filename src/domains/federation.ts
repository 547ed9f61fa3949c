import type { ObjectRef } from "@pothos/core";
import { getSchemaConfig, queryFromInfo } from "@pothos/plugin-drizzle";
import { decodeGlobalID } from "@pothos/plugin-relay";
import DataLoader from "dataloader";
import type { GraphQLResolveInfo } from "graphql";
import { operationCanRead } from "../schema-builder/anonymous-access.js";
import { builder } from "../schema-builder/builder.js";
import type { GraphQLContext } from "../schema-builder/context.js";
import { AiModel } from "./ai/types.js";
import { Organization, User, visibleOrganizations, visibleUsers } from "./identity/index.js";
import { PlanStep, ResearchArtifact, ResearchOutput, ResearchPlan } from "./research/index.js";
import { DocumentChunk } from "./search/graphql.js";

// Federation v2 entities, all of them Nodes, keyed by `id` (the Relay global ID) and by `databaseId` (the
// row's primary key, the raw id inside the global ID), so another subgraph can reference a row by the id it
// stored. A router's `_entities` call resolves every reference of one type with ONE statement on the
// operation's tenant transaction: a DataLoader whose batch query is planned from the `_entities` selection,
// so RLS filters it and the fields read come from that same row. A reference the caller cannot see — another
// tenant's row, one that does not exist, or any row of a table the caller's role cannot read (anonymous: all
// but the global reference data) — resolves to null, never to an error that would tell them apart.

type BuilderTypes = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer Types> ? Types : never;

type EntityTable =
  | "user"
  | "organization"
  | "researchPlan"
  | "planStep"
  | "researchArtifact"
  | "researchOutput"
  | "documentChunk"
  | "aiModel";

interface EntityRow {
  id: string;
}

/** The relational query API of one entity table, narrowed to what the loader uses. */
interface FindMany {
  findMany(query: object): Promise<EntityRow[]>;
}

/** Extra SQL restricting which rows of a global table the caller may reference. */
type Visibility = (ctx: GraphQLContext) => object;

const visibleTo: Partial<Record<EntityTable, Visibility>> = {
  organization: visibleOrganizations,
  user: visibleUsers,
};

function entityLoader(ctx: GraphQLContext, info: GraphQLResolveInfo, typeName: string, table: EntityTable) {
  const loaders = ctx.loaders.entities;
  let loader = loaders.get(typeName);
  if (!loader) {
    // Every representation of this type in the operation shares the `_entities` selection: plan it once.
    const query = queryFromInfo({ config: getSchemaConfig(builder), context: ctx, info, typeName });
    const restriction = visibleTo[table]?.(ctx);
    loader = new DataLoader<string, EntityRow | null>(async (ids) => {
      const rows = await (ctx.tx.query[table] as unknown as FindMany).findMany({
        ...query,
        where: restriction ? { AND: [restriction, { id: { in: [...ids] } }] } : { id: { in: [...ids] } },
      });
      const byId = new Map(rows.map((row) => [row.id, row]));
      return ids.map((id) => byId.get(id) ?? null);
    });
    loaders.set(typeName, loader);
  }
  return loader;
}

/** The raw id behind a global ID of `typeName`; null when it is malformed or names another type. */
function rawIdOf(globalId: string, typeName: string): string | null {
  try {
    const decoded = decodeGlobalID(globalId);
    return decoded.typename === typeName ? decoded.id : null;
  } catch {
    return null;
  }
}

/**
 * The shape a loader's row has is the ref's shape: the batch query is planned from the same selection the
 * entity's fields read. TypeScript cannot see that through the dynamic table name, hence the one assertion.
 */
function loadAs<Shape>(loader: DataLoader<string, EntityRow | null>, id: string): Promise<Shape | null> {
  return loader.load(id) as Promise<Shape | null>;
}

/** A Node entity's reference: by its global ID, or by its database id. */
type NodeReference = { id: string } | { databaseId: string };

function nodeEntity<Shape>(_ref: ObjectRef<BuilderTypes, Shape>, typeName: string, table: EntityTable) {
  return {
    key: [builder.selection<{ id: string }>("id"), builder.selection<{ databaseId: string }>("databaseId")],
    resolveReference: (ref: NodeReference, ctx: GraphQLContext, info: GraphQLResolveInfo) => {
      // Both keys name the same row, so both go through the one loader (one statement per type).
      const id = "databaseId" in ref ? ref.databaseId : rawIdOf(ref.id, typeName);
      if (id === null || !operationCanRead(ctx, typeName)) return null;
      return loadAs<Shape>(entityLoader(ctx, info, typeName, table), id);
    },
  };
}

/** `databaseId`: the row's primary key, the key other subgraphs store. */
function exposeDatabaseId(ref: Parameters<typeof builder.drizzleObjectField>[0]) {
  builder.drizzleObjectField(ref, "databaseId", (t) =>
    t.exposeID("id", {
      description:
        "The row's id in the database, the one inside the global `id`: other subgraphs reference the row by it.",
    }),
  );
}

for (const ref of [
  Organization,
  User,
  ResearchPlan,
  PlanStep,
  ResearchArtifact,
  ResearchOutput,
  DocumentChunk,
  AiModel,
]) {
  exposeDatabaseId(ref);
}
builder.asEntity(Organization, nodeEntity(Organization, "Organization", "organization"));
builder.asEntity(User, nodeEntity(User, "User", "user"));
builder.asEntity(ResearchPlan, nodeEntity(ResearchPlan, "ResearchPlan", "researchPlan"));
builder.asEntity(PlanStep, nodeEntity(PlanStep, "PlanStep", "planStep"));
builder.asEntity(ResearchArtifact, nodeEntity(ResearchArtifact, "ResearchArtifact", "researchArtifact"));
builder.asEntity(ResearchOutput, nodeEntity(ResearchOutput, "ResearchOutput", "researchOutput"));
builder.asEntity(DocumentChunk, nodeEntity(DocumentChunk, "DocumentChunk", "documentChunk"));
builder.asEntity(AiModel, nodeEntity(AiModel, "AiModel", "aiModel"));
