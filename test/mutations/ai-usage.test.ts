import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoUsers } from "../../src/platform/db/index.js";
import { backendName } from "../support/database.js";
import { type Caller, createTestGateway, demoPat, type TestGateway } from "../support/gateway.js";
import {
  acmeIds,
  decodeGlobalId,
  expectError,
  expectOk,
  globalId,
  initechIds,
  patWith,
  run,
  snapshot,
} from "./helpers.js";

// recordAiUsage: usage + call details in one transaction, cost computed in SQL at the price valid then.

const recordAiUsage = /* GraphQL */ `
  mutation ($input: RecordAiUsageInput!) {
    recordAiUsage(input: $input) {
      usage {
        id inputTokens outputTokens costUsd occurredAt
        model { id } user { id: databaseId } plan { id } step { id } batch { id }
        callDetails { temperature maxTokens finishReason toolNames requestMetadata latencyMs }
      }
    }
  }`;

const model = (id: string) => globalId("AiModel", id);
const chat = model("model-gpt-4o-mini");
const embedding = model("model-text-embedding-3-small");

const validUsage = () => ({
  modelId: chat,
  stepId: globalId("PlanStep", acmeIds.step),
  inputTokens: 1000,
  outputTokens: 500,
  occurredAt: "2025-06-01T12:00:00.000Z",
  details: {
    requestMetadata: {
      temperature: 0.2,
      maxTokens: 1024,
      toolNames: ["search"],
      finishReason: "STOP",
      promptTemplate: "summarise-v2",
    },
    latencyMs: 850,
  },
});

interface UsageShape {
  id: string;
  costUsd: number;
  [key: string]: unknown;
}

