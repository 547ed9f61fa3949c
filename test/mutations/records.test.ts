import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoUsers } from "../../src/platform/db/index.js";
import { backendName } from "../support/database.js";
import { type Caller, createTestGateway, demoPat, type TestGateway } from "../support/gateway.js";
import {
  acme,
  acmeIds,
  countRows,
  decodeGlobalId,
  expectError,
  expectOk,
  globalId,
  initechIds,
  patWith,
  run,
  snapshot,
} from "./helpers.js";

// Agents' records: skill executions, MCP tool calls, artifacts, extraction results, outputs; and feedback.

const plan = (id: string) => globalId("ResearchPlan", id);
const step = (id: string) => globalId("PlanStep", id);
const artifact = (id: string) => globalId("ResearchArtifact", id);
const execution = (id: string) => globalId("SkillExecution", id);
const output = (id: string) => globalId("ResearchOutput", id);

const recordSkillExecution = /* GraphQL */ `
  mutation ($input: RecordSkillExecutionInput!) {
    recordSkillExecution(input: $input) {
      skillExecution { id skillName status input output errorMessage startedAt finishedAt plan { id } step { id } }
    }
  }`;
const recordMcpToolCall = /* GraphQL */ `
  mutation ($input: RecordMcpToolCallInput!) {
    recordMcpToolCall(input: $input) {
      toolCall { id serverName toolName status durationMs metadata { arguments resultPreview errorMessage transport } skillExecution { id } }
    }
  }`;
const addResearchArtifact = /* GraphQL */ `
  mutation ($input: AddResearchArtifactInput!) {
    addResearchArtifact(input: $input) {
      artifact { id kind title sourceUri mimeType content byteSize metadata { author publishedAt language tags } plan { id } step { id } }
    }
  }`;
const addExtractionResult = /* GraphQL */ `
  mutation ($input: AddExtractionResultInput!) {
    addExtractionResult(input: $input) {
      extractionResult { id extractionSchema { name fields { name type description } } values confidence artifact { id } }
    }
  }`;
const publishResearchOutput = /* GraphQL */ `
  mutation ($input: PublishResearchOutputInput!) {
    publishResearchOutput(input: $input) {
      output { id title format content publishedAt resultSummary { headline keyFindings confidence sourceArtifactIds } plan { id } }
    }
  }`;
const addResearchFeedback = /* GraphQL */ `
  mutation ($input: AddResearchFeedbackInput!) {
    addResearchFeedback(input: $input) { feedback { id rating comment author { id: databaseId } output { id } } }
  }`;

const validSkillExecution = () => ({
  planId: plan(acmeIds.runningPlan),
  stepId: step(acmeIds.secondStep),
  skillName: "web-research",
  status: "SUCCEEDED",
  input: { query: "battery recycling", depth: 2 },
  output: { sources: ["a", "b"] },
  startedAt: "2026-10-01T10:00:00.000Z",
  finishedAt: "2026-10-01T10:01:30.000Z",
});
const validToolCall = () => ({
  skillExecutionId: execution(acmeIds.execution),
  serverName: "web",
  toolName: "fetch",
  status: "ERROR",
  durationMs: 1200,
  metadata: { arguments: { url: "https://example.test" }, errorMessage: "timed out", transport: "HTTP" },
});
const validArtifact = () => ({
  planId: plan(acmeIds.runningPlan),
  stepId: step(acmeIds.step),
  kind: "WEB_PAGE",
  title: "A survey of battery recycling",
  sourceUri: "https://example.test/survey",
  mimeType: "text/html; charset=utf-8",
  content: "Recycling rates rose — 5 €/kg.",
  metadata: { author: "Ada", publishedAt: "2026-03-01T00:00:00Z", language: "en-GB", tags: ["survey", "eu"] },
});
const validExtraction = () => ({
  artifactId: artifact(acmeIds.artifact),
  extractionSchema: {
    name: "key-figures",
    fields: [
      { name: "headline", type: "STRING", description: "The main claim" },
      { name: "year", type: "NUMBER" },
      { name: "peerReviewed", type: "BOOLEAN" },
      { name: "published", type: "DATE" },
      { name: "authors", type: "LIST" },
    ],
  },
  values: { headline: "Rates rose", year: 2026, peerReviewed: true, published: "2026-03-01", authors: ["Ada"] },
  confidence: 0.9,
});
const validOutput = () => ({
  planId: plan(acmeIds.runningPlan),
  title: "Findings so far",
  format: "MARKDOWN",
  content: "# Findings\n\nRates rose.",
  resultSummary: {
    headline: "Recycling rates rose",
    keyFindings: ["Rates rose", "Costs fell"],
    confidence: 0.75,
    sourceArtifactIds: [artifact(acmeIds.artifact)],
  },
});
const validFeedback = () => ({ outputId: output(acmeIds.output), rating: 5, comment: "Very useful." });

