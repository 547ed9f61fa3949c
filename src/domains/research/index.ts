// The research slice of the schema (mirrors schema/research.ts): types, root queries, then mutations. Each
// mutation file wires GraphQL to a service module that holds the domain's rules: plan-service.ts (plan lock,
// versions, the plan's life), step-service.ts (step positions, branching conditions), record-service.ts
// (what agents record), audit.ts (audit entries).
import "./types.js";
import "./queries.js";
import "./plan-mutations.js";
import "./step-mutations.js";
import "./record-mutations.js";
import "./subscriptions.js";

export { PlanStep, ResearchArtifact, ResearchOutput, ResearchPlan, SkillExecution } from "./types.js";
