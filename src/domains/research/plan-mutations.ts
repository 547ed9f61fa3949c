import { z } from "zod";
import { actorId } from "../../schema-builder/actor.js";
import { tenantWrite } from "../../schema-builder/auth-scopes.js";
import { builder } from "../../schema-builder/builder.js";
import { rowPayload } from "../../schema-builder/row-payload.js";
import { optionalText, parseInput, text } from "../../schema-builder/validation.js";
import { PlanStatus } from "./enums.js";
import { createPlan, deletePlan, planNotFound, transitionPlan, updatePlan } from "./plan-service.js";
import { ResearchPlan } from "./types.js";

// Mutations of research plans: parse the input, call the plan service (plan-service.ts: locks, versions,
// the plan's life, audit entries), answer with the plan re-read.

const ResearchPlanPayload = rowPayload("ResearchPlanPayload", "plan", "researchPlan", planNotFound);

const DeleteResearchPlanPayload = builder.objectRef<{ deletedPlanId: string }>("DeleteResearchPlanPayload").implement({
  fields: (t) => ({
    deletedPlanId: t.globalID({ resolve: (payload) => ({ type: "ResearchPlan", id: payload.deletedPlanId }) }),
  }),
});

const CreateResearchPlanInput = builder.inputType("CreateResearchPlanInput", {
  fields: (t) => ({
    title: t.string({ required: true, description: "1–200 characters." }),
    description: t.string({ required: false, description: "Up to 10,000 characters." }),
  }),
});
const createPlanSchema = z.object({ title: text(200), description: optionalText(10_000) });

const UpdateResearchPlanInput = builder.inputType("UpdateResearchPlanInput", {
  fields: (t) => ({
    id: t.globalID({ for: ResearchPlan, required: true }),
    expectedVersion: t.int({ required: true, description: "The version you last read; a newer one → CONFLICT." }),
    title: t.string({ required: false }),
    description: t.string({ required: false, description: "null clears it." }),
  }),
});
const updatePlanSchema = z.object({
  expectedVersion: z.number().int().min(1),
  title: text(200).optional(),
  description: optionalText(10_000),
});

const TransitionResearchPlanInput = builder.inputType("TransitionResearchPlanInput", {
  fields: (t) => ({
    id: t.globalID({ for: ResearchPlan, required: true }),
    to: t.field({ type: PlanStatus, required: true }),
    expectedVersion: t.int({ required: false, description: "When given, a newer version → CONFLICT." }),
  }),
});

const DeleteResearchPlanInput = builder.inputType("DeleteResearchPlanInput", {
  fields: (t) => ({ id: t.globalID({ for: ResearchPlan, required: true }) }),
});

builder.mutationFields((t) => ({
  createResearchPlan: t.field({
    type: ResearchPlanPayload,
    description: "Creates a draft plan authored by the caller.",
    authScopes: tenantWrite,
    args: { input: t.arg({ type: CreateResearchPlanInput, required: true }) },
    resolve: async (_root, args, ctx) => {
      const actor = actorId(ctx);
      const input = parseInput(createPlanSchema, args.input);
      const plan = await createPlan(ctx.tx, actor, input);
      return { id: plan.id };
    },
  }),

  updateResearchPlan: t.field({
    type: ResearchPlanPayload,
    description: "Changes a plan's title or description. Send the version you read: a stale one gets CONFLICT.",
    authScopes: tenantWrite,
    args: { input: t.arg({ type: UpdateResearchPlanInput, required: true }) },
    resolve: async (_root, args, ctx) => {
      const actor = actorId(ctx);
      const input = parseInput(updatePlanSchema, args.input);
      const plan = await updatePlan(ctx.tx, actor, args.input.id.id, input);
      return { id: plan.id };
    },
  }),

  transitionResearchPlan: t.field({
    type: ResearchPlanPayload,
    description: "Moves a plan along draft → running → completed | failed | cancelled.",
    authScopes: tenantWrite,
    args: { input: t.arg({ type: TransitionResearchPlanInput, required: true }) },
    resolve: async (_root, args, ctx) => {
      const actor = actorId(ctx);
      const plan = await transitionPlan(ctx.tx, actor, args.input.id.id, args.input.to, args.input.expectedVersion);
      return { id: plan.id };
    },
  }),

  deleteResearchPlan: t.field({
    type: DeleteResearchPlanPayload,
    description: "Deletes a draft plan with its steps. Plans that ran are kept: cancel them instead.",
    authScopes: tenantWrite,
    args: { input: t.arg({ type: DeleteResearchPlanInput, required: true }) },
    resolve: async (_root, args, ctx) => {
      const actor = actorId(ctx);
      const plan = await deletePlan(ctx.tx, actor, args.input.id.id);
      return { deletedPlanId: plan.id };
    },
  }),
}));
