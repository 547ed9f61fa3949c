import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backendName } from "../support/database.js";
import { createTestGateway, demoPat, errorCodes, type TestGateway } from "../support/gateway.js";
import { acme } from "./helpers.js";

// Input that graphql-js or Apollo's subgraph library refuses on their own, found by the schema-wide
// campaign (test/security/schema-campaign.test.ts): the answer is a coded client error, never an uncoded
// or internal one, and nothing is logged at error level.

let gw: TestGateway;

beforeAll(async () => {
  gw = await createTestGateway({ captureLogs: true });
});
afterAll(() => gw?.cleanup());

const errorLogs = (from: number) => gw.logs.slice(from).filter((line) => line.level === "error" || line.level === 50);

describe(`malformed variables on ${backendName}`, () => {
  it("more invalid variable values than graphql-js reports (its error limit) is BAD_USER_INPUT", async () => {
    const logged = gw.logs.length;
    const result = await gw.graphql(
      {
        query: "query ($embedding: [Float!]) { searchDocumentChunks(embedding: $embedding) { score } }",
        variables: { embedding: Array.from({ length: 60 }, () => "not a number") },
      },
      demoPat,
      { organizationId: acme },
    );
    expect(result.errors?.at(-1)?.message).toMatch(/error limit reached/);
    expect(new Set(errorCodes(result))).toEqual(new Set(["BAD_USER_INPUT"]));
    expect(errorLogs(logged)).toEqual([]);
  });

  it("a required variable left out or null is BAD_USER_INPUT", async () => {
    const query = "query ($id: ID!) { researchPlan(id: $id) { id } }";
    for (const variables of [{}, { id: null }]) {
      const result = await gw.graphql({ query, variables }, demoPat, { organizationId: acme });
      expect(errorCodes(result), JSON.stringify(variables)).toEqual(["BAD_USER_INPUT"]);
    }
  });
});

describe(`malformed _entities representations on ${backendName}`, () => {
  const entities = (representations: unknown[]) =>
    gw.graphql(
      {
        query: "query ($r: [_Any!]!) { _entities(representations: $r) { ... on AiModel { name } } }",
        variables: { r: representations },
      },
      demoPat,
      { organizationId: acme },
    );

  it("a representation naming no entity type, or without a string key, is BAD_USER_INPUT and loads nothing", async () => {
    const model = { __typename: "AiModel", id: Buffer.from("AiModel:model-gpt-4o-mini").toString("base64") };
    const malformed: unknown[] = [
      { __typename: "NoSuchType", id: "x" },
      { __typename: "Query", id: "x" },
      { __typename: "", id: "x" },
      { id: "x" },
      { __typename: "AiModel" },
      { __typename: "AiModel", id: 1 },
      { __typename: "AiModel", id: null },
      { __typename: "AiModel", id: { nested: true } },
      "AiModel",
      [],
    ];
    for (const representation of malformed) {
      const logged = gw.logs.length;
      // The well-formed one first: its load must not be left running when the call is refused.
      const result = await entities([model, representation]);
      expect(errorCodes(result), JSON.stringify(representation)).toEqual(["BAD_USER_INPUT"]);
      expect(result.errors?.[0]?.extensions).toMatchObject({ argument: "representations", index: 1 });
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(errorLogs(logged), JSON.stringify(representation)).toEqual([]);
    }
    const fine = await entities([model]);
    expect(fine.errors).toBeUndefined();
    expect(fine.data).toEqual({ _entities: [{ name: "gpt-4o-mini" }] });
  });
});

describe(`lone surrogates in text inputs on ${backendName}`, () => {
  it("a lone surrogate after a multi-byte character is stored as U+FFFD, as UTF-8 encodes it (PGlite miscounted its bytes)", async () => {
    const logged = gw.logs.length;
    for (const [title, stored] of [
      ["爛\udfa3", "爛\ufffd"],
      ["é\udc00x", "é\ufffdx"],
      ["𝔘\ud800", "𝔘\ufffd"],
      ["\udfa3爛", "\ufffd爛"],
    ] as const) {
      const result = await gw.graphql<{ createResearchPlan: { plan: { title: string } } }>(
        {
          query: "mutation ($title: String!) { createResearchPlan(input: { title: $title }) { plan { title } } }",
          variables: { title },
        },
        demoPat,
        { organizationId: acme },
      );
      expect(result.errors, JSON.stringify(title)).toBeUndefined();
      expect(result.data?.createResearchPlan.plan.title).toBe(stored);
    }
    expect(errorLogs(logged)).toEqual([]);
  });
});
