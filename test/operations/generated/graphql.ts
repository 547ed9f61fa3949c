/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
export type AddPlanStepInput = {
  /** Up to 10,000 characters. */
  instructions?: string | null | undefined;
  planId: string | number;
  /** 1-based; defaults to the end. Later steps move down. */
  position?: number | null | undefined;
  /** 1–200 characters. */
  title: string;
};

/** What kind of source an artifact is. */
export type ArtifactKind =
  | 'DATASET'
  | 'DOCUMENT'
  | 'FILE'
  | 'NOTE'
  | 'WEB_PAGE';

export type CreateResearchPlanInput = {
  /** Up to 10,000 characters. */
  description?: string | null | undefined;
  /** 1–200 characters. */
  title: string;
};

/** Conditions on one column; all that are given must hold. */
export type DateTimeFilter = {
  /** Equal to. */
  eq?: string | null | undefined;
  /** Greater than. */
  gt?: string | null | undefined;
  /** Greater than or equal to. */
  gte?: string | null | undefined;
  /** true: the column is null; false: it is not. */
  isNull?: boolean | null | undefined;
  /** Less than. */
  lt?: string | null | undefined;
  /** Less than or equal to. */
  lte?: string | null | undefined;
  /** Not equal to (rows where the column is null do not match). */
  ne?: string | null | undefined;
};

/** Conditions on one column; all that are given must hold. */
export type IdFilter = {
  /** Equal to. */
  eq?: string | number | null | undefined;
  /** Any of these (at most 100). */
  in?: Array<string | number> | null | undefined;
  /** true: the column is null; false: it is not. */
  isNull?: boolean | null | undefined;
  /** Not equal to (rows where the column is null do not match). */
  ne?: string | number | null | undefined;
  /** None of these (at most 100; rows where the column is null do not match). */
  notIn?: Array<string | number> | null | undefined;
};

export type OrderDirection =
  | 'ASC'
  | 'DESC';

/** Where a research plan is in its life. */
export type PlanStatus =
  | 'CANCELLED'
  | 'COMPLETED'
  | 'DRAFT'
  | 'FAILED'
  | 'RUNNING';

/** Conditions on one column; all that are given must hold. */
export type PlanStatusFilter = {
  /** Equal to. */
  eq?: PlanStatus | null | undefined;
  /** Any of these (at most 100). */
  in?: Array<PlanStatus> | null | undefined;
  /** true: the column is null; false: it is not. */
  isNull?: boolean | null | undefined;
  /** Not equal to (rows where the column is null do not match). */
  ne?: PlanStatus | null | undefined;
  /** None of these (at most 100; rows where the column is null do not match). */
  notIn?: Array<PlanStatus> | null | undefined;
};

/** Conditions on the rows; all that are given must hold. and/or/not nest two levels. Limits: docs/filtering.md. */
export type ResearchPlanFilter = {
  /** Every one of these holds. */
  and?: Array<ResearchPlanFilterClause> | null | undefined;
  authorId?: IdFilter | null | undefined;
  createdAt?: DateTimeFilter | null | undefined;
  /** This does not hold. */
  not?: ResearchPlanFilterClause | null | undefined;
  /** At least one of these holds. */
  or?: Array<ResearchPlanFilterClause> | null | undefined;
  status?: PlanStatusFilter | null | undefined;
  title?: StringFilter | null | undefined;
  updatedAt?: DateTimeFilter | null | undefined;
};

/** Conditions on the rows, second level of ResearchPlanFilter. */
export type ResearchPlanFilterClause = {
  /** Every one of these holds. */
  and?: Array<ResearchPlanFilterTerm> | null | undefined;
  authorId?: IdFilter | null | undefined;
  createdAt?: DateTimeFilter | null | undefined;
  /** This does not hold. */
  not?: ResearchPlanFilterTerm | null | undefined;
  /** At least one of these holds. */
  or?: Array<ResearchPlanFilterTerm> | null | undefined;
  status?: PlanStatusFilter | null | undefined;
  title?: StringFilter | null | undefined;
  updatedAt?: DateTimeFilter | null | undefined;
};

