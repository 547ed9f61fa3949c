import { sql } from "drizzle-orm";
import { parse as parseQuery } from "graphql";
import { pino } from "pino";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildSchema } from "../../src/domains/api-schema.js";
import { createApp } from "../../src/http/app.js";
import { operationCost } from "../../src/pipeline/operation-cost.js";
import { DEMO_TOKEN } from "../../src/platform/db/index.js";
import { acme, dataOf } from "../graphql/helpers.js";
import { backendName, serverOnlyTest } from "../support/database.js";
import { baseUrl, createTestGateway, demoPat, errorCodes, type TestGateway } from "../support/gateway.js";
import { countPlans, firstError, nested } from "./helpers.js";

// Denial of service and transport: every operation limit, the request size, batching, GET, CSRF, CORS and
// the security headers. Each refusal is checked for its exact code and for having written nothing.

describe(`operation limits and transport on ${backendName}`, () => {
  let gw: TestGateway;
  let plansBefore: number;

  beforeAll(async () => {
    gw = await createTestGateway();
    plansBefore = await countPlans(gw);
  }, 300_000);
  afterAll(async () => {
    expect(await countPlans(gw)).toBe(plansBefore);
    await gw?.cleanup();
  });

  async function post(body: string, headers: Record<string, string> = {}): Promise<Response> {
    return gw.app.fetch(
      new Request(`${baseUrl}/graphql`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${demoPat.kind === "pat" ? demoPat.token : ""}`,
          "x-organization-id": acme,
          "content-type": "application/json",
          ...headers,
        },
        body,
      }),
    );
  }

  it("depth: 9 levels is LIMIT_EXCEEDED (limit named, values shown outside production); 8 levels run", async () => {
    const tooDeep = await gw.graphql({ query: `{ ${nested(9)} }` }, demoPat, { organizationId: acme });
    expect(errorCodes(tooDeep)).toEqual(["LIMIT_EXCEEDED"]);
    expect(firstError(tooDeep).extensions).toMatchObject({ limit: "depth", max: 8 });
    expect(tooDeep.data ?? null).toBeNull();
    const deepEnough = await gw.graphql({ query: `{ ${nested(8)} }` }, demoPat, { organizationId: acme });
    expect(deepEnough.errors).toBeUndefined();
  });

  it("depth: the _entities query a router sends (entity → steps → conditions → target) is admitted", async () => {
    const plans = dataOf(
      await gw.graphql<{ researchPlans: { nodes: { id: string }[] } }>(
        { query: "{ researchPlans(first: 2) { nodes { id } } }" },
        demoPat,
        { organizationId: acme },
      ),
    ).researchPlans.nodes;
    const query = `query($representations: [_Any!]!) {
      _entities(representations: $representations) {
        __typename
        ... on ResearchPlan { id title steps(first: 5) { nodes { id branchingConditions(first: 5) { nodes { id targetStep { id title } } } } } }
      }
    }`;
    const representations = plans.map((plan) => ({ __typename: "ResearchPlan", id: plan.id }));
    const result = dataOf(
      await gw.graphql<{ _entities: ({ id: string } | null)[] }>({ query, variables: { representations } }, demoPat, {
        organizationId: acme,
      }),
    );
    expect(result._entities.map((entity) => entity?.id)).toEqual(plans.map((plan) => plan.id));
  });

  it("aliases: 16 aliases is LIMIT_EXCEEDED; 15 run", async () => {
    const aliases = (n: number) => Array.from({ length: n }, (_, i) => `a${i}: organization { name }`).join(" ");
    const refused = await gw.graphql({ query: `{ ${aliases(16)} }` }, demoPat, { organizationId: acme });
    expect(errorCodes(refused)).toEqual(["LIMIT_EXCEEDED"]);
    expect(firstError(refused).extensions).toMatchObject({ limit: "aliases", max: 15 });
    expect((await gw.graphql({ query: `{ ${aliases(15)} }` }, demoPat, { organizationId: acme })).errors).toBe(
      undefined,
    );
  });

  it("tokens: a 2001-token document is refused while parsing, with LIMIT_EXCEEDED", async () => {
    // `{` + 1999 × `__typename` + `}` = 2001 tokens.
    const query = `{ ${Array.from({ length: 1999 }, () => "__typename").join(" ")} }`;
    const refused = await gw.graphql({ query }, demoPat, { organizationId: acme });
    expect(errorCodes(refused)).toEqual(["LIMIT_EXCEEDED"]);
    expect(firstError(refused).extensions).toMatchObject({ limit: "tokens", max: 2000 });
  });

  it("directives: 51 directives is LIMIT_EXCEEDED", async () => {
    const query = `{ ${Array.from({ length: 51 }, () => "... @include(if: true) { __typename }").join(" ")} }`;
    const refused = await gw.graphql({ query }, demoPat, { organizationId: acme });
    expect(errorCodes(refused)).toEqual(["LIMIT_EXCEEDED"]);
    expect(firstError(refused).extensions).toMatchObject({ limit: "directives", max: 50 });
  });

  it("cost: first/last multiply; two nested full pages (100 × 100) are refused before any SQL runs", async () => {
    const query = "query($n: Int!) { researchPlans(first: $n) { nodes { id steps(first: $n) { nodes { id } } } } }";
    const { result: refused, statements } = await gw.countStatements(() =>
      gw.graphql({ query, variables: { n: 100 } }, demoPat, { organizationId: acme }),
    );
    expect(errorCodes(refused)).toEqual(["LIMIT_EXCEEDED"]);
    expect(firstError(refused).extensions).toMatchObject({ limit: "cost", max: 10_000, actual: 10_201 });
    expect(statements.filter((statement) => /research_plan/i.test(statement))).toEqual([]);
    // The same shape with smaller pages is fine.
    dataOf(await gw.graphql({ query, variables: { n: 20 } }, demoPat, { organizationId: acme }));
  });

  it("cost model: the repo's heaviest operation fits; the default page is 20; _entities counts its inputs", () => {
    const schema = buildSchema();
    const cost = (query: string, variables: Record<string, unknown> = {}) =>
      operationCost(schema, parseQuery(query), undefined, variables);
    expect(cost("{ researchPlans { nodes { id } } }")).toBe(1 + 20);
    expect(cost("{ researchPlans(last: 3) { edges { node { id author { name } } } } }")).toBe(1 + 3 * (1 + 2));
    expect(
      cost(
        "{ researchPlan(id: 1) { steps(first: 100) { nodes { branchingConditions(first: 20) { nodes { targetStep { id } } } } } } }",
      ),
    ).toBeLessThan(10_000);
    expect(
      cost("query($r: [_Any!]!) { _entities(representations: $r) { ... on ResearchPlan { author { name } } } }", {
        r: [{}, {}, {}],
      }),
    ).toBe(3 * 2);
  });

  it("huge pages: first: 1000 is BAD_USER_INPUT before anything runs", async () => {
    const refused = await gw.graphql({ query: "{ researchPlans(first: 1000) { nodes { id } } }" }, demoPat, {
      organizationId: acme,
    });
    expect(errorCodes(refused)).toEqual(["BAD_USER_INPUT"]);
    expect(firstError(refused).extensions).toMatchObject({ argument: "first", max: 100 });
  });

  it("page sizes set by variables or @include are checked on every request of the same document", async () => {
    const ask = (query: string, variables: Record<string, unknown>) =>
      gw.graphql({ query, variables }, demoPat, { organizationId: acme });
    const bySize = "query($n: Int!) { researchPlans(first: $n) { nodes { id } } }";
    dataOf(await ask(bySize, { n: 5 }));
    expect(errorCodes(await ask(bySize, { n: 1000 }))).toEqual(["BAD_USER_INPUT"]);
    dataOf(await ask(bySize, { n: 5 }));

    const byInclude =
      "query($big: Boolean!) { researchPlans(first: 5) { nodes { id } } big: researchPlans(first: 1000) @include(if: $big) { nodes { id } } }";
    dataOf(await ask(byInclude, { big: false }));
    expect(errorCodes(await ask(byInclude, { big: true }))).toEqual(["BAD_USER_INPUT"]);
    dataOf(await ask(byInclude, { big: false }));

    // A literal size is refused whatever the other variables, also after a request whose variables did not
    // coerce (that one fails on its variables).
    const literal =
      "query($s: [PlanStatus!]) { researchPlans(first: 1000, filter: { status: { in: $s } }) { nodes { id } } }";
    expect(errorCodes(await ask(literal, { s: ["NOT_A_STATUS"] }))).toEqual(["BAD_USER_INPUT"]);
    for (const s of [["DRAFT"], null]) {
      const refused = await ask(literal, { s });
      expect(errorCodes(refused)).toEqual(["BAD_USER_INPUT"]);
      expect(firstError(refused).extensions).toMatchObject({ argument: "first", max: 100 });
    }
  });

  it("request size: a body over 1 MB (huge variables) is 413 LIMIT_EXCEEDED, nothing parsed or written", async () => {
    const body = JSON.stringify({
      query: "mutation($t: String!) { createResearchPlan(input: { title: $t }) { plan { id } } }",
      variables: { t: "x".repeat(1024 * 1024) },
    });
    const response = await post(body);
    expect(response.status).toBe(413);
    const json = (await response.json()) as { errors: { extensions: { code: string; limit: string } }[] };
    expect(json.errors[0]?.extensions).toMatchObject({ code: "LIMIT_EXCEEDED", limit: "requestSize" });
    // A large but allowed body still works.
    const ok = await post(
      JSON.stringify({ query: "query($v: String) { __typename }", variables: { v: "y".repeat(500_000) } }),
    );
    expect(ok.status).toBe(200);
  });

  it("request size: Better Auth's endpoints have the same limit (an oversized sign-in is 413, chunked or not)", async () => {
    const signIn = JSON.stringify({ email: "alice@acme.test", password: "p".repeat(2 * 1024 * 1024) });
    const declared = await gw.app.fetch(
      new Request(`${baseUrl}/api/auth/sign-in/email`, {
        method: "POST",
        headers: { "content-type": "application/json", "content-length": String(signIn.length), origin: baseUrl },
        body: signIn,
      }),
    );
    expect(declared.status).toBe(413);
    const chunked = await gw.app.fetch(
      new Request(`${baseUrl}/api/auth/sign-in/email`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: baseUrl },
        body: new Blob([signIn]).stream(),
        duplex: "half",
      } as RequestInit),
    );
    expect(chunked.status).toBe(413);
    expect(((await chunked.json()) as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code).toBe(
      "LIMIT_EXCEEDED",
    );
  });

  it("huge variables inside the size limit: a 100 000-id nodes() list is refused by cost, no SQL", async () => {
    const ids = Array.from({ length: 100_000 }, (_, i) => String(i));
    const { result, statements } = await gw.countStatements(() =>
      gw.graphql({ query: "query($ids: [ID!]!) { nodes(ids: $ids) { id } }", variables: { ids } }, demoPat, {
        organizationId: acme,
      }),
    );
    expect(errorCodes(result)).toEqual(["LIMIT_EXCEEDED"]);
    expect(firstError(result).extensions?.limit).toBe("cost");
    expect(statements).toEqual([]);
  });

  it("batching is off: a JSON array of operations is refused with 400", async () => {
    const response = await post(JSON.stringify([{ query: "{ __typename }" }, { query: "{ __typename }" }]));
    expect(response.status).toBe(400);
    const json = (await response.json()) as { errors?: { message: string }[]; data?: unknown };
    expect(json.data).toBeUndefined();
    expect(json.errors?.length).toBe(1);
  });

  it("no mutations over GET (405), and a GET needs the CSRF header", async () => {
    const mutation = encodeURIComponent('mutation { createResearchPlan(input: { title: "via GET" }) { plan { id } } }');
    const headers = {
      authorization: `Bearer ${demoPat.kind === "pat" ? demoPat.token : ""}`,
      "x-organization-id": acme,
    };
    const viaGet = await gw.app.fetch(
      new Request(`${baseUrl}/graphql?query=${mutation}`, {
        headers: { ...headers, "x-graphql-csrf": "1", accept: "application/json" },
      }),
    );
    expect(viaGet.status).toBe(405);
    const query = encodeURIComponent("{ organization { name } }");
    const noCsrf = await gw.app.fetch(
      new Request(`${baseUrl}/graphql?query=${query}`, { headers: { ...headers, accept: "application/json" } }),
    );
    expect(noCsrf.status).toBe(403);
    const withCsrf = await gw.app.fetch(
      new Request(`${baseUrl}/graphql?query=${query}`, {
        headers: { ...headers, "x-graphql-csrf": "1", accept: "application/json" },
      }),
    );
    expect(withCsrf.status).toBe(200);
    expect(((await withCsrf.json()) as { data: unknown }).data).toEqual({ organization: { name: "Acme Research" } });
  });

  it("CSRF: the refusal is coded CSRF_HEADER_REQUIRED (403); Apollo's and Yoga's preflight headers pass too", async () => {
    const get = (headers: Record<string, string>) =>
      gw.app.fetch(
        new Request(`${baseUrl}/graphql?query=${encodeURIComponent("{ organization { name } }")}`, {
          headers: { authorization: `Bearer ${DEMO_TOKEN}`, "x-organization-id": acme, ...headers },
        }),
      );
    const refused = await get({});
    expect(refused.status).toBe(403);
    const body = (await refused.json()) as { errors?: { extensions?: { code?: string } }[] };
    expect(body.errors?.map((error) => error.extensions?.code)).toEqual(["CSRF_HEADER_REQUIRED"]);
    for (const header of [
      "x-graphql-csrf",
      "x-graphql-yoga-csrf",
      "apollo-require-preflight",
      "x-apollo-operation-name",
    ]) {
      expect((await get({ [header]: "1" })).status).toBe(200);
    }
    // A Content-Type a page cannot send without a preflight is proof enough (Apollo Client keeps it on GET).
    expect((await get({ "content-type": "application/json" })).status).toBe(200);
    expect((await get({ "content-type": "text/plain" })).status).toBe(403);
  });

  it("CSRF: a form-encoded (simple) POST is refused without the header", async () => {
    const response = await gw.app.fetch(
      new Request(`${baseUrl}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: `query=${encodeURIComponent('mutation { createResearchPlan(input: { title: "csrf" }) { plan { id } } }')}`,
      }),
    );
    expect(response.status).toBe(403);
  });

  it("security headers on every response; no CORS headers when no origin is configured", async () => {
    for (const path of ["/graphql", "/healthz", "/nowhere", "/api/auth/get-session"]) {
      const response = await gw.app.fetch(
        new Request(`${baseUrl}${path}`, { headers: { origin: "https://evil.example", "x-graphql-csrf": "1" } }),
      );
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
      expect(response.headers.get("x-frame-options")).toBe("DENY");
      expect(response.headers.get("referrer-policy")).toBe("no-referrer");
      expect(response.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
      expect(response.headers.get("access-control-allow-origin")).toBeNull();
    }
  });

  it("CORS_ORIGINS: a listed origin is allowed with credentials, another is not", async () => {
    const app = createApp({
      database: gw.db.database,
      auth: gw.auth,
      logger: silentLogger,
      graphiql: false,
      hostileInput: { corsOrigins: ["https://app.example"] },
    });
    const preflight = (origin: string) =>
      app.fetch(
        new Request(`${baseUrl}/graphql`, {
          method: "OPTIONS",
          headers: {
            origin,
            "access-control-request-method": "POST",
            "access-control-request-headers": "content-type",
          },
        }),
      );
    const allowed = await preflight("https://app.example");
    expect(allowed.headers.get("access-control-allow-origin")).toBe("https://app.example");
    expect(allowed.headers.get("access-control-allow-credentials")).toBe("true");
    const refused = await preflight("https://evil.example");
    expect(refused.headers.get("access-control-allow-origin")).not.toBe("https://evil.example");
  });

  it("GraphiQL (development only) gets a CSP that lets its inlined page run", async () => {
    const app = createApp({ database: gw.db.database, auth: gw.auth, logger: silentLogger, graphiql: true });
    const page = await app.fetch(new Request(`${baseUrl}/graphql`, { headers: { accept: "text/html" } }));
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    const csp = page.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("script-src 'self' 'unsafe-inline'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
  });

  it("statement_timeout: every operation sets it locally (SET LOCAL, not session-wide)", async () => {
    const { statements } = await gw.countStatements(() =>
      gw.graphql({ query: "{ organization { name } }" }, demoPat, { organizationId: acme }),
    );
    expect(statements.some((statement) => /statement_timeout/.test(statement))).toBe(true);
    expect(statements.some((statement) => /^\s*set\s+statement_timeout/i.test(statement))).toBe(false);
  });

  serverOnlyTest(
    "slow query: past statement_timeout it is a clear TIMEOUT error, rolled back (PostgreSQL; PGlite has no timer)",
    async () => {
      const app = createApp({
        database: gw.db.database,
        auth: gw.auth,
        logger: silentLogger,
        graphiql: false,
        statementTimeoutMs: 300,
      });
      const owner = postgres(gw.db.databaseUrl ?? "", { max: 1, onnotice: () => {} });
      try {
        const response = await owner.begin(async (tx) => {
          await tx`lock table research_plan in access exclusive mode`;
          return app.fetch(
            new Request(`${baseUrl}/graphql`, {
              method: "POST",
              headers: {
                authorization: `Bearer ${demoPat.kind === "pat" ? demoPat.token : ""}`,
                "x-organization-id": acme,
                "content-type": "application/json",
              },
              body: JSON.stringify({ query: "{ researchPlans(first: 5) { nodes { id } } }" }),
            }),
          );
        });
        const json = (await response.json()) as { errors?: { message: string; extensions: { code: string } }[] };
        expect(json.errors?.[0]?.extensions.code).toBe("TIMEOUT");
        expect(json.errors?.[0]?.message).toMatch(/time limit/);
        expect(json.errors?.[0]?.message).not.toMatch(/research_plan|select|lock/i);
      } finally {
        await owner.end();
      }
    },
  );

  it("nothing above wrote a row", async () => {
    const rows = await gw.db.asOwner<{ n: number }>(
      sql`select count(*)::int as n from research_plan where title in ('via GET', 'csrf')`,
    );
    expect(rows[0]?.n).toBe(0);
  });
});

const silentLogger = pino({ level: "silent" });
