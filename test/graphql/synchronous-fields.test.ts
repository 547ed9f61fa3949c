import { isThenable } from "@pothos/core";
import { isObjectType } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildSchema } from "../../src/domains/api-schema.js";
import { createTestGateway, demoPat, type TestGateway } from "../support/gateway.js";
import { acme, dataOf, type Page } from "./helpers.js";

// Below the root field, a read is one statement already answered: every nested field must resolve
// synchronously. A field that returns a promise for every row (plugin-relay's `globalID` did, for every
// node's `id`) makes graphql-js wait on each object and list holding it: a third of the server's CPU on
// three nested levels on Node 20, a sixth on Node 24 (bench/results/2026-11-28-levers.md, fourth pass).

let gw: TestGateway;
/** "Type.field" of every resolver call below the root that returned a promise, with its count. */
const promised = new Map<string, number>();
let calls = 0;

beforeAll(async () => {
  // The gateway serves this process's one schema (buildSchema() is memoized per module graph, and vitest
  // gives each test file its own): wrapping its resolvers here observes every request below.
  for (const type of Object.values(buildSchema().getTypeMap())) {
    const isRoot = type.name === "Query" || type.name === "Mutation";
    if (!isObjectType(type) || type.name.startsWith("__") || isRoot) continue;
    for (const field of Object.values(type.getFields())) {
      const resolve = field.resolve;
      if (!resolve) continue;
      field.resolve = (source, args, context, info) => {
        const result = resolve(source, args, context, info);
        calls += 1;
        if (isThenable(result)) {
          const key = `${type.name}.${field.name}`;
          promised.set(key, (promised.get(key) ?? 0) + 1);
        }
        return result;
      };
    }
  }
  gw = await createTestGateway();
});

afterAll(async () => {
  await gw?.cleanup();
});

describe("fields below the root resolve synchronously", () => {
  it("three nested levels of nodes: ids, columns, related connections", async () => {
    promised.clear();
    calls = 0;
    const response = await gw.graphql<{
      researchPlans: Page<{
        id: string;
        title: string;
        steps: Page<{ id: string; branchingConditions: Page<{ id: string }> }>;
      }>;
    }>(
      {
        query: `{ researchPlans(first: 5) { nodes { id title
          steps(first: 10) { nodes { id position title status
            branchingConditions { nodes { id label priority rule { kind equals } } } } } } } }`,
      },
      demoPat,
      { organizationId: acme },
    );
    const plans = dataOf(response).researchPlans.nodes;
    const steps = plans.flatMap((plan) => plan.steps.nodes);
    // The demo data has what makes this meaningful: plans with steps, steps with conditions.
    expect(steps.length).toBeGreaterThan(plans.length);
    expect(steps.some((step) => step.branchingConditions.nodes.length > 0)).toBe(true);
    expect(calls).toBeGreaterThan(steps.length * 4);
    expect(Object.fromEntries(promised)).toEqual({});
  });

  it("a connection's totalCount, pageInfo and second page by cursor", async () => {
    const query = `query ($after: String) { researchPlans(first: 3, after: $after) {
      totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id title createdAt } } } }`;
    type Connection = { researchPlans: Page<{ id: string }> & { totalCount: number } };
    const first = dataOf(await gw.graphql<Connection>({ query }, demoPat, { organizationId: acme }));
    expect(first.researchPlans.pageInfo?.hasNextPage).toBe(true);
    promised.clear();
    const second = dataOf(
      await gw.graphql<Connection>({ query, variables: { after: first.researchPlans.pageInfo?.endCursor } }, demoPat, {
        organizationId: acme,
      }),
    );
    expect(second.researchPlans.edges?.length).toBeGreaterThan(0);
    expect(second.researchPlans.totalCount).toBe(first.researchPlans.totalCount);
    expect(Object.fromEntries(promised)).toEqual({});
  });

  it("a node looked up by id, and the node interface", async () => {
    const page = dataOf(
      await gw.graphql<{ researchPlans: Page<{ id: string }> }>(
        { query: "{ researchPlans(first: 1) { nodes { id } } }" },
        demoPat,
        { organizationId: acme },
      ),
    );
    const id = page.researchPlans.nodes[0]?.id;
    expect(id).toBeDefined();
    promised.clear();
    const response = await gw.graphql<{ researchPlan: { id: string } | null; node: { id: string } | null }>(
      {
        query: `query ($id: ID!) { researchPlan(id: $id) { id title author { id } }
          node(id: $id) { id ... on ResearchPlan { title } } }`,
        variables: { id },
      },
      demoPat,
      { organizationId: acme },
    );
    const data = dataOf(response);
    expect(data.researchPlan?.id).toBe(id);
    expect(data.node?.id).toBe(id);
    expect(Object.fromEntries(promised)).toEqual({});
  });
});