describe(`agents' records on ${backendName}`, () => {
  let gw: TestGateway;
  let agent: Caller;

  beforeAll(async () => {
    gw = await createTestGateway({ captureLogs: true });
    agent = await patWith(gw.db, ["agent"]);
  });
  afterAll(() => gw?.cleanup());

  /** Runs `query` and expects the one error `code` (with `field`), and nothing written. */
  async function refused(query: string, input: unknown, code: string, field?: string, as: Caller = agent) {
    const before = await snapshot(gw.db);
    const response = await run(gw, as, query, { input });
    expectError(response, code, field);
    expect(await snapshot(gw.db)).toEqual(before);
  }

  describe("recordSkillExecution", () => {
    it("records an execution of the caller's tenant, with a step of the plan", async () => {
      const data = expectOk(await run(gw, agent, recordSkillExecution, { input: validSkillExecution() }));
      const recorded = (data as { recordSkillExecution: { skillExecution: Record<string, unknown> } })
        .recordSkillExecution.skillExecution;
      expect(recorded).toMatchObject({
        skillName: "web-research",
        status: "SUCCEEDED",
        input: { query: "battery recycling", depth: 2 },
        output: { sources: ["a", "b"] },
        errorMessage: null,
        startedAt: "2026-10-01T10:00:00.000Z",
        finishedAt: "2026-10-01T10:01:30.000Z",
        plan: { id: plan(acmeIds.runningPlan) },
        step: { id: step(acmeIds.secondStep) },
      });
      const id = decodeGlobalId(recorded.id as string).id;
      const rows = await gw.db.asOwner<{ organization_id: string }>(
        sql`select organization_id from skill_execution where id = ${id}`,
      );
      expect(rows).toEqual([{ organization_id: "demo-org-acme" }]);
    });

    it("defaults to RUNNING, started now, with an empty input; a FAILED one gets finishedAt now", async () => {
      const running = expectOk(
        await run(gw, agent, recordSkillExecution, {
          input: { planId: plan(acmeIds.runningPlan), skillName: "summarise" },
        }),
      ) as { recordSkillExecution: { skillExecution: Record<string, unknown> } };
      expect(running.recordSkillExecution.skillExecution).toMatchObject({
        status: "RUNNING",
        input: {},
        output: null,
        finishedAt: null,
        step: null,
      });
      const failed = expectOk(
        await run(gw, agent, recordSkillExecution, {
          input: { planId: plan(acmeIds.runningPlan), skillName: "summarise", status: "FAILED", errorMessage: "boom" },
        }),
      ) as { recordSkillExecution: { skillExecution: Record<string, unknown> } };
      expect(failed.recordSkillExecution.skillExecution.finishedAt).toEqual(expect.any(String));
      expect(failed.recordSkillExecution.skillExecution.errorMessage).toBe("boom");
    });

    it.each([
      ["an empty skill name", { skillName: "   " }, "skillName"],
      ["a skill name over 200 characters", { skillName: "x".repeat(201) }, "skillName"],
      ["an input that is not an object", { input: ["a"] }, "input"],
      ["an input over 64 kB", { input: { blob: "x".repeat(64_001) } }, "input"],
      ["an input nested too deep", { input: JSON.parse(`${'{"a":'.repeat(25)}1${"}".repeat(25)}`) }, "input"],
      ["an error message on a success", { errorMessage: "oops" }, "errorMessage"],
      ["a RUNNING execution with finishedAt", { status: "RUNNING" }, "finishedAt"],
      ["finishedAt before startedAt", { finishedAt: "2026-10-01T09:00:00.000Z" }, "finishedAt"],
      ["startedAt in the future", { startedAt: "2999-01-01T00:00:00Z", finishedAt: null }, "startedAt"],
      ["a step of another plan", { stepId: step(`${acmeIds.completedPlan}-step-1`) }, "stepId"],
    ])("refuses %s (BAD_USER_INPUT), writing nothing", async (_label, change, field) => {
      await refused(recordSkillExecution, { ...validSkillExecution(), ...change }, "BAD_USER_INPUT", field);
    });

    it("refuses an ID of another type and an ID that does not decode", async () => {
      await refused(recordSkillExecution, { ...validSkillExecution(), planId: step(acmeIds.step) }, "BAD_USER_INPUT");
      await refused(recordSkillExecution, { ...validSkillExecution(), planId: "not-a-global-id" }, "BAD_USER_INPUT");
    });

    it("answers another tenant's plan or step like a missing one: NOT_FOUND, nothing written", async () => {
      await refused(recordSkillExecution, { ...validSkillExecution(), planId: plan(initechIds.plan) }, "NOT_FOUND");
      await refused(recordSkillExecution, { ...validSkillExecution(), stepId: step(initechIds.step) }, "NOT_FOUND");
      await refused(recordSkillExecution, { ...validSkillExecution(), planId: plan("no-such-plan") }, "NOT_FOUND");
      expect(await countRows(gw.db, "skill_execution", sql`organization_id = 'demo-org-initech'`)).toBe(2);
    });
  });

  describe("recordMcpToolCall", () => {
    it("records a call of an execution, keeping only the metadata given", async () => {
      const data = expectOk(await run(gw, agent, recordMcpToolCall, { input: validToolCall() })) as {
        recordMcpToolCall: { toolCall: Record<string, unknown> };
      };
      expect(data.recordMcpToolCall.toolCall).toMatchObject({
        serverName: "web",
        toolName: "fetch",
        status: "ERROR",
        durationMs: 1200,
        metadata: {
          arguments: { url: "https://example.test" },
          resultPreview: null,
          errorMessage: "timed out",
          transport: "http",
        },
        skillExecution: { id: execution(acmeIds.execution) },
      });
      const id = decodeGlobalId(data.recordMcpToolCall.toolCall.id as string).id;
      const [row] = await gw.db.asOwner<{ metadata: unknown }>(
        sql`select metadata from mcp_tool_call_log where id = ${id}`,
      );
      expect(row?.metadata).toEqual({
        arguments: { url: "https://example.test" },
        errorMessage: "timed out",
        transport: "http",
      });
    });

    it.each([
      ["an empty server name", { serverName: "" }, "serverName"],
      ["an empty tool name", { toolName: " " }, "toolName"],
      ["a negative duration", { durationMs: -1 }, "durationMs"],
      ["arguments that are not an object", { metadata: { arguments: "url" } }, "metadata.arguments"],
      [
        "a result preview over 2,000 characters",
        { metadata: { arguments: {}, resultPreview: "x".repeat(2001) } },
        "metadata.resultPreview",
      ],
    ])("refuses %s (BAD_USER_INPUT)", async (_label, change, field) => {
      await refused(recordMcpToolCall, { ...validToolCall(), ...change }, "BAD_USER_INPUT", field);
    });

    it("refuses an unknown status or transport, and a malformed date (the schema's enums and scalars)", async () => {
      await refused(recordMcpToolCall, { ...validToolCall(), status: "MAYBE" }, "BAD_USER_INPUT");
      const metadata = { ...validToolCall().metadata, transport: "PIGEON" };
      await refused(recordMcpToolCall, { ...validToolCall(), metadata }, "BAD_USER_INPUT");
      await refused(recordSkillExecution, { ...validSkillExecution(), startedAt: "yesterday" }, "BAD_USER_INPUT");
    });

    it("answers another tenant's execution with NOT_FOUND, writing nothing", async () => {
      await refused(
        recordMcpToolCall,
        { ...validToolCall(), skillExecutionId: execution(initechIds.execution) },
        "NOT_FOUND",
      );
    });
  });

  describe("addResearchArtifact", () => {
    it("adds an artifact with typed metadata; byteSize defaults to the content's UTF-8 size", async () => {
      const data = expectOk(await run(gw, agent, addResearchArtifact, { input: validArtifact() })) as {
        addResearchArtifact: { artifact: Record<string, unknown> };
      };
      expect(data.addResearchArtifact.artifact).toMatchObject({
        kind: "WEB_PAGE",
        title: "A survey of battery recycling",
        mimeType: "text/html; charset=utf-8",
        byteSize: Buffer.byteLength("Recycling rates rose — 5 €/kg.", "utf8"),
        metadata: { author: "Ada", publishedAt: "2026-03-01T00:00:00.000Z", language: "en-GB", tags: ["survey", "eu"] },
        plan: { id: plan(acmeIds.runningPlan) },
        step: { id: step(acmeIds.step) },
      });
      const minimal = expectOk(
        await run(gw, agent, addResearchArtifact, {
          input: { planId: plan(acmeIds.runningPlan), kind: "NOTE", title: "A note", byteSize: 12 },
        }),
      ) as { addResearchArtifact: { artifact: Record<string, unknown> } };
      expect(minimal.addResearchArtifact.artifact).toMatchObject({
        content: null,
        byteSize: 12,
        metadata: { author: null, tags: null },
        step: null,
      });
    });

    it.each([
      ["an empty title", { title: "" }, "title"],
      ["a URL that is not http(s)", { sourceUri: "ftp://example.test/a" }, "sourceUri"],
      ["a URL that is not a URL", { sourceUri: "example" }, "sourceUri"],
      ["a media type without a subtype", { mimeType: "text" }, "mimeType"],
      ["content with control characters", { content: "a\u0000b" }, "content"],
      ["a negative byte size", { byteSize: -5 }, "byteSize"],
      ["a language that is not a tag", { metadata: { language: "english language" } }, "metadata.language"],
      ["a repeated tag", { metadata: { tags: ["a", "a"] } }, "metadata.tags"],
      ["more than 50 tags", { metadata: { tags: Array.from({ length: 51 }, (_, i) => `t${i}`) } }, "metadata.tags"],
      ["a step of another plan", { stepId: step(`${acmeIds.completedPlan}-step-1`) }, "stepId"],
    ])("refuses %s (BAD_USER_INPUT)", async (_label, change, field) => {
      await refused(addResearchArtifact, { ...validArtifact(), ...change }, "BAD_USER_INPUT", field);
    });

    it("answers another tenant's plan or step with NOT_FOUND, writing nothing", async () => {
      await refused(addResearchArtifact, { ...validArtifact(), planId: plan(initechIds.plan) }, "NOT_FOUND");
      await refused(addResearchArtifact, { ...validArtifact(), stepId: step(initechIds.step) }, "NOT_FOUND");
    });
  });

  describe("addExtractionResult", () => {
    it("adds values checked against the extraction schema (nulls and missing fields allowed)", async () => {
      const data = expectOk(await run(gw, agent, addExtractionResult, { input: validExtraction() })) as {
        addExtractionResult: { extractionResult: Record<string, unknown> };
      };
      expect(data.addExtractionResult.extractionResult).toMatchObject({
        extractionSchema: {
          name: "key-figures",
          fields: expect.arrayContaining([
            { name: "headline", type: "string", description: "The main claim" },
            { name: "year", type: "number", description: null },
          ]),
        },
        values: { headline: "Rates rose", year: 2026, peerReviewed: true, published: "2026-03-01", authors: ["Ada"] },
        confidence: 0.9,
        artifact: { id: artifact(acmeIds.artifact) },
      });
      const partial = await run(gw, agent, addExtractionResult, {
        input: { ...validExtraction(), values: { headline: null }, confidence: null },
      });
      expectOk(partial);
    });

    it.each([
      ["a value of the wrong type", { values: { year: "2026" } }, "values.year"],
      ["a number that is not finite-looking JSON", { values: { headline: 3 } }, "values.headline"],
      ["a date that is not ISO 8601", { values: { published: "March 2026" } }, "values.published"],
      ["a list of non-strings", { values: { authors: [1, 2] } }, "values.authors"],
      ["a key the schema does not have", { values: { other: "x" } }, "values.other"],
      ["values that are not an object", { values: [1] }, "values"],
      ["a confidence above 1", { confidence: 1.5 }, "confidence"],
      [
        "a repeated field name",
        {
          extractionSchema: {
            name: "s",
            fields: [
              { name: "a", type: "STRING" },
              { name: "a", type: "NUMBER" },
            ],
          },
        },
        "extractionSchema.fields",
      ],
      [
        "a field name that is not an identifier",
        { extractionSchema: { name: "s", fields: [{ name: "a b", type: "STRING" }] }, values: {} },
        "extractionSchema.fields.0.name",
      ],
      ["no fields", { extractionSchema: { name: "s", fields: [] }, values: {} }, "extractionSchema.fields"],
    ])("refuses %s (BAD_USER_INPUT)", async (_label, change, field) => {
      await refused(addExtractionResult, { ...validExtraction(), ...change }, "BAD_USER_INPUT", field);
    });

    it("answers another tenant's artifact with NOT_FOUND, writing nothing", async () => {
      await refused(
        addExtractionResult,
        { ...validExtraction(), artifactId: artifact(initechIds.artifact) },
        "NOT_FOUND",
      );
    });
  });

  describe("JSON inputs PostgreSQL's jsonb cannot store", () => {
    const nul = "a\u0000b";
    const loneHigh = "a\ud800b";
    const loneLow = "\udc00";
    const cases: [string, string, unknown][] = [
      [
        "recordSkillExecution input: NUL in a value",
        recordSkillExecution,
        { ...validSkillExecution(), input: { q: nul } },
      ],
      [
        "recordSkillExecution input: NUL in a key",
        recordSkillExecution,
        { ...validSkillExecution(), input: { [nul]: 1 } },
      ],
      [
        "recordSkillExecution output: a lone high surrogate",
        recordSkillExecution,
        { ...validSkillExecution(), output: { q: [loneHigh] } },
      ],
      [
        "recordSkillExecution input: a lone low surrogate in a key",
        recordSkillExecution,
        { ...validSkillExecution(), input: { [loneLow]: true } },
      ],
      [
        "recordMcpToolCall arguments: NUL in a value",
        recordMcpToolCall,
        { ...validToolCall(), metadata: { arguments: { url: nul } } },
      ],
      [
        "recordMcpToolCall arguments: a lone surrogate in a key",
        recordMcpToolCall,
        { ...validToolCall(), metadata: { arguments: { [loneHigh]: "x" } } },
      ],
      [
        "addExtractionResult values: NUL in a value",
        addExtractionResult,
        { ...validExtraction(), values: { headline: nul } },
      ],
      [
        "addExtractionResult values: a lone surrogate in a list",
        addExtractionResult,
        { ...validExtraction(), values: { authors: [loneLow] } },
      ],
    ];
    it.each(cases)(
      "refuses %s (BAD_USER_INPUT), writing nothing and logging no error",
      async (_label, query, input) => {
        const logged = gw.logs.length;
        await refused(query, input, "BAD_USER_INPUT");
        expect(gw.logs.slice(logged)).toEqual([]);
      },
    );

    it("refuses JSON nested deeper than PostgreSQL parses (30,000 arrays in 60 kB), logging no error", async () => {
      // Built as text: JSON.stringify itself overflows the stack on such a value.
      const deep = `${"[".repeat(30_000)}${"]".repeat(30_000)}`;
      const body = JSON.stringify({
        query: recordSkillExecution,
        variables: { input: { ...validSkillExecution(), input: { deep: "DEEP" } } },
      }).replace('"DEEP"', deep);
      const logged = gw.logs.length;
      const before = await snapshot(gw.db);
      const response = await gw.app.fetch(
        new Request("http://gateway.test/graphql", {
          method: "POST",
          headers: {
            "content-type": "application/json",
            authorization: `Bearer ${agent.kind === "pat" ? agent.token : ""}`,
            "x-organization-id": acme,
          },
          body,
        }),
      );
      const result = (await response.json()) as { errors?: { extensions?: { code?: string } }[] };
      expect(result.errors?.map((error) => error.extensions?.code)).toEqual(["BAD_USER_INPUT"]);
      expect(await snapshot(gw.db)).toEqual(before);
      expect(gw.logs.slice(logged)).toEqual([]);
    });

    it("refuses a JSON literal with a number out of range, and keeps a well-formed pair (an emoji) in keys and values", async () => {
      const literal = await run(
        gw,
        agent,
        `mutation { recordSkillExecution(input: { planId: "${plan(acmeIds.runningPlan)}", skillName: "s", input: { n: 1e999 } }) { skillExecution { id } } }`,
      );
      expectError(literal, "BAD_USER_INPUT");
      const emoji = "\u{1F600}";
      const data = expectOk(
        await run<{ recordSkillExecution: { skillExecution: { input: unknown } } }>(gw, agent, recordSkillExecution, {
          input: { ...validSkillExecution(), input: { [emoji]: emoji } },
        }),
      );
      expect(data.recordSkillExecution.skillExecution.input).toEqual({ [emoji]: emoji });
    });
  });

  describe("publishResearchOutput", () => {
    it("publishes an output with its summary; source artifacts come back as the global IDs sent", async () => {
      const data = expectOk(await run(gw, agent, publishResearchOutput, { input: validOutput() })) as {
        publishResearchOutput: { output: Record<string, unknown> };
      };
      expect(data.publishResearchOutput.output).toMatchObject({
        title: "Findings so far",
        format: "MARKDOWN",
        publishedAt: expect.any(String),
        resultSummary: {
          headline: "Recycling rates rose",
          keyFindings: ["Rates rose", "Costs fell"],
          confidence: 0.75,
          sourceArtifactIds: [artifact(acmeIds.artifact)],
        },
        plan: { id: plan(acmeIds.runningPlan) },
      });
      const json = await run(gw, agent, publishResearchOutput, {
        input: {
          ...validOutput(),
          format: "JSON",
          content: '{"rates":"rose"}',
          resultSummary: { headline: "h", keyFindings: [] },
        },
      });
      expectOk(json);
    });

    it.each([
      ["an empty title", { title: "" }, "title"],
      ["empty content", { content: "  " }, "content"],
      ["JSON content that does not parse", { format: "JSON", content: "{rates" }, "content"],
      ["an empty headline", { resultSummary: { headline: "", keyFindings: [] } }, "resultSummary.headline"],
      [
        "more than 50 findings",
        { resultSummary: { headline: "h", keyFindings: Array.from({ length: 51 }, (_, i) => `f${i}`) } },
        "resultSummary.keyFindings",
      ],
      [
        "a confidence above 1",
        { resultSummary: { headline: "h", keyFindings: [], confidence: 2 } },
        "resultSummary.confidence",
      ],
      [
        "a source artifact of another plan",
        {
          resultSummary: {
            headline: "h",
            keyFindings: [],
            sourceArtifactIds: [artifact(`${acmeIds.completedPlan}-artifact-1`)],
          },
        },
        "resultSummary.sourceArtifactIds",
      ],
    ])("refuses %s (BAD_USER_INPUT)", async (_label, change, field) => {
      await refused(publishResearchOutput, { ...validOutput(), ...change }, "BAD_USER_INPUT", field);
    });

    it("answers another tenant's plan or source artifact with NOT_FOUND, writing nothing", async () => {
      await refused(publishResearchOutput, { ...validOutput(), planId: plan(initechIds.plan) }, "NOT_FOUND");
      await refused(
        publishResearchOutput,
        {
          ...validOutput(),
          resultSummary: { headline: "h", keyFindings: [], sourceArtifactIds: [artifact(initechIds.artifact)] },
        },
        "NOT_FOUND",
      );
    });
  });

  describe("addResearchFeedback", () => {
    it("records feedback authored by the caller, whoever the input claims", async () => {
      const bob = await gw.signIn(demoUsers.bob.email);
      const data = expectOk(await run(gw, bob.bearer, addResearchFeedback, { input: validFeedback() })) as {
        addResearchFeedback: { feedback: Record<string, unknown> };
      };
      expect(data.addResearchFeedback.feedback).toMatchObject({
        rating: 5,
        comment: "Very useful.",
        author: { id: demoUsers.bob.id },
        output: { id: output(acmeIds.output) },
      });
    });

    it.each([
      ["a rating of 0", { rating: 0 }, "rating"],
      ["a rating of 6", { rating: 6 }, "rating"],
      ["a comment over 5,000 characters", { comment: "x".repeat(5001) }, "comment"],
    ])("refuses %s (BAD_USER_INPUT)", async (_label, change, field) => {
      await refused(addResearchFeedback, { ...validFeedback(), ...change }, "BAD_USER_INPUT", field, demoPat);
    });

    it("answers another tenant's output with NOT_FOUND, writing nothing", async () => {
      await refused(
        addResearchFeedback,
        { ...validFeedback(), outputId: output(initechIds.output) },
        "NOT_FOUND",
        undefined,
        demoPat,
      );
    });

    it("needs the write scope: an agent-only token is FORBIDDEN, a write-only token may", async () => {
      await refused(addResearchFeedback, validFeedback(), "FORBIDDEN", undefined, agent);
      const writer = await patWith(gw.db, ["write"]);
      expectOk(await run(gw, writer, addResearchFeedback, { input: validFeedback() }));
    });
  });

  describe("scopes and atomicity", () => {
    const cases: [string, string, () => unknown][] = [
      ["recordSkillExecution", recordSkillExecution, validSkillExecution],
      ["recordMcpToolCall", recordMcpToolCall, validToolCall],
      ["addResearchArtifact", addResearchArtifact, validArtifact],
      ["addExtractionResult", addExtractionResult, validExtraction],
      ["publishResearchOutput", publishResearchOutput, validOutput],
    ];

    it.each(cases)(
      "%s needs the agent scope: a read-only or write-only token is FORBIDDEN",
      async (_name, query, input) => {
        await refused(query, input(), "FORBIDDEN", undefined, await patWith(gw.db, ["read"]));
        await refused(query, input(), "FORBIDDEN", undefined, await patWith(gw.db, ["read", "write"]));
      },
    );

    it.each([...cases, ["addResearchFeedback", addResearchFeedback, validFeedback] as [string, string, () => unknown]])(
      "%s leaves nothing behind when a later field of the operation fails",
      async (name, query, input) => {
        // The record succeeds; the next root field fails (another tenant's plan), so the whole operation rolls back.
        const [, variables, body] = /mutation \((\$input: \w+!)\) \{([\s\S]*)\}\s*$/.exec(query) ?? [];
        const operation = `mutation (${variables}, $other: RecordSkillExecutionInput!) {${body}
        second: recordSkillExecution(input: $other) { skillExecution { id } } }`;
        const before = await snapshot(gw.db);
        const { result: response, statements } = await gw.countStatements(() =>
          run(gw, demoPat, operation, {
            input: input(),
            other: { ...validSkillExecution(), planId: plan(initechIds.plan) },
          }),
        );
        expect(
          statements.some((s) => /^insert into/i.test(s)),
          `${name} wrote before the failure`,
        ).toBe(true);
        expectError(response, "NOT_FOUND");
        expect(await snapshot(gw.db)).toEqual(before);
      },
    );
  });
});
