/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "query AiUsageSummary($from: DateTime!, $to: DateTime!) {\n  aiUsageSummary(from: $from, to: $to) {\n    day\n    model {\n      id\n      displayName\n    }\n    calls\n    inputTokens\n    outputTokens\n    costUsd\n  }\n}": typeof types.AiUsageSummaryDocument,
    "query ResearchPlansPage($first: Int!, $after: String, $filter: ResearchPlanFilter, $orderBy: ResearchPlanOrder) {\n  researchPlans(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {\n    totalCount\n    nodes {\n      id\n      title\n      status\n      version\n      updatedAt\n      author {\n        name\n      }\n      stepCount\n    }\n    pageInfo {\n      endCursor\n      hasNextPage\n    }\n  }\n}\n\nquery ResearchPlanDetail($id: ID!) {\n  researchPlan(id: $id) {\n    id\n    title\n    description\n    status\n    version\n    steps(first: 100) {\n      nodes {\n        id\n        position\n        title\n        status\n        branchingConditions(first: 20) {\n          nodes {\n            id\n            label\n            priority\n            rule {\n              kind\n              equals\n              expression\n            }\n            targetStep {\n              id\n              position\n            }\n          }\n        }\n      }\n    }\n    artifacts(first: 20) {\n      nodes {\n        id\n        title\n        kind\n      }\n    }\n  }\n}\n\nmutation CreateResearchPlan($input: CreateResearchPlanInput!) {\n  createResearchPlan(input: $input) {\n    plan {\n      id\n      title\n      status\n      version\n    }\n  }\n}\n\nmutation AddPlanStep($input: AddPlanStepInput!) {\n  addPlanStep(input: $input) {\n    step {\n      id\n      position\n      title\n    }\n  }\n}\n\nmutation TransitionResearchPlan($input: TransitionResearchPlanInput!) {\n  transitionResearchPlan(input: $input) {\n    plan {\n      id\n      status\n      version\n    }\n  }\n}": typeof types.ResearchPlansPageDocument,
    "query Viewer {\n  viewer {\n    user {\n      id\n      name\n      email\n    }\n    memberships {\n      organizationId\n      name\n      slug\n      role\n    }\n    activeOrganization {\n      id\n      name\n    }\n    role\n    scopes\n  }\n}": typeof types.ViewerDocument,
};
const documents: Documents = {
    "query AiUsageSummary($from: DateTime!, $to: DateTime!) {\n  aiUsageSummary(from: $from, to: $to) {\n    day\n    model {\n      id\n      displayName\n    }\n    calls\n    inputTokens\n    outputTokens\n    costUsd\n  }\n}": types.AiUsageSummaryDocument,
    "query ResearchPlansPage($first: Int!, $after: String, $filter: ResearchPlanFilter, $orderBy: ResearchPlanOrder) {\n  researchPlans(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {\n    totalCount\n    nodes {\n      id\n      title\n      status\n      version\n      updatedAt\n      author {\n        name\n      }\n      stepCount\n    }\n    pageInfo {\n      endCursor\n      hasNextPage\n    }\n  }\n}\n\nquery ResearchPlanDetail($id: ID!) {\n  researchPlan(id: $id) {\n    id\n    title\n    description\n    status\n    version\n    steps(first: 100) {\n      nodes {\n        id\n        position\n        title\n        status\n        branchingConditions(first: 20) {\n          nodes {\n            id\n            label\n            priority\n            rule {\n              kind\n              equals\n              expression\n            }\n            targetStep {\n              id\n              position\n            }\n          }\n        }\n      }\n    }\n    artifacts(first: 20) {\n      nodes {\n        id\n        title\n        kind\n      }\n    }\n  }\n}\n\nmutation CreateResearchPlan($input: CreateResearchPlanInput!) {\n  createResearchPlan(input: $input) {\n    plan {\n      id\n      title\n      status\n      version\n    }\n  }\n}\n\nmutation AddPlanStep($input: AddPlanStepInput!) {\n  addPlanStep(input: $input) {\n    step {\n      id\n      position\n      title\n    }\n  }\n}\n\nmutation TransitionResearchPlan($input: TransitionResearchPlanInput!) {\n  transitionResearchPlan(input: $input) {\n    plan {\n      id\n      status\n      version\n    }\n  }\n}": types.ResearchPlansPageDocument,
    "query Viewer {\n  viewer {\n    user {\n      id\n      name\n      email\n    }\n    memberships {\n      organizationId\n      name\n      slug\n      role\n    }\n    activeOrganization {\n      id\n      name\n    }\n    role\n    scopes\n  }\n}": types.ViewerDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query AiUsageSummary($from: DateTime!, $to: DateTime!) {\n  aiUsageSummary(from: $from, to: $to) {\n    day\n    model {\n      id\n      displayName\n    }\n    calls\n    inputTokens\n    outputTokens\n    costUsd\n  }\n}"): (typeof documents)["query AiUsageSummary($from: DateTime!, $to: DateTime!) {\n  aiUsageSummary(from: $from, to: $to) {\n    day\n    model {\n      id\n      displayName\n    }\n    calls\n    inputTokens\n    outputTokens\n    costUsd\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query ResearchPlansPage($first: Int!, $after: String, $filter: ResearchPlanFilter, $orderBy: ResearchPlanOrder) {\n  researchPlans(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {\n    totalCount\n    nodes {\n      id\n      title\n      status\n      version\n      updatedAt\n      author {\n        name\n      }\n      stepCount\n    }\n    pageInfo {\n      endCursor\n      hasNextPage\n    }\n  }\n}\n\nquery ResearchPlanDetail($id: ID!) {\n  researchPlan(id: $id) {\n    id\n    title\n    description\n    status\n    version\n    steps(first: 100) {\n      nodes {\n        id\n        position\n        title\n        status\n        branchingConditions(first: 20) {\n          nodes {\n            id\n            label\n            priority\n            rule {\n              kind\n              equals\n              expression\n            }\n            targetStep {\n              id\n              position\n            }\n          }\n        }\n      }\n    }\n    artifacts(first: 20) {\n      nodes {\n        id\n        title\n        kind\n      }\n    }\n  }\n}\n\nmutation CreateResearchPlan($input: CreateResearchPlanInput!) {\n  createResearchPlan(input: $input) {\n    plan {\n      id\n      title\n      status\n      version\n    }\n  }\n}\n\nmutation AddPlanStep($input: AddPlanStepInput!) {\n  addPlanStep(input: $input) {\n    step {\n      id\n      position\n      title\n    }\n  }\n}\n\nmutation TransitionResearchPlan($input: TransitionResearchPlanInput!) {\n  transitionResearchPlan(input: $input) {\n    plan {\n      id\n      status\n      version\n    }\n  }\n}"): (typeof documents)["query ResearchPlansPage($first: Int!, $after: String, $filter: ResearchPlanFilter, $orderBy: ResearchPlanOrder) {\n  researchPlans(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {\n    totalCount\n    nodes {\n      id\n      title\n      status\n      version\n      updatedAt\n      author {\n        name\n      }\n      stepCount\n    }\n    pageInfo {\n      endCursor\n      hasNextPage\n    }\n  }\n}\n\nquery ResearchPlanDetail($id: ID!) {\n  researchPlan(id: $id) {\n    id\n    title\n    description\n    status\n    version\n    steps(first: 100) {\n      nodes {\n        id\n        position\n        title\n        status\n        branchingConditions(first: 20) {\n          nodes {\n            id\n            label\n            priority\n            rule {\n              kind\n              equals\n              expression\n            }\n            targetStep {\n              id\n              position\n            }\n          }\n        }\n      }\n    }\n    artifacts(first: 20) {\n      nodes {\n        id\n        title\n        kind\n      }\n    }\n  }\n}\n\nmutation CreateResearchPlan($input: CreateResearchPlanInput!) {\n  createResearchPlan(input: $input) {\n    plan {\n      id\n      title\n      status\n      version\n    }\n  }\n}\n\nmutation AddPlanStep($input: AddPlanStepInput!) {\n  addPlanStep(input: $input) {\n    step {\n      id\n      position\n      title\n    }\n  }\n}\n\nmutation TransitionResearchPlan($input: TransitionResearchPlanInput!) {\n  transitionResearchPlan(input: $input) {\n    plan {\n      id\n      status\n      version\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Viewer {\n  viewer {\n    user {\n      id\n      name\n      email\n    }\n    memberships {\n      organizationId\n      name\n      slug\n      role\n    }\n    activeOrganization {\n      id\n      name\n    }\n    role\n    scopes\n  }\n}"): (typeof documents)["query Viewer {\n  viewer {\n    user {\n      id\n      name\n      email\n    }\n    memberships {\n      organizationId\n      name\n      slug\n      role\n    }\n    activeOrganization {\n      id\n      name\n    }\n    role\n    scopes\n  }\n}"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;