/** Conditions on the rows, innermost level of ResearchPlanFilter (no and/or/not). */
export type ResearchPlanFilterTerm = {
  authorId?: IdFilter | null | undefined;
  createdAt?: DateTimeFilter | null | undefined;
  status?: PlanStatusFilter | null | undefined;
  title?: StringFilter | null | undefined;
  updatedAt?: DateTimeFilter | null | undefined;
};

/** The order of a connection's rows; ties are broken by id, so cursors stay stable. */
export type ResearchPlanOrder = {
  /** Default per field: CREATED_AT DESC, UPDATED_AT DESC, TITLE ASC. */
  direction?: OrderDirection | null | undefined;
  field: ResearchPlanOrderField;
};

export type ResearchPlanOrderField =
  /** Default direction: DESC. */
  | 'CREATED_AT'
  /** Default direction: ASC. */
  | 'TITLE'
  /** Default direction: DESC. */
  | 'UPDATED_AT';

/** Where a plan step is in its run. */
export type StepStatus =
  | 'COMPLETED'
  | 'FAILED'
  | 'PENDING'
  | 'RUNNING'
  | 'SKIPPED';

/** Conditions on one column; all that are given must hold. */
export type StringFilter = {
  /** Contains this text, ignoring case (scans the organization's rows: combine it with a narrower filter). */
  contains?: string | null | undefined;
  /** Equal to. */
  eq?: string | null | undefined;
  /** Any of these (at most 100). */
  in?: Array<string> | null | undefined;
  /** true: the column is null; false: it is not. */
  isNull?: boolean | null | undefined;
  /** Not equal to (rows where the column is null do not match). */
  ne?: string | null | undefined;
  /** None of these (at most 100; rows where the column is null do not match). */
  notIn?: Array<string> | null | undefined;
  /** Starts with this text (case-sensitive). */
  startsWith?: string | null | undefined;
};

export type TransitionResearchPlanInput = {
  /** When given, a newer version → CONFLICT. */
  expectedVersion?: number | null | undefined;
  id: string | number;
  to: PlanStatus;
};

export type AiUsageSummaryQueryVariables = Exact<{
  from: string;
  to: string;
}>;


export type AiUsageSummaryQuery = { aiUsageSummary: Array<{ day: string, calls: number, inputTokens: number, outputTokens: number, costUsd: number, model: { id: string, displayName: string } }> };

export type ResearchPlanPageFragment = { totalCount: number, nodes: Array<{ id: string, title: string, status: PlanStatus, version: number, updatedAt: string, stepCount: number, author: { name: string } }>, pageInfo: { endCursor: string | null, hasNextPage: boolean } };

export type ResearchPlansPageQueryVariables = Exact<{
  first: number;
  after?: string | null | undefined;
  filter?: ResearchPlanFilter | null | undefined;
  orderBy?: ResearchPlanOrder | null | undefined;
}>;


export type ResearchPlansPageQuery = { researchPlans: { totalCount: number, nodes: Array<{ id: string, title: string, status: PlanStatus, version: number, updatedAt: string, stepCount: number, author: { name: string } }>, pageInfo: { endCursor: string | null, hasNextPage: boolean } } };

export type ResearchPlansTwoPagesQueryVariables = Exact<{
  first: number;
  after: string;
}>;


export type ResearchPlansTwoPagesQuery = { page: { totalCount: number, nodes: Array<{ id: string, title: string, status: PlanStatus, version: number, updatedAt: string, stepCount: number, author: { name: string } }>, pageInfo: { endCursor: string | null, hasNextPage: boolean } }, next: { totalCount: number, nodes: Array<{ id: string, title: string, status: PlanStatus, version: number, updatedAt: string, stepCount: number, author: { name: string } }>, pageInfo: { endCursor: string | null, hasNextPage: boolean } } };

export type ResearchArtifactPageFragment = { totalCount: number, nodes: Array<{ id: string, title: string, kind: ArtifactKind }>, pageInfo: { endCursor: string | null, hasNextPage: boolean } };

export type ArtifactPagesQueryVariables = Exact<{
  planId: string | number;
  first: number;
}>;


export type ArtifactPagesQuery = { researchArtifacts: { totalCount: number, nodes: Array<{ id: string, title: string, kind: ArtifactKind }>, pageInfo: { endCursor: string | null, hasNextPage: boolean } }, researchPlan: { artifacts: { totalCount: number, nodes: Array<{ id: string, title: string, kind: ArtifactKind }>, pageInfo: { endCursor: string | null, hasNextPage: boolean } } } | null };

