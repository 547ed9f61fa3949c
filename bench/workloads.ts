import {
  baseline,
  dataOf,
  type Flavor,
  globalId,
  graphql,
  idField,
  instant,
  type Json,
  list,
  lower,
  obj,
  type RequestBody,
  rawId,
} from "./answers.js";
import type { BenchOrganization } from "./seed.js";

export type { Flavor, RequestBody } from "./answers.js";
export { dataOf, globalId } from "./answers.js";

// The six workloads, as each system spells them, and how each system's answer is normalized so that they
// all can be compared (with the helpers of answers.ts): raw row ids (ours answers Relay global ids), ISO
// instants in UTC, lower-case enum values, nested lists flattened to plain arrays.

export const systemNames = [
  "ours",
  "ours_b",
  "ours_pgbouncer",
  "postgraphile",
  "baseline",
  "yoga_floor",
  "yoga_floor_jit",
] as const;
/**
 * `ours_b` is a second build of our gateway (OURS_B_DIR), run side by side with `ours` to measure a change.
 * `ours_pgbouncer` is ours connected through PgBouncer in transaction mode (DATABASE_PREPARED_STATEMENTS=false):
 * the pooler's cost, as a ratio to `ours` in the same run.
 * `yoga_floor` is bare graphql-yoga running the baseline's statements (bench/servers/yoga-floor.ts);
 * `yoga_floor_jit` the same executing with graphql-jit.
 */
export type SystemName = (typeof systemNames)[number];

export function flavorOf(system: SystemName): Flavor {
  if (system === "ours_b" || system === "ours_pgbouncer") return "ours";
  return system === "yoga_floor_jit" ? "yoga_floor" : system;
}

export const workloadNames = ["W1", "W2", "W3", "W4", "W5", "W6"] as const;
export type WorkloadName = (typeof workloadNames)[number];

/** One request slot of a workload: who asks, for which tenant, about what. */
export interface Target {
  org: BenchOrganization;
  /** W1, W6: the plan looked up; W5: the plan a step is added to. */
  planId: string;
  /** W4: the first page's endCursor, as each system issued it. */
  cursors: Partial<Record<SystemName, string>>;
}

export interface Workload {
  name: WorkloadName;
  title: string;
  mutation: boolean;
  /** Root fields of the operation (for "data statements per root field"). */
  rootFields: number;
  request(system: SystemName, target: Target, sequence: number): RequestBody;
  normalize(system: SystemName, response: unknown): unknown;
}

/** A workload as written, per API flavor; `workloads` below adapts it to every system. */
interface WorkloadDef {
  name: WorkloadName;
  title: string;
  mutation: boolean;
  rootFields: number;
  request(system: Flavor, target: Target, sequence: number, cursor: string | undefined): RequestBody;
  normalize(system: Flavor, response: unknown): unknown;
}

const planRoot: Record<Flavor, string> = {
  ours: "researchPlans",
  postgraphile: "allResearchPlans",
  baseline: "researchPlans",
  yoga_floor: "researchPlans",
};

function plan(system: Flavor, value: unknown): Json {
  const row = obj(value, "plan");
  return {
    id: rawId(system, row[idField(system)]),
    title: row.title,
    status: lower(row.status),
    createdAt: instant(row.createdAt),
  };
}

const W1: WorkloadDef = {
  name: "W1",
  title: "lookup by id",
  mutation: false,
  rootFields: 1,
  request(system, target) {
    if (system === "ours" || system === "yoga_floor") {
      return graphql("query W1($id: ID!) { researchPlan(id: $id) { id title status version createdAt } }", {
        id: system === "ours" ? globalId("ResearchPlan", target.planId) : target.planId,
      });
    }
    if (system === "postgraphile") {
      return graphql(
        "query W1($id: String!) { researchPlanByRowId(rowId: $id) { rowId title status version createdAt } }",
        { id: target.planId },
      );
    }
    return baseline("/w1", { id: target.planId });
  },
  normalize(system, response) {
    const data = dataOf(system, response);
    const row = data[system === "postgraphile" ? "researchPlanByRowId" : "researchPlan"];
    if (row === null) return null;
    return { ...plan(system, row), version: obj(row, "plan").version };
  },
};

