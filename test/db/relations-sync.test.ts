import { defineRelations } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { relations } from "../../schema/relations.js";
import { organization, session, user } from "../../schema/tables.js";
import { relationForeignKeyMismatches } from "../support/relations-sync.js";
import { drizzleTables } from "../support/tenant-schema.js";

// Pothos and the relational query builder join through schema/relations.ts; the database joins through foreign
// keys. This keeps the two in step: no foreign key without its relation, no relation without its foreign key.

describe("relations ↔ foreign keys", () => {
  const tables = drizzleTables.map((t) => t.table);

  it("reads foreign keys and relations from the schema (not an empty comparison)", () => {
    const relationCount = Object.values(relations).reduce((n, entry) => n + Object.keys(entry.relations).length, 0);
    expect(relationCount).toBeGreaterThan(50);
    expect(tables.length).toBeGreaterThan(20);
  });

  it("every foreign key has a relation with exactly its columns, and every relation a foreign key", () => {
    const mismatches = relationForeignKeyMismatches(tables, relations);
    expect(mismatches, `relations and foreign keys disagree:\n  ${mismatches.join("\n  ")}`).toEqual([]);
  });

  it("reports a foreign key without relation and a relation without foreign key (self-check)", () => {
    const partial = defineRelations({ user, session, organization }, (r) => ({
      session: {
        user: r.one.user({ from: r.session.userId, to: r.user.id }),
        // Joins on columns no foreign key links.
        namesake: r.one.user({ from: r.session.userAgent, to: r.user.name }),
      },
    }));
    expect(relationForeignKeyMismatches([user, session, organization], partial)).toEqual([
      "foreign key session_active_organization_id_organization_id_fk session(active_organization_id) → organization(id) has no relation joining exactly these columns",
      "relation session.namesake session(user_agent) → user(name) has no foreign key in either direction",
    ]);
  });

  it("does not accept a relation that joins only part of a composite foreign key (self-check)", () => {
    const { planStep, researchPlan } = Object.fromEntries(drizzleTables.map((t) => [t.exportName, t.table]));
    if (!planStep || !researchPlan) throw new Error("plan tables missing");
    const partial = defineRelations({ planStep, researchPlan }, (r) => ({
      planStep: {
        organization: r.one.researchPlan({ from: r.planStep.organizationId, to: r.researchPlan.organizationId }),
        plan: r.one.researchPlan({ from: r.planStep.planId, to: r.researchPlan.id }),
      },
    }));
    const mismatches = relationForeignKeyMismatches([planStep], partial);
    expect(mismatches).toContain(
      "foreign key plan_step_plan_fkey plan_step(organization_id, plan_id) → research_plan(organization_id, id) has no relation joining exactly these columns",
    );
    expect(mismatches).toContain(
      "relation planStep.plan plan_step(plan_id) → research_plan(id) has no foreign key in either direction",
    );
  });
});
