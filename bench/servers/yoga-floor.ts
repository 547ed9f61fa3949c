// The Yoga floor: the fastest a gateway served by graphql-yoga (graphql-js execution) can be on these
// workloads. Bare Yoga (its defaults: parse and validation caches, masked errors; logging, GraphiQL and
// the landing page off) on node:http, with a hand-written schema in our gateway's shape. Every operation's
// one root field runs the baseline's hand-written statement (bench/servers/statements.ts: the response
// JSON built by PostgreSQL, in the same tenant transaction), chosen by operation name as a perfect
// planner would emit it; graphql-js then walks that JSON with its default resolvers. No Pothos, no
// Drizzle, no limits or audit: what remains is the cost of HTTP, Yoga and graphql-js execution.
//
//   POST /graphql with ours' W1–W6 documents (raw row ids instead of Relay ids).
//   PORT, APP_DATABASE_URL, AUTH_DATABASE_URL, POOL_SIZE; FLOOR_JIT=1 executes with graphql-jit instead
//   (system `yoga_floor_jit`): each document compiled once to a function, as a planner-based design would.

import { createServer, type IncomingMessage } from "node:http";
import { useGraphQlJit } from "@envelop/graphql-jit";
import { GraphQLScalarType } from "graphql";
import { createSchema, createYoga } from "graphql-yoga";
import postgres from "postgres";
import { identify, type TenantIdentity } from "./auth.js";
import { benchServerEnvironment, listenUntilSignalled } from "./environment.js";
import { runStatement, type Statement, statements, type Variables } from "./statements.js";

const { port, poolSize, appDatabaseUrl, authSql } = benchServerEnvironment();
const appSql = postgres(appDatabaseUrl, { max: poolSize, onnotice: () => {} });

const typeDefs = /* GraphQL */ `
  type Query {
    researchPlan(id: ID!): ResearchPlan
    researchPlans(first: Int, after: String): ResearchPlanConnection!
  }
  type Mutation {
    addPlanStep(input: AddPlanStepInput!): AddPlanStepPayload!
  }
  input AddPlanStepInput {
    planId: ID!
    title: String!
  }
  scalar JSON
  type ResearchPlan {
    id: ID!
    title: String!
    description: String
    status: String!
    version: Int!
    createdAt: String!
    steps(first: Int): PlanStepConnection!
    artifacts(first: Int): ResearchArtifactConnection!
    outputs(first: Int): ResearchOutputConnection!
  }
  type ResearchPlanConnection {
    totalCount: Int!
    pageInfo: PageInfo!
    nodes: [ResearchPlan!]!
  }
  type PageInfo {
    hasNextPage: Boolean!
    endCursor: String
  }
  type PlanStep {
    id: ID!
    position: Int!
    title: String!
    status: String!
    branchingConditions(first: Int): BranchingConditionConnection!
  }
  type PlanStepConnection {
    nodes: [PlanStep!]!
  }
  type BranchingCondition {
    id: ID!
    label: String
    priority: Int!
    rule: BranchingRule!
    targetStep: PlanStep!
  }
  type BranchingConditionConnection {
    nodes: [BranchingCondition!]!
  }
  type BranchingRule {
    kind: String!
    equals: String
    expression: String
  }
  type ResearchArtifact {
    id: ID!
    title: String!
    kind: String!
    extractionResults(first: Int): ExtractionResultConnection!
  }
  type ResearchArtifactConnection {
    nodes: [ResearchArtifact!]!
  }
  type ExtractionResult {
    id: ID!
    confidence: Float
    values: JSON!
  }
  type ExtractionResultConnection {
    nodes: [ExtractionResult!]!
  }
  type ResearchOutput {
    id: ID!
    title: String!
    format: String!
    publishedAt: String
    feedback(first: Int): ResearchFeedbackConnection!
  }
  type ResearchOutputConnection {
    nodes: [ResearchOutput!]!
  }
  type ResearchFeedback {
    id: ID!
    rating: Int!
    comment: String
  }
  type ResearchFeedbackConnection {
    nodes: [ResearchFeedback!]!
  }
  type AddPlanStepPayload {
    step: PlanStep!
    plan: ResearchPlan!
  }
`;

interface FloorContext {
  identity: TenantIdentity;
}

/** The statement a perfect planner would emit for each workload's document. */
function statementFor(operationName: string | undefined, variables: Variables): Statement {
  const path =
    operationName === "W4" ? (typeof variables.after === "string" ? "/w4" : "/w4-first") : `/${operationName}`;
  const statement = statements[path.toLowerCase()];
  if (!statement) throw new Error(`the floor has no statement for operation ${operationName}`);
  return statement;
}

async function rootField(
  field: string,
  variables: Variables,
  context: FloorContext,
  operationName: string | undefined,
): Promise<unknown> {
  const body = await runStatement(appSql, statementFor(operationName, variables), variables, context.identity);
  const parsed = JSON.parse(body) as { data: Record<string, unknown> | null };
  return parsed.data?.[field] ?? null;
}

const yoga = createYoga<{ req: IncomingMessage }, FloorContext>({
  schema: createSchema<FloorContext & { req: IncomingMessage }>({
    typeDefs,
    resolvers: {
      // The statement built the JSON: a value is passed through as it is.
      JSON: new GraphQLScalarType({ name: "JSON", serialize: (value) => value }),
      Query: {
        researchPlan: (_root, args: { id: string }, context, info) =>
          rootField("researchPlan", args, context, info.operation.name?.value),
        researchPlans: (_root, args: { after?: string | null }, context, info) =>
          rootField("researchPlans", args, context, info.operation.name?.value),
      },
      Mutation: {
        addPlanStep: (_root, args: { input: Variables }, context, info) =>
          rootField("addPlanStep", args.input, context, info.operation.name?.value),
      },
    },
  }),
  // The same look-up as PostGraphile's grafast.context: once per request, before execution.
  context: async ({ req }) => ({
    identity: await identify(authSql, req.headers.authorization, req.headers["x-organization-id"]),
  }),
  plugins: process.env.FLOOR_JIT === "1" ? [useGraphQlJit()] : [],
  logging: false,
  graphiql: false,
  landingPage: false,
});

listenUntilSignalled(createServer(yoga), port, () =>
  Promise.all([appSql.end({ timeout: 2 }), authSql.end({ timeout: 2 })]),
);
