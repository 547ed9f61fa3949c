import { describe, expect, it } from "vitest";
import { globalId, workloads } from "../../bench/workloads.js";

// W6 (the frontend page) compares every system's answer in one normalized shape: raw ids, lower-case enums,
// ISO instants, PostGraphile's connection names mapped onto ours.

describe("bench W6: the frontend page", () => {
  const conditionRule = { kind: "status", equals: "completed" };
  /** One plan as ours answers it (Relay ids, upper-case enums) or as the baseline does (raw ids, lower-case). */
  function oursShape(id: (type: string, raw: string) => string, upper: boolean) {
    const value = (v: string) => (upper ? v.toUpperCase() : v);
    return {
      researchPlan: {
        id: id("ResearchPlan", "pl-1"),
        title: "Plan",
        description: null,
        status: value("draft"),
        version: 2,
        steps: {
          nodes: [
            {
              id: id("PlanStep", "st-1"),
              position: 1,
              title: "Step 1",
              status: value("completed"),
              branchingConditions: {
                nodes: [
                  {
                    id: id("PlanBranchingCondition", "co-1"),
                    label: "on success",
                    priority: 0,
                    rule: { ...conditionRule, expression: null },
                    targetStep: { id: id("PlanStep", "st-2"), position: 2 },
                  },
                ],
              },
            },
          ],
        },
        artifacts: {
          nodes: [
            {
              id: id("ResearchArtifact", "ar-1"),
              title: "Source",
              kind: value("web_page"),
              extractionResults: {
                nodes: [{ id: id("ExtractionResult", "ex-1"), confidence: 0.75, values: { a: 1 } }],
              },
            },
          ],
        },
        outputs: {
          nodes: [
            {
              id: id("ResearchOutput", "ou-1"),
              title: "Output",
              format: value("markdown"),
              publishedAt: "2026-01-01T03:00:00.000Z",
              feedback: { nodes: [{ id: id("ResearchFeedback", "fb-1"), rating: 4, comment: null }] },
            },
          ],
        },
      },
    };
  }
  const postgraphileShape = {
    researchPlanByRowId: {
      rowId: "pl-1",
      title: "Plan",
      description: null,
      status: "DRAFT",
      version: 2,
      planStepsByOrganizationIdAndPlanId: {
        nodes: [
          {
            rowId: "st-1",
            position: 1,
            title: "Step 1",
            status: "COMPLETED",
            planBranchingConditionsByOrganizationIdAndStepId: {
              nodes: [
                {
                  rowId: "co-1",
                  label: "on success",
                  priority: 0,
                  rule: conditionRule,
                  planStepByOrganizationIdAndTargetStepId: { rowId: "st-2", position: 2 },
                },
              ],
            },
          },
        ],
      },
      researchArtifactsByOrganizationIdAndPlanId: {
        nodes: [
          {
            rowId: "ar-1",
            title: "Source",
            kind: "WEB_PAGE",
            extractionResultsByOrganizationIdAndArtifactId: {
              nodes: [{ rowId: "ex-1", confidence: 0.75, values: { a: 1 } }],
            },
          },
        ],
      },
      researchOutputsByOrganizationIdAndPlanId: {
        nodes: [
          {
            rowId: "ou-1",
            title: "Output",
            format: "MARKDOWN",
            publishedAt: "2026-01-01T03:00:00+00:00",
            researchFeedbacksByOrganizationIdAndOutputId: { nodes: [{ rowId: "fb-1", rating: 4, comment: null }] },
          },
        ],
      },
    },
  };

  it("normalizes ours', PostGraphile's and the baseline's answers to one value", () => {
    const w6 = workloads.W6;
    const ours = w6.normalize("ours", { data: oursShape(globalId, true) });
    expect(w6.normalize("postgraphile", { data: postgraphileShape })).toEqual(ours);
    expect(w6.normalize("baseline", { data: oursShape((_type, raw) => raw, false) })).toEqual(ours);
    expect(ours).toMatchObject({
      id: "pl-1",
      steps: [{ id: "st-1", conditions: [{ targetStep: { id: "st-2", position: 2 } }] }],
      artifacts: [{ kind: "web_page", extractionResults: [{ id: "ex-1", confidence: 0.75 }] }],
      outputs: [{ format: "markdown", publishedAt: "2026-01-01T03:00:00.000Z", feedback: [{ rating: 4 }] }],
    });
  });

  it("asks each system for the plan by its own id", () => {
    const target = { org: { index: 1, id: "o", userId: "u", token: "t", planCount: 1 }, planId: "pl-1", cursors: {} };
    expect(JSON.parse(workloads.W6.request("ours", target, 0).body).variables).toEqual({
      id: globalId("ResearchPlan", "pl-1"),
    });
    expect(JSON.parse(workloads.W6.request("postgraphile", target, 0).body).variables).toEqual({ id: "pl-1" });
    expect(workloads.W6.request("baseline", target, 0)).toEqual({ path: "/w6", body: '{"id":"pl-1"}' });
  });
});