export type ResearchPlanDetailQueryVariables = Exact<{
  id: string | number;
}>;


export type ResearchPlanDetailQuery = { researchPlan: { id: string, title: string, description: string | null, status: PlanStatus, version: number, steps: { nodes: Array<{ id: string, position: number, title: string, status: StepStatus, branchingConditions: { nodes: Array<{ id: string, label: string | null, priority: number, rule: { kind: string, equals: string | null, expression: string | null }, targetStep: { id: string, position: number } }> } }> }, artifacts: { nodes: Array<{ id: string, title: string, kind: ArtifactKind }> } } | null };

export type CreateResearchPlanMutationVariables = Exact<{
  input: CreateResearchPlanInput;
}>;


export type CreateResearchPlanMutation = { createResearchPlan: { plan: { id: string, title: string, status: PlanStatus, version: number } } };

export type AddPlanStepMutationVariables = Exact<{
  input: AddPlanStepInput;
}>;


export type AddPlanStepMutation = { addPlanStep: { step: { id: string, position: number, title: string }, plan: { id: string, version: number, stepCount: number } } };

export type TransitionResearchPlanMutationVariables = Exact<{
  input: TransitionResearchPlanInput;
}>;


export type TransitionResearchPlanMutation = { transitionResearchPlan: { plan: { id: string, status: PlanStatus, version: number } } };

export type ViewerQueryVariables = Exact<{ [key: string]: never; }>;


export type ViewerQuery = { viewer: { role: string | null, scopes: Array<string>, user: { id: string, name: string, email: string }, memberships: Array<{ organizationId: string, name: string, slug: string, role: string }>, activeOrganization: { id: string, name: string } | null } | null };