describe(`recordAiUsage on ${backendName}`, () => {
  let gw: TestGateway;
  let agent: Caller;

  beforeAll(async () => {
    gw = await createTestGateway();
    agent = await patWith(gw.db, ["agent"]);
  });
  afterAll(() => gw?.cleanup());

  async function record(input: unknown, as: Caller = agent): Promise<UsageShape> {
    const data = expectOk(await run<{ recordAiUsage: { usage: UsageShape } }>(gw, as, recordAiUsage, { input }));
    return data.recordAiUsage.usage;
  }

  async function stored(usage: UsageShape) {
    const id = decodeGlobalId(usage.id).id;
    const [row] = await gw.db.asOwner<{ cost: string; organization_id: string; plan_id: string; details: number }>(
      sql`select cost_usd::text as cost, organization_id, plan_id,
        (select count(*)::int from ai_call_details d where d.usage_id = u.id) as details
        from ai_usage u where id = ${id}`,
    );
    return row;
  }

  async function refused(input: unknown, code: string, field?: string, as: Caller = agent) {
    const before = await snapshot(gw.db);
    expectError(await run(gw, as, recordAiUsage, { input }), code, field);
    expect(await snapshot(gw.db)).toEqual(before);
  }

  it("records usage and call details atomically, priced in SQL, attributed to the caller and the step's plan", async () => {
    const usage = await record(validUsage());
    expect(usage).toMatchObject({
      inputTokens: 1000,
      outputTokens: 500,
      costUsd: 0.00045,
      occurredAt: "2025-06-01T12:00:00.000Z",
      model: { id: chat },
      user: { id: demoUsers.alice.id },
      plan: { id: globalId("ResearchPlan", acmeIds.runningPlan) },
      step: { id: globalId("PlanStep", acmeIds.step) },
      batch: null,
      callDetails: {
        temperature: 0.2,
        maxTokens: 1024,
        finishReason: "stop",
        toolNames: ["search"],
        requestMetadata: {
          temperature: 0.2,
          maxTokens: 1024,
          toolNames: ["search"],
          finishReason: "stop",
          promptTemplate: "summarise-v2",
        },
        latencyMs: 850,
      },
    });
    // numeric(20,10), exact: 1000 × 0.00000015 + 500 × 0.0000006.
    expect(await stored(usage)).toEqual({
      cost: "0.0004500000",
      organization_id: "demo-org-acme",
      plan_id: acmeIds.runningPlan,
      details: 1,
    });
  });

  it("uses the price valid at occurredAt (validFrom inclusive, validTo exclusive)", async () => {
    const justBefore = await record({ ...validUsage(), occurredAt: "2025-12-31T23:59:59.999Z" });
    const atChange = await record({ ...validUsage(), occurredAt: "2026-01-01T00:00:00.000Z" });
    expect((await stored(justBefore))?.cost).toBe("0.0004500000");
    // 1000 × 0.00000012 + 500 × 0.0000005.
    expect((await stored(atChange))?.cost).toBe("0.0003700000");
  });

  it("defaults occurredAt to now and accepts a batch of the same model (its plan is inherited)", async () => {
    const usage = await record({
      modelId: embedding,
      batchId: globalId("AiBatch", acmeIds.batch),
      inputTokens: 1000,
      outputTokens: 0,
      details: { requestMetadata: {} },
    });
    expect(usage).toMatchObject({
      costUsd: 0.00002,
      batch: { id: globalId("AiBatch", acmeIds.batch) },
      plan: { id: globalId("ResearchPlan", acmeIds.runningPlan) },
      callDetails: { requestMetadata: {}, latencyMs: null },
    });
    expect(Math.abs(Date.parse(usage.occurredAt as string) - Date.now())).toBeLessThan(60_000);
  });

  it("refuses a time no price covers (BAD_USER_INPUT on occurredAt) rather than recording a free call", async () => {
    await refused({ ...validUsage(), occurredAt: "2024-06-01T00:00:00Z" }, "BAD_USER_INPUT", "occurredAt");
  });

  it.each([
    ["negative input tokens", { inputTokens: -1 }, "inputTokens"],
    ["negative output tokens", { outputTokens: -5 }, "outputTokens"],
    ["a call in the future", { occurredAt: "2999-01-01T00:00:00Z" }, "occurredAt"],
    ["a call before 2000", { occurredAt: "1999-12-31T00:00:00Z" }, "occurredAt"],
    [
      "a temperature above 2",
      { details: { requestMetadata: { temperature: 3 } } },
      "details.requestMetadata.temperature",
    ],
    ["maxTokens of 0", { details: { requestMetadata: { maxTokens: 0 } } }, "details.requestMetadata.maxTokens"],
    [
      "more than 100 tool names",
      { details: { requestMetadata: { toolNames: Array.from({ length: 101 }, (_, i) => `t${i}`) } } },
      "details.requestMetadata.toolNames",
    ],
    [
      "an empty prompt template",
      { details: { requestMetadata: { promptTemplate: "" } } },
      "details.requestMetadata.promptTemplate",
    ],
    ["a negative latency", { details: { requestMetadata: {}, latencyMs: -1 } }, "details.latencyMs"],
    ["a step of another plan", { planId: globalId("ResearchPlan", acmeIds.completedPlan) }, "stepId"],
    ["a batch of another model", { stepId: null, batchId: globalId("AiBatch", acmeIds.batch) }, "batchId"],
  ])("refuses %s (BAD_USER_INPUT), writing nothing", async (_label, change, field) => {
    await refused({ ...validUsage(), ...change }, "BAD_USER_INPUT", field);
  });

  it("refuses an unknown finish reason and a model ID of another type (BAD_USER_INPUT)", async () => {
    await refused({ ...validUsage(), details: { requestMetadata: { finishReason: "BORED" } } }, "BAD_USER_INPUT");
    await refused({ ...validUsage(), modelId: globalId("ResearchPlan", acmeIds.runningPlan) }, "BAD_USER_INPUT");
  });

  it("answers an unknown model, and another tenant's plan, step or batch, with NOT_FOUND, writing nothing", async () => {
    await refused({ ...validUsage(), modelId: model("model-that-does-not-exist") }, "NOT_FOUND");
    await refused({ ...validUsage(), stepId: null, planId: globalId("ResearchPlan", initechIds.plan) }, "NOT_FOUND");
    await refused({ ...validUsage(), stepId: globalId("PlanStep", initechIds.step) }, "NOT_FOUND");
    await refused(
      { ...validUsage(), modelId: embedding, stepId: null, batchId: globalId("AiBatch", initechIds.batch) },
      "NOT_FOUND",
    );
  });

  it("sums a day's largest calls without overflow: aiUsageSummary totals past 2^31 exactly", async () => {
    const largest = 2_147_483_647; // the column's (and GraphQL Int's) maximum, accepted per call
    const day = "2025-07-14";
    for (const hour of ["09", "17"]) {
      await record({
        ...validUsage(),
        inputTokens: largest,
        outputTokens: largest,
        occurredAt: `${day}T${hour}:00:00Z`,
      });
    }
    const summary = expectOk(
      await run<{
        aiUsageSummary: {
          day: string;
          model: { id: string };
          calls: number;
          inputTokens: number;
          outputTokens: number;
        }[];
      }>(
        gw,
        demoPat,
        `query ($from: DateTime!, $to: DateTime!) {
          aiUsageSummary(from: $from, to: $to) { day model { id } calls inputTokens outputTokens }
        }`,
        { from: `${day}T00:00:00Z`, to: "2025-07-15T00:00:00Z" },
      ),
    ).aiUsageSummary;
    expect(summary).toEqual([
      { day, model: { id: chat }, calls: 2, inputTokens: 2 * largest, outputTokens: 2 * largest },
    ]);
  });

  it("needs the agent scope: read and write tokens are FORBIDDEN", async () => {
    await refused(validUsage(), "FORBIDDEN", undefined, await patWith(gw.db, ["read", "write"]));
  });

  it("leaves neither usage nor details behind when a later field of the operation fails", async () => {
    const before = await snapshot(gw.db);
    const { result, statements } = await gw.countStatements(() =>
      run(
        gw,
        demoPat,
        `mutation ($input: RecordAiUsageInput!, $other: RecordAiUsageInput!) {
          first: recordAiUsage(input: $input) { usage { id } }
          second: recordAiUsage(input: $other) { usage { id } }
        }`,
        { input: validUsage(), other: { ...validUsage(), stepId: globalId("PlanStep", initechIds.step) } },
      ),
    );
    expect(statements.some((s) => /^insert into "ai_call_details"/.test(s))).toBe(true);
    expectError(result, "NOT_FOUND");
    expect(await snapshot(gw.db)).toEqual(before);
  });
});
