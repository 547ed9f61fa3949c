import type { LiveEvent } from "../../platform/live/updates.js";
import { tenantRead } from "../../schema-builder/auth-scopes.js";
import { builder } from "../../schema-builder/builder.js";
import { liveEvents } from "../../schema-builder/live.js";
import { ResearchPlan } from "./types.js";

// Live updates of the research domain (docs/live-updates.md). Each field's `subscribe` listens to committed
// changes of the caller's organization (ids only, from the tables' NOTIFY trigger); its `resolve` re-reads the
// row through the delivery's own read-only tenant transaction, so RLS filters it. A resolve that finds nothing
// (a row another tenant owns, or already deleted) answers null, and a null delivery is not sent.

const planTables: readonly string[] = [
  "research_plan",
  "plan_step",
  "plan_branching_condition",
  "skill_execution",
  "research_output",
];

const ResearchPlanEventKind = builder.enumType("ResearchPlanEventKind", {
  description: "What happened to a plan.",
  values: {
    CREATED: { value: "insert" },
    STATUS_CHANGED: { value: "status" },
    DELETED: { value: "delete" },
  },
});
type PlanEventKind = "insert" | "status" | "delete";

const ResearchPlanEventFilter = builder.inputType("ResearchPlanEventFilter", {
  fields: (t) => ({
    kinds: t.field({ type: [ResearchPlanEventKind], required: false, description: "Only these kinds (default: all)." }),
  }),
});

interface PlanEvent {
  kind: PlanEventKind;
  planId: string;
}

const ResearchPlanEvent = builder.objectRef<PlanEvent>("ResearchPlanEvent").implement({
  description: "A plan of the organization was created, changed status or was deleted.",
  fields: (t) => ({
    kind: t.field({ type: ResearchPlanEventKind, resolve: (event) => event.kind }),
    planId: t.globalID({
      description: "The plan's global ID (also for a deleted plan).",
      resolve: (event) => ({ type: "ResearchPlan", id: event.planId }),
    }),
    plan: t.drizzleField({
      type: "researchPlan",
      nullable: true,
      description: "The plan as it is now; null once deleted.",
      resolve: (query, event, _args, ctx) =>
        event.kind === "delete" ? null : ctx.tx.query.researchPlan.findFirst(query({ where: { id: event.planId } })),
    }),
  }),
});

function isPlanEventKind(op: LiveEvent["op"]): op is PlanEventKind {
  return op === "insert" || op === "status" || op === "delete";
}

builder.subscriptionFields((t) => ({
  researchPlanUpdated: t.drizzleField({
    type: "researchPlan",
    nullable: true,
    description:
      "The plan, re-read after each committed change to it, its steps, branching conditions, skill executions or outputs.",
    authScopes: tenantRead,
    args: { id: t.arg.globalID({ for: ResearchPlan, required: true }) },
    subscribe: (_root, args, ctx) =>
      liveEvents(
        ctx,
        (event) => event.planId === args.id.id && planTables.includes(event.table),
        // Every change of the plan re-reads the same thing: the queue keeps one.
        () => "plan",
      ),
    resolve: (query, _event, args, ctx) => ctx.tx.query.researchPlan.findFirst(query({ where: { id: args.id.id } })),
  }),
  researchPlanEvents: t.field({
    type: ResearchPlanEvent,
    nullable: true,
    description: "The organization's plans as they are created, change status or are deleted.",
    authScopes: tenantRead,
    args: { filter: t.arg({ type: ResearchPlanEventFilter, required: false }) },
    subscribe: (_root, args, ctx) => {
      const kinds = args.filter?.kinds?.length ? args.filter.kinds : null;
      return liveEvents(
        ctx,
        (event) =>
          event.table === "research_plan" && isPlanEventKind(event.op) && (kinds === null || kinds.includes(event.op)),
      );
    },
    resolve: async (event: LiveEvent, _args, ctx) => {
      if (!isPlanEventKind(event.op)) return null;
      if (event.op !== "delete") {
        // Seen by the subscriber now (RLS), or nothing is delivered.
        const row = await ctx.tx.query.researchPlan.findFirst({ where: { id: event.id }, columns: { id: true } });
        if (!row) return null;
      }
      return { kind: event.op, planId: event.id };
    },
  }),
  skillExecutionProgress: t.drizzleField({
    type: "skillExecution",
    nullable: true,
    description: "The plan's skill executions as they start, report and finish.",
    authScopes: tenantRead,
    args: { planId: t.arg.globalID({ for: ResearchPlan, required: true }) },
    subscribe: (_root, args, ctx) =>
      liveEvents(ctx, (event) => event.table === "skill_execution" && event.planId === args.planId.id),
    // The root value of a delivery is its source event (plugin-drizzle types it as the root object).
    resolve: (query, root, _args, ctx) =>
      ctx.tx.query.skillExecution.findFirst(query({ where: { id: (root as LiveEvent).id } })),
  }),
}));