const W2: WorkloadDef = {
  name: "W2",
  title: "first 20 plans",
  mutation: false,
  rootFields: 1,
  request(system) {
    if (system === "ours" || system === "yoga_floor") {
      return graphql("query W2 { researchPlans(first: 20) { nodes { id title status createdAt } } }");
    }
    if (system === "postgraphile") {
      return graphql(
        "query W2 { allResearchPlans(first: 20, orderBy: [CREATED_AT_DESC]) { nodes { rowId title status createdAt } } }",
      );
    }
    return baseline("/w2");
  },
  normalize(system, response) {
    const connection = obj(dataOf(system, response)[planRoot[system]], "connection");
    return list(connection.nodes, "nodes").map((node) => plan(system, node));
  },
};

const W3: WorkloadDef = {
  name: "W3",
  title: "nested: 20 plans → 10 steps → conditions",
  mutation: false,
  rootFields: 1,
  request(system) {
    if (system === "ours" || system === "yoga_floor") {
      return graphql(`query W3 { researchPlans(first: 20) { nodes { id title
        steps(first: 10) { nodes { id position title status
          branchingConditions { nodes { id label priority rule { kind equals } } } } } } } }`);
    }
    if (system === "postgraphile") {
      return graphql(`query W3 { allResearchPlans(first: 20, orderBy: [CREATED_AT_DESC]) { nodes { rowId title
        planStepsByOrganizationIdAndPlanId(first: 10, orderBy: [POSITION_ASC]) { nodes { rowId position title status
          planBranchingConditionsByOrganizationIdAndStepId(orderBy: [PRIORITY_ASC]) { nodes { rowId label priority rule } } } } } } }`);
    }
    return baseline("/w3");
  },
  normalize(system, response) {
    const pg = system === "postgraphile";
    const connection = obj(dataOf(system, response)[planRoot[system]], "connection");
    return list(connection.nodes, "nodes").map((value) => {
      const row = obj(value, "plan");
      const steps = obj(row[pg ? "planStepsByOrganizationIdAndPlanId" : "steps"], "steps");
      return {
        id: rawId(system, row[idField(system)]),
        title: row.title,
        steps: list(steps.nodes, "steps").map((stepValue) => {
          const step = obj(stepValue, "step");
          const conditions = obj(
            step[pg ? "planBranchingConditionsByOrganizationIdAndStepId" : "branchingConditions"],
            "conditions",
          );
          return {
            id: rawId(system, step[idField(system)]),
            position: step.position,
            title: step.title,
            status: lower(step.status),
            conditions: list(conditions.nodes, "conditions").map((conditionValue) => {
              const condition = obj(conditionValue, "condition");
              const rule = obj(condition.rule, "rule");
              return {
                id: rawId(system, condition[idField(system)]),
                label: condition.label,
                priority: condition.priority,
                rule: { kind: rule.kind, equals: rule.equals ?? null },
              };
            }),
          };
        }),
      };
    });
  },
};

const w4Ours = `query W4($after: String) { researchPlans(first: 20, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } nodes { id title createdAt } } }`;
const w4Query: Record<Exclude<Flavor, "baseline">, string> = {
  ours: w4Ours,
  postgraphile: `query W4($after: Cursor) { allResearchPlans(first: 20, after: $after, orderBy: [CREATED_AT_DESC]) {
    totalCount pageInfo { hasNextPage endCursor } nodes { rowId title createdAt } } }`,
  yoga_floor: w4Ours,
};

/** W4's first page (to obtain each system's cursor for the second). */
export function firstPageRequest(system: SystemName): RequestBody {
  const flavor = flavorOf(system);
  return flavor === "baseline" ? baseline("/w4-first") : graphql(w4Query[flavor], { after: null });
}

export function endCursorOf(system: SystemName, response: unknown): string {
  return endCursorOfFlavor(flavorOf(system), response);
}

