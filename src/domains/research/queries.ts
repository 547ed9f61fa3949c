import {
  mcpToolCallLog,
  researchArtifact,
  researchFeedback,
  researchOutput,
  researchPlan,
  skillExecution,
} from "../../../schema/index.js";
import { tenantRead } from "../../schema-builder/auth-scopes.js";
import { builder } from "../../schema-builder/builder.js";
import { findPageCounting, totalCountOf } from "../../schema-builder/connection-count.js";
import { artifactArgs, executionArgs, feedbackArgs, outputArgs, planArgs, toolCallArgs } from "./connection-args.js";
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

builder.queryFields((t) => ({
  researchPlans: t.drizzleConnection(
    {
      type: "researchPlan",
      description: "The organization's research plans; keyset-paginated, stable under concurrent inserts.",
      authScopes: tenantRead,
      args: planArgs.args,
      totalCount: (_root, args, ctx, info) => totalCountOf(ctx, info, researchPlan, planArgs.where(args)),
      resolve: (query, _root, args, ctx, info) => {
        const where = planArgs.where(args);
        return findPageCounting(ctx, info, researchPlan, where, (extras) =>
          ctx.tx.query.researchPlan.findMany(query({ where, orderBy: planArgs.orderBy(args), extras })),
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
      args: artifactArgs.args,
      totalCount: (_root, args, ctx, info) => totalCountOf(ctx, info, researchArtifact, artifactArgs.where(args)),
      resolve: (query, _root, args, ctx, info) => {
        const where = artifactArgs.where(args);
        return findPageCounting(ctx, info, researchArtifact, where, (extras) =>
          ctx.tx.query.researchArtifact.findMany(query({ where, orderBy: artifactArgs.orderBy(args), extras })),
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
      args: outputArgs.args,
      totalCount: (_root, args, ctx, info) => totalCountOf(ctx, info, researchOutput, outputArgs.where(args)),
      resolve: (query, _root, args, ctx, info) => {
        const where = outputArgs.where(args);
        return findPageCounting(ctx, info, researchOutput, where, (extras) =>
          ctx.tx.query.researchOutput.findMany(query({ where, orderBy: outputArgs.orderBy(args), extras })),
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
      args: feedbackArgs.args,
      totalCount: (_root, args, ctx, info) => totalCountOf(ctx, info, researchFeedback, feedbackArgs.where(args)),
      resolve: (query, _root, args, ctx, info) => {
        const where = feedbackArgs.where(args);
        return findPageCounting(ctx, info, researchFeedback, where, (extras) =>
          ctx.tx.query.researchFeedback.findMany(query({ where, orderBy: feedbackArgs.orderBy(args), extras })),
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
      args: executionArgs.args,
      totalCount: (_root, args, ctx, info) => totalCountOf(ctx, info, skillExecution, executionArgs.where(args)),
      resolve: (query, _root, args, ctx, info) => {
        const where = executionArgs.where(args);
        return findPageCounting(ctx, info, skillExecution, where, (extras) =>
          ctx.tx.query.skillExecution.findMany(query({ where, orderBy: executionArgs.orderBy(args), extras })),
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
      args: toolCallArgs.args,
      totalCount: (_root, args, ctx, info) => totalCountOf(ctx, info, mcpToolCallLog, toolCallArgs.where(args)),
      resolve: (query, _root, args, ctx, info) => {
        const where = toolCallArgs.where(args);
        return findPageCounting(ctx, info, mcpToolCallLog, where, (extras) =>
          ctx.tx.query.mcpToolCallLog.findMany(query({ where, orderBy: toolCallArgs.orderBy(args), extras })),
        );
      },
    },
    McpToolCallConnection,
  ),
}));
