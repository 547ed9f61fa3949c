import { createHash } from "node:crypto";
import { expect } from "vitest";

// The three operations every client runs: a query, a page of plans by cursor, a mutation. Written as a frontend
// would write them, once, so the clients differ only in how they send them.

export const organizationQuery = `query ClientOrganization {
  organization {
    id
    name
  }
}`;

export const planPageQuery = `query ClientPlanPage($first: Int!, $after: String) {
  researchPlans(first: $first, after: $after) {
    totalCount
    pageInfo {
      hasNextPage
      endCursor
    }
    nodes {
      id
      title
    }
  }
}`;

export const createPlanMutation = `mutation ClientCreatePlan($input: CreateResearchPlanInput!) {
  createResearchPlan(input: $input) {
    plan {
      id
      title
    }
  }
}`;

export type OrganizationData = {
  organization: { id: string; name: string } | null;
};

export type PlanPage = {
  researchPlans: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    nodes: { id: string; title: string }[];
  } | null;
};

export type CreatePlanData = {
  createResearchPlan: { plan: { id: string; title: string } | null };
};

/** Acme in the demo data (`id` is its global ID: Organization is a Node). */
export const acmeOrganization = {
  id: Buffer.from("Organization:demo-org-acme").toString("base64"),
  name: "Acme Research",
};

/** The hex sha256 of a document's text: what the manifests key documents by. */
export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/**
 * Follows `endCursor` from the first page to the last, `pageSize` plans at a time; checks that the pages hold
 * every plan once (as many as totalCount) and that the cursor moved each time. Returns the plan ids.
 */
export async function walkPlanPages(
  fetchPage: (variables: { first: number; after: string | null }) => Promise<PlanPage>,
  pageSize: number,
): Promise<string[]> {
  const ids: string[] = [];
  let after: string | null = null;
  let totalCount = -1;
  for (let page = 0; page < 50; page++) {
    const { researchPlans } = await fetchPage({ first: pageSize, after });
    if (!researchPlans) throw new Error("researchPlans is null");
    totalCount = researchPlans.totalCount;
    expect(researchPlans.nodes.length).toBeLessThanOrEqual(pageSize);
    ids.push(...researchPlans.nodes.map((node) => node.id));
    if (!researchPlans.pageInfo.hasNextPage) break;
    expect(researchPlans.pageInfo.endCursor).not.toBe(after);
    after = researchPlans.pageInfo.endCursor;
  }
  expect(new Set(ids).size).toBe(ids.length);
  expect(ids.length).toBe(totalCount);
  // More than one page, or the cursor was never used.
  expect(ids.length).toBeGreaterThan(pageSize);
  return ids;
}
