import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backendName } from "../support/database.js";
import { type Caller, createTestGateway, demoPat, type TestGateway } from "../support/gateway.js";
import {
  acmeIds,
  auditActions,
  decodeGlobalId,
  expectError,
  expectOk,
  globalId,
  initechIds,
  patWith,
  run,
  snapshot,
} from "./helpers.js";

// The lead's step and branching-condition mutations: dense positions (also under concurrent reorders),
// audit entries, validation, tenant isolation, and atomicity.

const planGid = (id: string) => globalId("ResearchPlan", id);
const stepGid = (id: string) => globalId("PlanStep", id);
const conditionGid = (id: string) => globalId("PlanBranchingCondition", id);

const addStep = /* GraphQL */ `
  mutation ($input: AddPlanStepInput!) {
    addPlanStep(input: $input) { step { id position title instructions } plan { version stepCount } }
  }`;
const updateStep = /* GraphQL */ `
  mutation ($input: UpdatePlanStepInput!) {
    updatePlanStep(input: $input) {
      step { id title instructions status startedAt completedAt executionReport { summary durationMs tokensUsed warnings } }
    }
  }`;
const moveStep = /* GraphQL */ `
  mutation ($input: MovePlanStepInput!) { movePlanStep(input: $input) { step { id position } } }`;
const removeStep = /* GraphQL */ `
  mutation ($input: RemovePlanStepInput!) { removePlanStep(input: $input) { deletedStepId plan { stepCount } } }`;
const setCondition = /* GraphQL */ `
  mutation ($input: SetBranchingConditionInput!) {
    setBranchingCondition(input: $input) {
      condition { id label priority rule { kind equals expression } step { id } targetStep { id } }
    }
  }`;
const removeCondition = /* GraphQL */ `
  mutation ($input: RemoveBranchingConditionInput!) {
    removeBranchingCondition(input: $input) { deletedConditionId step { id } }
  }`;