function endCursorOfFlavor(system: Flavor, response: unknown): string {
  const connection = obj(dataOf(system, response)[planRoot[system]], "connection");
  const cursor = obj(connection.pageInfo, "pageInfo").endCursor;
  if (typeof cursor !== "string") throw new Error(`${system}: no endCursor on the first page`);
  return cursor;
}

const W4: WorkloadDef = {
  name: "W4",
  title: "connection + totalCount, second page by cursor",
  mutation: false,
  rootFields: 1,
  request(system, target, _sequence, after) {
    if (after === undefined) throw new Error(`W4: no ${system} cursor for ${target.org.id}`);
    return system === "baseline" ? baseline("/w4", { after }) : graphql(w4Query[system], { after });
  },
  normalize(system, response) {
    const connection = obj(dataOf(system, response)[planRoot[system]], "connection");
    return {
      totalCount: connection.totalCount,
      hasNextPage: obj(connection.pageInfo, "pageInfo").hasNextPage,
      nodes: list(connection.nodes, "nodes").map((value) => {
        const row = obj(value, "plan");
        return { id: rawId(system, row[idField(system)]), title: row.title, createdAt: instant(row.createdAt) };
      }),
    };
  },
};

const W5: WorkloadDef = {
  name: "W5",
  title: "mutation: add a step",
  mutation: true,
  rootFields: 1,
  request(system, target, sequence) {
    const title = `Bench step ${sequence}`;
    if (system === "ours" || system === "yoga_floor") {
      return graphql(
        `mutation W5($input: AddPlanStepInput!) { addPlanStep(input: $input) {
          step { id position title status } plan { version } } }`,
        { input: { planId: system === "ours" ? globalId("ResearchPlan", target.planId) : target.planId, title } },
      );
    }
    if (system === "postgraphile") {
      return graphql(
        `mutation W5($planId: String!, $title: String!) { benchPgAddPlanStep(input: { planId: $planId, title: $title }) {
          result { rowId position title status researchPlanByOrganizationIdAndPlanId { version } } } }`,
        { planId: target.planId, title },
      );
    }
    return baseline("/w5", { planId: target.planId, title });
  },
  normalize(system, response) {
    const data = dataOf(system, response);
    if (system === "postgraphile") {
      const step = obj(obj(data.benchPgAddPlanStep, "payload").result, "step");
      const planRow = obj(step.researchPlanByOrganizationIdAndPlanId, "plan");
      return { position: step.position, title: step.title, status: lower(step.status), version: planRow.version };
    }
    const payload = obj(data.addPlanStep, "payload");
    const step = obj(payload.step, "step");
    const planRow = obj(payload.plan, "plan");
    return { position: step.position, title: step.title, status: lower(step.status), version: planRow.version };
  },
};

const w6Ours = `query W6($id: ID!) { researchPlan(id: $id) { id title description status version
    steps(first: 100) { nodes { id position title status
      branchingConditions(first: 20) { nodes { id label priority rule { kind equals expression } targetStep { id position } } } } }
    artifacts(first: 20) { nodes { id title kind extractionResults(first: 20) { nodes { id confidence values } } } }
    outputs(first: 20) { nodes { id title format publishedAt feedback(first: 20) { nodes { id rating comment } } } } } }`;

// PostGraphile offers ordering by indexed columns only: extraction results (indexed by artifact) are ordered by
// their id, which the seed makes follow created_at, the order ours and the baseline use.
const w6PostGraphile = `query W6($id: String!) { researchPlanByRowId(rowId: $id) { rowId title description status version
    planStepsByOrganizationIdAndPlanId(first: 100, orderBy: [POSITION_ASC]) { nodes { rowId position title status
      planBranchingConditionsByOrganizationIdAndStepId(first: 20, orderBy: [PRIORITY_ASC]) { nodes { rowId label priority rule
        planStepByOrganizationIdAndTargetStepId { rowId position } } } } }
    researchArtifactsByOrganizationIdAndPlanId(first: 20, orderBy: [CREATED_AT_ASC]) { nodes { rowId title kind
      extractionResultsByOrganizationIdAndArtifactId(first: 20, orderBy: [ROW_ID_ASC]) { nodes { rowId confidence values } } } }
    researchOutputsByOrganizationIdAndPlanId(first: 20, orderBy: [CREATED_AT_DESC]) { nodes { rowId title format publishedAt
      researchFeedbacksByOrganizationIdAndOutputId(first: 20, orderBy: [CREATED_AT_DESC]) { nodes { rowId rating comment } } } } } }`;

