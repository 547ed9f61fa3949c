// The demo world `npm start` and `npm run db:seed` create: small enough to read, rich enough to explore
// every domain as two different tenants.

export const DEMO_PASSWORD = "demo-password-123";
/** Development only: a fixed personal access token for Alice, printed at start and prefilled in GraphiQL. */
export const DEMO_TOKEN = "trv_demo_alice_dev_only_0000000000000000000000";

export interface DemoUser {
  id: string;
  name: string;
  email: string;
}

export const demoUsers = {
  alice: { id: "demo-user-alice", name: "Alice Archer", email: "alice@acme.test" },
  bob: { id: "demo-user-bob", name: "Bob Baker", email: "bob@acme.test" },
  carol: { id: "demo-user-carol", name: "Carol Chen", email: "carol@globex.test" },
  dave: { id: "demo-user-dave", name: "Dave Diaz", email: "dave@initech.test" },
} satisfies Record<string, DemoUser>;

export interface DemoOrganization {
  id: string;
  name: string;
  slug: string;
  type: "personal" | "team" | "enterprise";
  /** How many research plans it gets: the organizations differ in size on purpose. */
  planCount: number;
  members: { user: keyof typeof demoUsers; role: "owner" | "admin" | "member" }[];
}

export const demoOrganizations: DemoOrganization[] = [
  {
    id: "demo-org-acme",
    name: "Acme Research",
    slug: "acme",
    type: "enterprise",
    planCount: 12,
    members: [
      { user: "alice", role: "owner" },
      { user: "bob", role: "member" },
    ],
  },
  {
    id: "demo-org-globex",
    name: "Globex Labs",
    slug: "globex",
    type: "team",
    planCount: 5,
    // Alice belongs to two organizations: switch between them to see tenant isolation at work.
    members: [
      { user: "carol", role: "owner" },
      { user: "alice", role: "member" },
    ],
  },
  {
    id: "demo-org-initech",
    name: "Initech",
    slug: "initech",
    type: "personal",
    planCount: 2,
    members: [{ user: "dave", role: "owner" }],
  },
];

export const demoModels = [
  {
    id: "model-gpt-4o-mini",
    provider: "openai",
    name: "gpt-4o-mini",
    displayName: "GPT-4o mini",
    kind: "chat" as const,
    contextWindow: 128000,
    prices: [
      { from: "2025-01-01T00:00:00Z", to: "2026-01-01T00:00:00Z", input: 0.00000015, output: 0.0000006 },
      { from: "2026-01-01T00:00:00Z", to: null, input: 0.00000012, output: 0.0000005 },
    ],
  },
  {
    id: "model-claude-sonnet",
    provider: "anthropic",
    name: "claude-sonnet-4",
    displayName: "Claude Sonnet 4",
    kind: "chat" as const,
    contextWindow: 200000,
    prices: [{ from: "2025-01-01T00:00:00Z", to: null, input: 0.000003, output: 0.000015 }],
  },
  {
    id: "model-text-embedding-3-small",
    provider: "openai",
    name: "text-embedding-3-small",
    displayName: "Text Embedding 3 Small",
    kind: "embedding" as const,
    contextWindow: 8191,
    prices: [{ from: "2025-01-01T00:00:00Z", to: null, input: 0.00000002, output: 0 }],
  },
];

export const researchTopics = [
  "Battery recycling economics",
  "Coastal flood risk models",
  "Open-source LLM licensing",
  "Urban heat island mitigation",
  "Supply chain carbon accounting",
  "Antibiotic resistance trends",
  "Solid-state battery patents",
  "Remote work productivity studies",
  "Vertical farming yields",
  "Microplastics in drinking water",
  "Grid-scale storage policy",
  "Protein folding benchmarks",
  "Semiconductor export controls",
  "Wildfire smoke health effects",
  "Carbon capture cost curves",
];

export const stepTemplates = [
  "Define the research questions",
  "Collect primary sources",
  "Extract key figures",
  "Cross-check conflicting claims",
  "Synthesize findings",
  "Draft the summary",
];