/** The statements that read or write data: not BEGIN/COMMIT/SET TRANSACTION, not the tenant's settings. */
function dataStatementsOf(statements: string[]): string[] {
  return statements.filter((s) => !/^(begin|commit|rollback|set transaction)\b|set_config\(/i.test(s.trim()));
}

interface StepShape {
  id: string;
  position: number;
  title: string;
  instructions: string | null;
  status: string;
  startedAt: string | null;
  completedAt: string | null;
  executionReport: Record<string, unknown> | null;
}

describe(`plan step and branching mutations on ${backendName}`, () => {
  let gw: TestGateway;

  beforeAll(async () => {
    gw = await createTestGateway();
  });
  afterAll(() => gw?.cleanup());

  /** A fresh plan with `count` steps titled s1..sN: { plan id, step ids in order }. */
  async function planWithSteps(count: number): Promise<{ plan: string; planId: string; steps: string[] }> {
    const created = expectOk(
      await run<{ createResearchPlan: { plan: { id: string } } }>(
        gw,
        demoPat,
        `mutation { createResearchPlan(input: { title: "Steps" }) { plan { id } } }`,
      ),
    );
    const plan = created.createResearchPlan.plan.id;
    const steps: string[] = [];
    for (let i = 1; i <= count; i++) {
      const added = expectOk(
        await run<{ addPlanStep: { step: StepShape } }>(gw, demoPat, addStep, {
          input: { planId: plan, title: `s${i}` },
        }),
      );
      steps.push(added.addPlanStep.step.id);
    }
    return { plan, planId: decodeGlobalId(plan).id, steps };
  }

  /** Titles by position, and positions, as the owner. */
  async function order(planId: string): Promise<{ titles: string[]; positions: number[] }> {
    const rows = await gw.db.asOwner<{ title: string; position: number }>(
      sql`select title, position from plan_step where plan_id = ${planId} order by position`,
    );
    return { titles: rows.map((r) => r.title), positions: rows.map((r) => Number(r.position)) };
  }

  async function refused(query: string, input: unknown, code: string, field?: string, as: Caller = demoPat) {
    const before = await snapshot(gw.db);
    const response = await run(gw, as, query, { input });
    const error = expectError(response, code, field);
    expect(await snapshot(gw.db)).toEqual(before);
    return error;
  }

  describe("addPlanStep", () => {
    it("appends by default, inserts at a position (later steps move down), bumps the plan's version", async () => {
      const { plan, planId } = await planWithSteps(2);
      const data = expectOk(
        await run<{ addPlanStep: { step: StepShape; plan: { version: number; stepCount: number } } }>(
          gw,
          demoPat,
          addStep,
          { input: { planId: plan, title: "first", instructions: "Go.", position: 1 } },
        ),
      );
      expect(data.addPlanStep.step).toMatchObject({ position: 1, title: "first", instructions: "Go." });
      expect(data.addPlanStep.plan).toEqual({ version: 4, stepCount: 3 });
      expect(await order(planId)).toEqual({ titles: ["first", "s1", "s2"], positions: [1, 2, 3] });
      // A position past the end appends, and appending moves no other step: no step is updated.
      const appended = await gw.countStatements(() =>
        run(gw, demoPat, addStep, { input: { planId: plan, title: "last", position: 99 } }),
      );
      expectOk(appended.result);
      expect(appended.statements.filter((s) => /^update "plan_step"/.test(s))).toEqual([]);
      expect(await order(planId)).toEqual({ titles: ["first", "s1", "s2", "last"], positions: [1, 2, 3, 4] });
      expect(await auditActions(gw.db, planId)).toEqual([
        "plan_created",
        "step_added",
        "step_added",
        "step_added",
        "step_added",
      ]);
    });

    it.each([
      ["an empty title", { title: "" }, "title"],
      ["instructions over 10,000 characters", { instructions: "x".repeat(10_001) }, "instructions"],
      ["a position of 0", { position: 0 }, "position"],
    ])("refuses %s (BAD_USER_INPUT)", async (_label, change, field) => {
      const { plan } = await planWithSteps(0);
      await refused(addStep, { planId: plan, title: "ok", ...change }, "BAD_USER_INPUT", field);
    });

    it("answers another tenant's plan with NOT_FOUND, writing nothing", async () => {
      await refused(addStep, { planId: planGid(initechIds.plan), title: "Injected" }, "NOT_FOUND");
    });

    it("appends in 3 data statements with the bench's W5 selection, answering from what RETURNING gave", async () => {
      const { plan, planId } = await planWithSteps(2);
      const w5 = /* GraphQL */ `
        mutation ($input: AddPlanStepInput!) {
          addPlanStep(input: $input) { step { id position title status } plan { version } }
        }`;
      const { result, statements } = await gw.countStatements(() =>
        run<{ addPlanStep: { step: StepShape; plan: { version: number } } }>(gw, demoPat, w5, {
          input: { planId: plan, title: "third" },
        }),
      );
      const data = dataStatementsOf(statements);
      // Lock and bump the plan; read the order; insert the step with its audit entry.
      expect(data, data.join("\n")).toHaveLength(3);
      const added = expectOk(result).addPlanStep;
      expect(added.step).toMatchObject({ position: 3, title: "third", status: "PENDING" });
      // The same as reading both back.
      const read = expectOk(
        await run<{ node: { position: number; title: string; status: string }; researchPlan: { version: number } }>(
          gw,
          demoPat,
          `query ($step: ID!, $plan: ID!) {
            node(id: $step) { ... on PlanStep { id position title status } }
            researchPlan(id: $plan) { version }
          }`,
          { step: added.step.id, plan },
        ),
      );
      expect(read.node).toEqual(added.step);
      expect(added.plan).toEqual(read.researchPlan);
      expect(read.researchPlan.version).toBe(4);
      expect(await auditActions(gw.db, planId)).toEqual(["plan_created", "step_added", "step_added", "step_added"]);
    });

    it.each([
      [
        "every column (answered from RETURNING)",
        `id position title instructions status executionReport { summary } startedAt completedAt createdAt updatedAt`,
        `id title description status version createdAt updatedAt startedAt completedAt`,
        3,
      ],
      [
        "relations and computed fields (read again)",
        `id position createdAt updatedAt plan { id version } branchingConditions { totalCount }`,
        `id version updatedAt stepCount author { name }`,
        undefined,
      ],
    ])(
      "answers a selection of %s as a read afterwards does",
      async (_label, stepFields, planFields, dataStatements) => {
        const { plan } = await planWithSteps(1);
        const { result, statements } = await gw.countStatements(() =>
          run<{ addPlanStep: { step: { id: string }; plan: unknown } }>(
            gw,
            demoPat,
            `mutation ($input: AddPlanStepInput!) {
            addPlanStep(input: $input) { step { ${stepFields} } plan { ${planFields} } }
          }`,
            { input: { planId: plan, title: "second", instructions: "Go." } },
          ),
        );
        const added = expectOk(result).addPlanStep;
        if (dataStatements !== undefined) {
          const data = dataStatementsOf(statements);
          expect(data, data.join("\n")).toHaveLength(dataStatements);
        }
        const read = expectOk(
          await run<{ node: unknown; researchPlan: unknown }>(
            gw,
            demoPat,
            `query ($step: ID!, $plan: ID!) {
            node(id: $step) { ... on PlanStep { ${stepFields} } }
            researchPlan(id: $plan) { ${planFields} }
          }`,
            { step: added.step.id, plan },
          ),
        );
        expect(added).toEqual({ step: read.node, plan: read.researchPlan });
      },
    );

    it("keeps positions exactly 1..n under 10 concurrent appends to one plan", async () => {
      const { plan, planId } = await planWithSteps(2);
      const responses = await Promise.all(
        Array.from({ length: 10 }, (_, i) => run(gw, demoPat, addStep, { input: { planId: plan, title: `c${i}` } })),
      );
      for (const response of responses) expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
      const { positions } = await order(planId);
      expect(positions).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
      const versions = responses.map(
        (response) => (response.data as { addPlanStep: { plan: { version: number } } }).addPlanStep.plan.version,
      );
      // Each answer is its own bump: versions 4..13, one each.
      expect([...versions].sort((a, b) => a - b)).toEqual(Array.from({ length: 10 }, (_, i) => i + 4));
    });
  });

  describe("updatePlanStep", () => {
    it("changes title, status and execution report; stamps startedAt and completedAt", async () => {
      const { steps, planId } = await planWithSteps(1);
      const running = expectOk(
        await run<{ updatePlanStep: { step: StepShape } }>(gw, demoPat, updateStep, {
          input: { id: steps[0], status: "RUNNING", title: "Renamed" },
        }),
      );
      expect(running.updatePlanStep.step).toMatchObject({ title: "Renamed", status: "RUNNING", completedAt: null });
      expect(running.updatePlanStep.step.startedAt).toEqual(expect.any(String));
      const done = expectOk(
        await run<{ updatePlanStep: { step: StepShape } }>(gw, demoPat, updateStep, {
          input: {
            id: steps[0],
            status: "COMPLETED",
            executionReport: { summary: "Done.", durationMs: 1500, tokensUsed: 300, warnings: ["slow source"] },
          },
        }),
      );
      expect(done.updatePlanStep.step).toMatchObject({
        status: "COMPLETED",
        executionReport: { summary: "Done.", durationMs: 1500, tokensUsed: 300, warnings: ["slow source"] },
      });
      expect(done.updatePlanStep.step.completedAt).toEqual(expect.any(String));
      expect(await auditActions(gw.db, planId)).toEqual(["plan_created", "step_added", "step_updated", "step_updated"]);
    });

    it.each([
      ["an empty title", { title: "" }, "title"],
      ["an empty report summary", { executionReport: { summary: "" } }, "executionReport.summary"],
      ["negative tokens", { executionReport: { summary: "s", tokensUsed: -1 } }, "executionReport.tokensUsed"],
      [
        "more than 50 warnings",
        { executionReport: { summary: "s", warnings: Array.from({ length: 51 }, () => "w") } },
        "executionReport.warnings",
      ],
    ])("refuses %s (BAD_USER_INPUT)", async (_label, change, field) => {
      const { steps } = await planWithSteps(1);
      await refused(updateStep, { id: steps[0], ...change }, "BAD_USER_INPUT", field);
    });

    it("refuses an unknown status (BAD_USER_INPUT) and another tenant's step (NOT_FOUND)", async () => {
      const { steps } = await planWithSteps(1);
      await refused(updateStep, { id: steps[0], status: "DONE" }, "BAD_USER_INPUT");
      await refused(updateStep, { id: stepGid(initechIds.step), title: "Mine" }, "NOT_FOUND");
    });
  });

  describe("movePlanStep", () => {
    it("moves a step; the others shift and positions stay 1..n", async () => {
      const { steps, planId } = await planWithSteps(4);
      const data = expectOk(
        await run<{ movePlanStep: { step: StepShape } }>(gw, demoPat, moveStep, {
          input: { id: steps[3], position: 1 },
        }),
      );
      expect(data.movePlanStep.step.position).toBe(1);
      expect(await order(planId)).toEqual({ titles: ["s4", "s1", "s2", "s3"], positions: [1, 2, 3, 4] });
      expectOk(await run(gw, demoPat, moveStep, { input: { id: steps[3], position: 4 } }));
      expect((await order(planId)).titles).toEqual(["s1", "s2", "s3", "s4"]);
      const [entry] = await gw.db.asOwner<{ diff: unknown }>(
        sql`select diff from plan_audit_log where plan_id = ${planId} and action = 'step_moved' order by created_at limit 1`,
      );
      expect(entry?.diff).toEqual({
        before: { stepId: decodeGlobalId(steps[3] as string).id, position: 4 },
        after: { stepId: decodeGlobalId(steps[3] as string).id, position: 1 },
      });
    });

    it.each([0, 5, -1])("refuses position %i outside 1..n (BAD_USER_INPUT)", async (position) => {
      const { steps } = await planWithSteps(4);
      await refused(moveStep, { id: steps[0], position }, "BAD_USER_INPUT", "position");
    });

    it("answers another tenant's step with NOT_FOUND, writing nothing", async () => {
      await refused(moveStep, { id: stepGid(initechIds.secondStep), position: 1 }, "NOT_FOUND");
    });

    it("keeps positions exactly 1..n under 20 concurrent reorders of one plan", async () => {
      const { steps, planId } = await planWithSteps(6);
      const [{ version: versionBefore } = { version: 0 }] = await gw.db.asOwner<{ version: number }>(
        sql`select version from research_plan where id = ${planId}`,
      );
      const moves = Array.from({ length: 20 }, (_, i) => ({
        id: steps[i % steps.length],
        position: ((i * 7) % 6) + 1,
      }));
      const responses = await Promise.all(moves.map((input) => run(gw, demoPat, moveStep, { input })));
      for (const response of responses) expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
      const { positions, titles } = await order(planId);
      expect(positions).toEqual([1, 2, 3, 4, 5, 6]);
      expect([...titles].sort()).toEqual(["s1", "s2", "s3", "s4", "s5", "s6"]);
      const [{ version: versionAfter } = { version: 0 }] = await gw.db.asOwner<{ version: number }>(
        sql`select version from research_plan where id = ${planId}`,
      );
      expect(Number(versionAfter) - Number(versionBefore)).toBe(20);
      expect((await auditActions(gw.db, planId)).filter((a) => a === "step_moved")).toHaveLength(20);
    });
  });

  describe("removePlanStep", () => {
    it("removes a step with its conditions; later steps move up", async () => {
      const { steps, planId } = await planWithSteps(3);
      expectOk(
        await run(gw, demoPat, setCondition, {
          input: { stepId: steps[1], targetStepId: steps[2], rule: { kind: "ALWAYS" } },
        }),
      );
      const data = expectOk(
        await run<{ removePlanStep: { deletedStepId: string; plan: { stepCount: number } } }>(gw, demoPat, removeStep, {
          input: { id: steps[1] },
        }),
      );
      expect(data.removePlanStep).toEqual({ deletedStepId: steps[1], plan: { stepCount: 2 } });
      expect(await order(planId)).toEqual({ titles: ["s1", "s3"], positions: [1, 2] });
      const conditions = await gw.db.asOwner(
        sql`select id from plan_branching_condition where step_id = ${decodeGlobalId(steps[1] as string).id}`,
      );
      expect(conditions).toEqual([]);
      expect((await auditActions(gw.db, planId)).at(-1)).toBe("step_removed");
    });

    it("answers another tenant's step with NOT_FOUND, writing nothing", async () => {
      await refused(removeStep, { id: stepGid(initechIds.step) }, "NOT_FOUND");
    });
  });

  describe("setBranchingCondition and removeBranchingCondition", () => {
    it("creates a condition, replaces it by id, and removes it, each audited", async () => {
      const { steps, planId } = await planWithSteps(3);
      const created = expectOk(
        await run<{ setBranchingCondition: { condition: Record<string, unknown> & { id: string } } }>(
          gw,
          demoPat,
          setCondition,
          {
            input: {
              stepId: steps[0],
              targetStepId: steps[2],
              rule: { kind: "STATUS", equals: "FAILED" },
              label: "on failure",
              priority: 2,
            },
          },
        ),
      );
      expect(created.setBranchingCondition.condition).toMatchObject({
        label: "on failure",
        priority: 2,
        rule: { kind: "status", equals: "failed", expression: null },
        step: { id: steps[0] },
        targetStep: { id: steps[2] },
      });
      const id = created.setBranchingCondition.condition.id;
      const replaced = expectOk(
        await run<{ setBranchingCondition: { condition: Record<string, unknown> } }>(gw, demoPat, setCondition, {
          input: {
            id,
            stepId: steps[0],
            targetStepId: steps[1],
            rule: { kind: "EXPRESSION", expression: "score > 0.5" },
          },
        }),
      );
      expect(replaced.setBranchingCondition.condition).toMatchObject({
        id,
        label: null,
        priority: 0,
        rule: { kind: "expression", expression: "score > 0.5" },
        targetStep: { id: steps[1] },
      });
      const removed = expectOk(
        await run<{ removeBranchingCondition: { deletedConditionId: string; step: { id: string } } }>(
          gw,
          demoPat,
          removeCondition,
          { input: { id } },
        ),
      );
      expect(removed.removeBranchingCondition).toEqual({ deletedConditionId: id, step: { id: steps[0] } });
      expect((await auditActions(gw.db, planId)).slice(-3)).toEqual([
        "condition_set",
        "condition_set",
        "condition_removed",
      ]);
    });

    it.each([
      ["a STATUS rule without a status", { rule: { kind: "STATUS" } }, "rule.equals"],
      [
        "a STATUS rule on a status that does not end a step",
        { rule: { kind: "STATUS", equals: "RUNNING" } },
        "rule.equals",
      ],
      ["an EXPRESSION rule without an expression", { rule: { kind: "EXPRESSION" } }, "rule.expression"],
      ["a priority out of range", { priority: 5000 }, "priority"],
      ["a label over 200 characters", { label: "x".repeat(201) }, "label"],
    ])("refuses %s (BAD_USER_INPUT)", async (_label, change, field) => {
      const { steps } = await planWithSteps(2);
      await refused(
        setCondition,
        { stepId: steps[0], targetStepId: steps[1], rule: { kind: "ALWAYS" }, ...change },
        "BAD_USER_INPUT",
        field,
      );
    });

    it("refuses a target step of another plan (BAD_USER_INPUT)", async () => {
      const { steps } = await planWithSteps(1);
      const other = await planWithSteps(1);
      await refused(
        setCondition,
        { stepId: steps[0], targetStepId: other.steps[0], rule: { kind: "ALWAYS" } },
        "BAD_USER_INPUT",
        "targetStepId",
      );
    });

    it("answers another tenant's step, target or condition with NOT_FOUND, writing nothing", async () => {
      const { steps } = await planWithSteps(2);
      const rule = { kind: "ALWAYS" };
      await refused(setCondition, { stepId: stepGid(initechIds.step), targetStepId: steps[1], rule }, "NOT_FOUND");
      await refused(setCondition, { stepId: steps[0], targetStepId: stepGid(initechIds.step), rule }, "NOT_FOUND");
      await refused(
        setCondition,
        { id: conditionGid(initechIds.condition), stepId: steps[0], targetStepId: steps[1], rule },
        "NOT_FOUND",
      );
      await refused(removeCondition, { id: conditionGid(initechIds.condition) }, "NOT_FOUND");
    });
  });

  describe("scopes and atomicity", () => {
    it("an agent-only or read-only token cannot edit steps (FORBIDDEN)", async () => {
      const { plan, steps } = await planWithSteps(2);
      for (const token of [await patWith(gw.db, ["agent"]), await patWith(gw.db, ["read"])]) {
        await refused(addStep, { planId: plan, title: "x" }, "FORBIDDEN", undefined, token);
        await refused(updateStep, { id: steps[0], title: "x" }, "FORBIDDEN", undefined, token);
        await refused(moveStep, { id: steps[0], position: 2 }, "FORBIDDEN", undefined, token);
        await refused(removeStep, { id: steps[0] }, "FORBIDDEN", undefined, token);
        await refused(
          setCondition,
          { stepId: steps[0], targetStepId: steps[1], rule: { kind: "ALWAYS" } },
          "FORBIDDEN",
          undefined,
          token,
        );
        await refused(removeCondition, { id: conditionGid(`${acmeIds.step}-next`) }, "FORBIDDEN", undefined, token);
      }
    });

    it.each([
      ["addPlanStep", `addPlanStep(input: { planId: $plan, title: "Rolled back", position: 1 }) { step { id } }`],
      ["updatePlanStep", `updatePlanStep(input: { id: $s1, title: "Rolled back", status: RUNNING }) { step { id } }`],
      ["movePlanStep", `movePlanStep(input: { id: $s3, position: 1 }) { step { id } }`],
      ["removePlanStep", `removePlanStep(input: { id: $s1 }) { deletedStepId }`],
      [
        "setBranchingCondition",
        `setBranchingCondition(input: { stepId: $s1, targetStepId: $s3, rule: { kind: ALWAYS } }) { condition { id } }`,
      ],
      ["removeBranchingCondition", `removeBranchingCondition(input: { id: $c }) { deletedConditionId }`],
    ])("%s is rolled back with its audit entry when a later field fails", async (_name, field) => {
      const { plan, planId, steps } = await planWithSteps(3);
      const condition = expectOk(
        await run<{ setBranchingCondition: { condition: { id: string } } }>(gw, demoPat, setCondition, {
          input: { stepId: steps[0], targetStepId: steps[1], rule: { kind: "ALWAYS" } },
        }),
      ).setBranchingCondition.condition.id;
      const auditBefore = await auditActions(gw.db, planId);
      const before = await snapshot(gw.db);
      const values: Record<string, unknown> = { plan, s1: steps[0], s3: steps[2], c: condition };
      const used = Object.keys(values).filter((name) => new RegExp(`\\$${name}\\b`).test(field));
      const { result, statements } = await gw.countStatements(() =>
        run(
          gw,
          demoPat,
          `mutation (${used.map((name) => `$${name}: ID!, `).join("")}$foreign: ID!) {
            first: ${field}
            second: movePlanStep(input: { id: $foreign, position: 1 }) { step { id } }
          }`,
          { ...Object.fromEntries(used.map((name) => [name, values[name]])), foreign: stepGid(initechIds.step) },
        ),
      );
      expect(
        // As a statement of its own, or as the CTE of the statement that makes the change (addPlanStep).
        statements.some((s) => /^(with "audit_entry" as \()?insert into "plan_audit_log"/.test(s)),
        "the first field wrote its audit entry",
      ).toBe(true);
      expectError(result, "NOT_FOUND");
      expect(await snapshot(gw.db)).toEqual(before);
      expect(await auditActions(gw.db, planId)).toEqual(auditBefore);
    });
  });
});