/** The nodes of the connection `field` (ours' name) or `pgField` (PostGraphile's) of `row`. */
function nodesOf(system: Flavor, row: Json, field: string, pgField: string): Json[] {
  const connection = obj(row[system === "postgraphile" ? pgField : field], field);
  return list(connection.nodes, `${field} nodes`).map((node) => obj(node, field));
}

const W6: WorkloadDef = {
  name: "W6",
  title: "frontend page: one plan in full",
  mutation: false,
  rootFields: 1,
  request(system, target) {
    if (system === "ours" || system === "yoga_floor") {
      return graphql(w6Ours, { id: system === "ours" ? globalId("ResearchPlan", target.planId) : target.planId });
    }
    if (system === "postgraphile") return graphql(w6PostGraphile, { id: target.planId });
    return baseline("/w6", { id: target.planId });
  },
  normalize(system, response) {
    const data = dataOf(system, response);
    const value = data[system === "postgraphile" ? "researchPlanByRowId" : "researchPlan"];
    if (value === null) return null;
    const row = obj(value, "plan");
    const id = (node: Json) => rawId(system, node[idField(system)]);
    return {
      id: id(row),
      title: row.title,
      description: row.description,
      status: lower(row.status),
      version: row.version,
      steps: nodesOf(system, row, "steps", "planStepsByOrganizationIdAndPlanId").map((step) => ({
        id: id(step),
        position: step.position,
        title: step.title,
        status: lower(step.status),
        conditions: nodesOf(
          system,
          step,
          "branchingConditions",
          "planBranchingConditionsByOrganizationIdAndStepId",
        ).map((condition) => {
          const rule = obj(condition.rule, "rule");
          const target = obj(
            condition[system === "postgraphile" ? "planStepByOrganizationIdAndTargetStepId" : "targetStep"],
            "targetStep",
          );
          return {
            id: id(condition),
            label: condition.label,
            priority: condition.priority,
            rule: { kind: rule.kind, equals: rule.equals ?? null, expression: rule.expression ?? null },
            targetStep: { id: id(target), position: target.position },
          };
        }),
      })),
      artifacts: nodesOf(system, row, "artifacts", "researchArtifactsByOrganizationIdAndPlanId").map((artifact) => ({
        id: id(artifact),
        title: artifact.title,
        kind: lower(artifact.kind),
        extractionResults: nodesOf(
          system,
          artifact,
          "extractionResults",
          "extractionResultsByOrganizationIdAndArtifactId",
        ).map((result) => ({ id: id(result), confidence: result.confidence, values: result.values })),
      })),
      outputs: nodesOf(system, row, "outputs", "researchOutputsByOrganizationIdAndPlanId").map((output) => ({
        id: id(output),
        title: output.title,
        format: lower(output.format),
        publishedAt: output.publishedAt === null ? null : instant(output.publishedAt),
        feedback: nodesOf(system, output, "feedback", "researchFeedbacksByOrganizationIdAndOutputId").map(
          (feedback) => ({ id: id(feedback), rating: feedback.rating, comment: feedback.comment }),
        ),
      })),
    };
  },
};

function adapt(def: WorkloadDef): Workload {
  return {
    name: def.name,
    title: def.title,
    mutation: def.mutation,
    rootFields: def.rootFields,
    request: (system, target, sequence) => def.request(flavorOf(system), target, sequence, target.cursors[system]),
    normalize: (system, response) => def.normalize(flavorOf(system), response),
  };
}

export const workloads: Record<WorkloadName, Workload> = {
  W1: adapt(W1),
  W2: adapt(W2),
  W3: adapt(W3),
  W4: adapt(W4),
  W5: adapt(W5),
  W6: adapt(W6),
};
