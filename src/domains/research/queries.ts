import {
  mcpToolCallLog,
  type planStatusEnum,
  researchArtifact,
  researchFeedback,
  researchOutput,
  researchPlan,
  skillExecution,
} from "../../../schema/index.js";
import { tenantRead } from "../../schema-builder/auth-scopes.js";
import { builder } from "../../schema-builder/builder.js";
import { findPageCounting, totalCountOf } from "../../schema-builder/connection-count.js";
import { PlanStatus } from "./enums.js";
import {
  McpToolCallConnection,
  ResearchArtifactConnection,
  ResearchFeedbackConnection,
  ResearchOutputConnection,
  ResearchPlan,
  ResearchPlanConnection,
  SkillExecutionConnection,
} from "./types.js";

// Root fields of the research domain. Each resolver passes Pothos' planned selection (`query(...)`) to the
// operation's transaction, so a whole nested selection is one SQL statement, filtered by RLS.

const ResearchPlanFilter = builder.inputType("ResearchPlanFilter", {
  fields: (t) => ({
    status: t.field({ type: [PlanStatus], required: false, description: "Any of these statuses." }),
    authorId: t.id({ required: false, description: "Plans written by this user." }),
    titleContains: t.string({ required: false, description: "Case-insensitive substring of the title." }),
  }),
});

const ResearchPlanOrderField = builder.enumType("ResearchPlanOrderField", {
  values: { CREATED_AT: { value: "createdAt" }, UPDATED_AT: { value: "updatedAt" }, TITLE: { value: "title" } },
});
const OrderDirection = builder.enumType("OrderDirection", {
  values: { ASC: { value: "asc" }, DESC: { value: "desc" } },
});
const ResearchPlanOrder = builder.inputType("ResearchPlanOrder", {
  fields: (t) => ({
    field: t.field({ type: ResearchPlanOrderField, required: true }),
    direction: t.field({
      type: OrderDirection,
      required: false,
      description: "Default: ascending for TITLE, newest first (descending) for the dates.",
    }),
  }),
});

/** The direction a reader expects when none is given: A to Z for text, newest first for dates. */
const defaultPlanOrderDirection = { title: "asc", createdAt: "desc", updatedAt: "desc" } as const;

/** `%` and `_` in user text are literals, not wildcards. */
function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

interface PlanFilterArgs {
  status?: (typeof planStatusEnum.enumValues)[number][] | null;
  authorId?: string | number | null;
  titleContains?: string | null;
}

function planWhere(filter: PlanFilterArgs | null | undefined) {
  return {
    ...(filter?.status?.length ? { status: { in: filter.status } } : {}),
    ...(filter?.authorId ? { authorId: String(filter.authorId) } : {}),
    ...(filter?.titleContains ? { title: { ilike: likePattern(filter.titleContains) } } : {}),
  };
}

builder.queryFields((t) => ({
  researchPlans: t.drizzleConnection(
    {
      type: "researchPlan",
      description: "The organization's research plans; keyset-paginated, stable under concurrent inserts.",
      authScopes: tenantRead,
      args: {
        filter: t.arg({ type: ResearchPlanFilter, required: false }),
        orderBy: t.arg({ type: ResearchPlanOrder, required: false }),
      },
      totalCount: (_root, args, ctx, info) => totalCountOf(ctx, info, researchPlan, planWhere(args.filter)),
      resolve: (query, _root, args, ctx, info) => {
        const field = args.orderBy?.field ?? "createdAt";
        const direction = args.orderBy?.direction ?? defaultPlanOrderDirection[field];
        const where = planWhere(args.filter);
        return findPageCounting(ctx, info, researchPlan, where, (extras) =>
          ctx.tx.query.researchPlan.findMany(query({ where, orderBy: { [field]: direction }, extras })),
        );
      },
    },
    ResearchPlanConnection,
  ),
  researchPlan: t.drizzleField({
    type: "researchPlan",
    nullable: true,
    description: "One plan by its ID; null when it does not exist or belongs to another organization.",
    authScopes: tenantRead,
    args: { id: t.arg.globalID({ for: ResearchPlan, required: true }) },
    resolve: (query, _root, args, ctx) => ctx.tx.query.researchPlan.findFirst(query({ where: { id: args.id.id } })),
  }),
  researchArtifacts: t.drizzleConnection(
    {
      type: "researchArtifact",
      description: "Every artifact the organization collected, newest first.",
      authScopes: tenantRead,
      totalCount: (_root, _args, ctx, info) => totalCountOf(ctx, info, researchArtifact),
      resolve: (query, _root, _args, ctx, info) => {
        return findPageCounting(ctx, info, researchArtifact, undefined, (extras) =>
          ctx.tx.query.researchArtifact.findMany(query({ orderBy: { createdAt: "desc" }, extras })),
        );
      },
    },
    ResearchArtifactConnection,
  ),
  researchOutputs: t.drizzleConnection(
    {
      type: "researchOutput",
      description: "Published outputs, newest first.",
      authScopes: tenantRead,
      totalCount: (_root, _args, ctx, info) => totalCountOf(ctx, info, researchOutput),
      resolve: (query, _root, _args, ctx, info) => {
        return findPageCounting(ctx, info, researchOutput, undefined, (extras) =>
          ctx.tx.query.researchOutput.findMany(query({ orderBy: { createdAt: "desc" }, extras })),
        );
      },
    },
    ResearchOutputConnection,
  ),
  researchFeedback: t.drizzleConnection(
    {
      type: "researchFeedback",
      description: "Feedback on outputs, newest first.",
      authScopes: tenantRead,
      totalCount: (_root, _args, ctx, info) => totalCountOf(ctx, info, researchFeedback),
      resolve: (query, _root, _args, ctx, info) => {
        return findPageCounting(ctx, info, researchFeedback, undefined, (extras) =>
          ctx.tx.query.researchFeedback.findMany(query({ orderBy: { createdAt: "desc" }, extras })),
        );
      },
    },
    ResearchFeedbackConnection,
  ),
  skillExecutions: t.drizzleConnection(
    {
      type: "skillExecution",
      description: "Skill executions, most recent first.",
      authScopes: tenantRead,
      totalCount: (_root, _args, ctx, info) => totalCountOf(ctx, info, skillExecution),
      resolve: (query, _root, _args, ctx, info) => {
        return findPageCounting(ctx, info, skillExecution, undefined, (extras) =>
          ctx.tx.query.skillExecution.findMany(query({ orderBy: { startedAt: "desc" }, extras })),
        );
      },
    },
    SkillExecutionConnection,
  ),
  mcpToolCalls: t.drizzleConnection(
    {
      type: "mcpToolCallLog",
      description: "MCP tool calls, most recent first.",
      authScopes: tenantRead,
      totalCount: (_root, _args, ctx, info) => totalCountOf(ctx, info, mcpToolCallLog),
      resolve: (query, _root, _args, ctx, info) => {
        return findPageCounting(ctx, info, mcpToolCallLog, undefined, (extras) =>
          ctx.tx.query.mcpToolCallLog.findMany(query({ orderBy: { createdAt: "desc" }, extras })),
        );
      },
    },
    McpToolCallConnection,
  ),
}));