export const ResearchPlanPageFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ResearchPlanPage"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ResearchPlanConnection"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}},{"kind":"Field","name":{"kind":"Name","value":"author"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"stepCount"}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"endCursor"}},{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}}]}}]}}]} as unknown as DocumentNode<ResearchPlanPageFragment, unknown>;
export const ResearchArtifactPageFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ResearchArtifactPage"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ResearchArtifactConnection"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"endCursor"}},{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}}]}}]}}]} as unknown as DocumentNode<ResearchArtifactPageFragment, unknown>;
export const AiUsageSummaryDocument = {"__meta__":{"hash":"sha256:b09b64011167cf1ccc0630465934b7a19fb3ce5ab7805daf2eaac12205f25e41"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"AiUsageSummary"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"from"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"DateTime"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"to"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"DateTime"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"aiUsageSummary"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"from"},"value":{"kind":"Variable","name":{"kind":"Name","value":"from"}}},{"kind":"Argument","name":{"kind":"Name","value":"to"},"value":{"kind":"Variable","name":{"kind":"Name","value":"to"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"day"}},{"kind":"Field","name":{"kind":"Name","value":"model"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"displayName"}}]}},{"kind":"Field","name":{"kind":"Name","value":"calls"}},{"kind":"Field","name":{"kind":"Name","value":"inputTokens"}},{"kind":"Field","name":{"kind":"Name","value":"outputTokens"}},{"kind":"Field","name":{"kind":"Name","value":"costUsd"}}]}}]}}]} as unknown as DocumentNode<AiUsageSummaryQuery, AiUsageSummaryQueryVariables>;
export const ResearchPlansPageDocument = {"__meta__":{"hash":"sha256:ffaefbb125971f2660e147fab9f6f381547c2de30f58b2e57ee57ff7772164dd"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ResearchPlansPage"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"ResearchPlanFilter"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"orderBy"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"ResearchPlanOrder"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"researchPlans"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}},{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}},{"kind":"Argument","name":{"kind":"Name","value":"orderBy"},"value":{"kind":"Variable","name":{"kind":"Name","value":"orderBy"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ResearchPlanPage"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ResearchPlanPage"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ResearchPlanConnection"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}},{"kind":"Field","name":{"kind":"Name","value":"author"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"stepCount"}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"endCursor"}},{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}}]}}]}}]} as unknown as DocumentNode<ResearchPlansPageQuery, ResearchPlansPageQueryVariables>;
export const ResearchPlansTwoPagesDocument = {"__meta__":{"hash":"sha256:8a3d6597694eec3d712e30a95caddd99d936a250eb8bde44bb277f5deaf64531"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ResearchPlansTwoPages"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","alias":{"kind":"Name","value":"page"},"name":{"kind":"Name","value":"researchPlans"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ResearchPlanPage"}}]}},{"kind":"Field","alias":{"kind":"Name","value":"next"},"name":{"kind":"Name","value":"researchPlans"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ResearchPlanPage"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ResearchPlanPage"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ResearchPlanConnection"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}},{"kind":"Field","name":{"kind":"Name","value":"author"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"stepCount"}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"endCursor"}},{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}}]}}]}}]} as unknown as DocumentNode<ResearchPlansTwoPagesQuery, ResearchPlansTwoPagesQueryVariables>;
export const ArtifactPagesDocument = {"__meta__":{"hash":"sha256:8fef3b19f5aaa7c5a1495d3f54c8f5a134db4e17292184d56594bb13e6ec8a21"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ArtifactPages"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"planId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"researchArtifacts"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ResearchArtifactPage"}}]}},{"kind":"Field","name":{"kind":"Name","value":"researchPlan"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"planId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"artifacts"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ResearchArtifactPage"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ResearchArtifactPage"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ResearchArtifactConnection"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"endCursor"}},{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}}]}}]}}]} as unknown as DocumentNode<ArtifactPagesQuery, ArtifactPagesQueryVariables>;
export const ResearchPlanDetailDocument = {"__meta__":{"hash":"sha256:c943ff2f761a02f505a78a918bffb6c1224dc195de7cf6b620fcc74b1ceb66da"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ResearchPlanDetail"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"researchPlan"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"steps"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"100"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"position"}},{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"branchingConditions"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"20"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"label"}},{"kind":"Field","name":{"kind":"Name","value":"priority"}},{"kind":"Field","name":{"kind":"Name","value":"rule"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"equals"}},{"kind":"Field","name":{"kind":"Name","value":"expression"}}]}},{"kind":"Field","name":{"kind":"Name","value":"targetStep"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"position"}}]}}]}}]}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"artifacts"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"20"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}}]}}]}}]}}]}}]} as unknown as DocumentNode<ResearchPlanDetailQuery, ResearchPlanDetailQueryVariables>;
export const CreateResearchPlanDocument = {"__meta__":{"hash":"sha256:0fb127e642debc71ae7c422c8c0c3bb7aedbb79ace5f7a9407fa89ce46d4fe7d"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreateResearchPlan"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CreateResearchPlanInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createResearchPlan"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"plan"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"version"}}]}}]}}]}}]} as unknown as DocumentNode<CreateResearchPlanMutation, CreateResearchPlanMutationVariables>;
export const AddPlanStepDocument = {"__meta__":{"hash":"sha256:abe7e621694b9a7d5ebd01a2424a8ba48c77db67030222eab437131cae8ad23f"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"AddPlanStep"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"AddPlanStepInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"addPlanStep"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"step"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"position"}},{"kind":"Field","name":{"kind":"Name","value":"title"}}]}},{"kind":"Field","name":{"kind":"Name","value":"plan"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"stepCount"}}]}}]}}]}}]} as unknown as DocumentNode<AddPlanStepMutation, AddPlanStepMutationVariables>;
export const TransitionResearchPlanDocument = {"__meta__":{"hash":"sha256:f4d342e2b2c8d1089e3da3a85aff71bc431d2e39d79a7345115318c393f392f8"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"TransitionResearchPlan"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"TransitionResearchPlanInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"transitionResearchPlan"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"plan"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"version"}}]}}]}}]}}]} as unknown as DocumentNode<TransitionResearchPlanMutation, TransitionResearchPlanMutationVariables>;
export const ViewerDocument = {"__meta__":{"hash":"sha256:af384c723ac069fcf9f56e14b6d901c3a280f561caa39168c3ad8a981ba44265"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Viewer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"viewer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"user"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"email"}}]}},{"kind":"Field","name":{"kind":"Name","value":"memberships"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"organizationId"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"slug"}},{"kind":"Field","name":{"kind":"Name","value":"role"}}]}},{"kind":"Field","name":{"kind":"Name","value":"activeOrganization"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"scopes"}}]}}]}}]} as unknown as DocumentNode<ViewerQuery, ViewerQueryVariables>;