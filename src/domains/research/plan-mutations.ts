import { and, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { type planStatusEnum, researchPlan } from "../../../schema/index.js";
import type { TenantTransaction } from "../../platform/db/index.js";
import { GatewayError } from "../../platform/errors.js";
import { actorId } from "../../schema-builder/actor.js";
import { tenantWrite } from "../../schema-builder/auth-scopes.js";
import { builder } from "../../schema-builder/builder.js";
import { optionalText, parseInput, text } from "../../schema-builder/validation.js";
import { diffOf, recordAudit } from "./audit.js";
import { PlanStatus } from "./enums.js";
import { ResearchPlan } from "./types.js";

// Mutations of research plans. Each runs in the operation's read-write tenant transaction: organization_id
// comes from the tenant setting (column default), RLS checks every row, and the audit entry is written in
// the same transaction, so a failed mutation leaves neither the change nor the entry.

type PlanStatusValue = (typeof planStatusEnum.enumValues)[number];

/** The plan's life: draft → running → completed | failed | cancelled (a draft may also be cancelled). */
export const planTransitions: Record<PlanStatusValue, readonly PlanStatusValue[]> = {
  draft: ["running", "cancelled"],
  running: ["completed", "failed", "cancelled"],
  completed: [],
  failed: [],
  cancelled: [],
};

const auditedPlanFields = ["title", "description", "status", "startedAt", "completedAt"] as const;

export const planNotFound = () => new GatewayError("NOT_FOUND", "No research plan with this ID.");

/**
 * Locks the plan row for the rest of the transaction (changes to one plan and its steps serialize; other
 * plans are untouched). Another tenant's plan is invisible to RLS, so it is "not found", like a missing one.
 */
export async function lockPlan(tx: TenantTransaction, planId: string) {
  const [plan] = await tx.select().from(researchPlan).where(eq(researchPlan.id, planId)).for("update");
  if (!plan) throw planNotFound();
  return plan;
}

/** Bumps the plan's version (steps changed, or the plan itself): stale writers then get CONFLICT. */
export async function touchPlan(tx: TenantTransaction, planId: string): Promise<void> {
  await tx
    .update(researchPlan)
    .set({ version: sql`${researchPlan.version} + 1`, updatedAt: new Date() })
    .where(eq(researchPlan.id, planId));
}

export const ResearchPlanPayload = builder.objectRef<{ planId: string }>("ResearchPlanPayload").implement({
  fields: (t) => ({
    plan: t.drizzleField({
      type: "researchPlan",
      // Re-read with the client's selection planned into one statement, on the same transaction.
      resolve: async (query, payload, _args, ctx) => {
        const plan = await ctx.tx.query.researchPlan.findFirst(query({ where: { id: payload.planId } }));
        if (!plan) throw planNotFound();
        return plan;
      },
    }),
  }),
});

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

function conflictIfStale(plan: { version: number }, expectedVersion: number | null | undefined): void {
  if (expectedVersion != null && plan.version !== expectedVersion) {
    throw new GatewayError("CONFLICT", "The plan changed since you read it: reload it and try again.", {
      expectedVersion,
      currentVersion: plan.version,
    });
  }
}

builder.mutationFields((t) => ({
  createResearchPlan: t.field({
    type: ResearchPlanPayload,
    description: "Creates a draft plan authored by the caller.",
    authScopes: tenantWrite,
    args: { input: t.arg({ type: CreateResearchPlanInput, required: true }) },
    resolve: async (_root, args, ctx) => {
      const actor = actorId(ctx);
      const input = parseInput(createPlanSchema, args.input);
      const [plan] = await ctx.tx
        .insert(researchPlan)
        .values({ title: input.title, description: input.description ?? null, authorId: actor })
        .returning();
      if (!plan) throw new Error("insert returned no row");
      await recordAudit(ctx.tx, {
        planId: plan.id,
        actorId: actor,
        action: "plan_created",
        diff: diffOf(null, plan, auditedPlanFields),
      });
      return { planId: plan.id };
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
      if (input.title === undefined && input.description === undefined) {
        throw new GatewayError("BAD_USER_INPUT", "Nothing to change: give a title or a description.");
      }
      const before = await lockPlan(ctx.tx, args.input.id.id);
      conflictIfStale(before, input.expectedVersion);
      const [after] = await ctx.tx
        .update(researchPlan)
        .set({
          ...(input.title !== undefined ? { title: input.title } : {}),
          ...(input.description !== undefined ? { description: input.description } : {}),
          version: sql`${researchPlan.version} + 1`,
          updatedAt: new Date(),
        })
        .where(and(eq(researchPlan.id, before.id), eq(researchPlan.version, before.version)))
        .returning();
      if (!after) throw new Error("locked plan vanished");
      await recordAudit(ctx.tx, {
        planId: before.id,
        actorId: actor,
        action: "plan_updated",
        diff: diffOf(before, after, auditedPlanFields),
      });
      return { planId: before.id };
    },
  }),

  transitionResearchPlan: t.field({
    type: ResearchPlanPayload,
    description: "Moves a plan along draft → running → completed | failed | cancelled.",
    authScopes: tenantWrite,
    args: { input: t.arg({ type: TransitionResearchPlanInput, required: true }) },
    resolve: async (_root, args, ctx) => {
      const actor = actorId(ctx);
      const before = await lockPlan(ctx.tx, args.input.id.id);
      conflictIfStale(before, args.input.expectedVersion);
      const to = args.input.to;
      const allowed = planTransitions[before.status];
      if (!allowed.includes(to)) {
        throw new GatewayError("CONFLICT", `A ${before.status} plan cannot become ${to}.`, {
          reason: "INVALID_TRANSITION",
          from: before.status,
          to,
          allowed: [...allowed],
        });
      }
      const now = new Date();
      const [after] = await ctx.tx
        .update(researchPlan)
        .set({
          status: to,
          version: sql`${researchPlan.version} + 1`,
          updatedAt: now,
          ...(to === "running" ? { startedAt: now } : {}),
          ...(to === "completed" || to === "failed" || to === "cancelled" ? { completedAt: now } : {}),
        })
        .where(eq(researchPlan.id, before.id))
        .returning();
      if (!after) throw new Error("locked plan vanished");
      await recordAudit(ctx.tx, {
        planId: before.id,
        actorId: actor,
        action: "plan_status_changed",
        diff: diffOf(before, after, auditedPlanFields),
      });
      return { planId: before.id };
    },
  }),

  deleteResearchPlan: t.field({
    type: DeleteResearchPlanPayload,
    description: "Deletes a draft plan with its steps. Plans that ran are kept: cancel them instead.",
    authScopes: tenantWrite,
    args: { input: t.arg({ type: DeleteResearchPlanInput, required: true }) },
    resolve: async (_root, args, ctx) => {
      const actor = actorId(ctx);
      const plan = await lockPlan(ctx.tx, args.input.id.id);
      if (plan.status !== "draft") {
        throw new GatewayError("CONFLICT", `Only draft plans can be deleted; this one is ${plan.status}.`, {
          reason: "NOT_DRAFT",
          status: plan.status,
        });
      }
      // The entry survives the plan (its plan_id becomes NULL), so the deletion stays on record.
      await recordAudit(ctx.tx, {
        planId: plan.id,
        actorId: actor,
        action: "plan_deleted",
        diff: diffOf(plan, null, auditedPlanFields),
      });
      await ctx.tx.delete(researchPlan).where(eq(researchPlan.id, plan.id));
      return { deletedPlanId: plan.id };
    },
  }),
}));
