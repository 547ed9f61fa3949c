import { DEMO_TOKEN } from "../platform/db/index.js";

const defaultQuery = /* GraphQL */ `# Signed in as Alice with the demo token (see the Headers tab).
# Alice belongs to Acme Research and Globex Labs: change X-Organization-Id to switch tenants.
query Explore {
  viewer {
    user { name email }
    memberships { name slug organizationId role }
    activeOrganization { name }
  }
  researchPlans(first: 5, orderBy: { field: UPDATED_AT, direction: DESC }) {
    totalCount
    nodes {
      id
      title
      status
      author { name }
      steps(first: 10) {
        nodes {
          position
          title
          status
          branchingConditions { nodes { label targetStep { position } } }
        }
      }
    }
    pageInfo { endCursor hasNextPage }
  }
  aiModels { displayName currentPricing { inputPricePerToken outputPricePerToken } }
}
`;

/** GraphiQL's defaults in development: the demo token, a tenant, a query worth running, the CSRF header. */
export const graphiqlDefaults = {
  title: "Trovella Gateway",
  defaultQuery,
  headers: JSON.stringify({ Authorization: `Bearer ${DEMO_TOKEN}`, "X-Organization-Id": "demo-org-acme" }, null, 2),
  shouldPersistHeaders: false,
  // Sent with every request GraphiQL makes, beside the Headers tab. Its subscriptions go over SSE as GETs
  // (Yoga's GraphiQL: graphql-sse, distinct connections), which the CSRF check refuses without this header.
  additionalHeaders: { "x-graphql-csrf": "1" },
};
