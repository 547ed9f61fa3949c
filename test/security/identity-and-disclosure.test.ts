import { sql } from "drizzle-orm";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type App, createApp } from "../../src/http/app.js";
import { createErrorMasker } from "../../src/pipeline/error-masking.js";
import { demoUsers } from "../../src/platform/db/index.js";
import { acme, dataOf, globex, initech } from "../graphql/helpers.js";
import { backendName } from "../support/database.js";
import {
  baseUrl,
  type Caller,
  createTestGateway,
  demoPat,
  errorCodes,
  type GraphQLResponse,
  globalId,
  type TestGateway,
} from "../support/gateway.js";
import { createTokenForUser } from "../support/tokens.js";
import { firstError, tableCounts } from "./helpers.js";

// Identity attacks (forged tenants, dead credentials, scope escalation, a member removed mid-session) and
// disclosure (production mode: introspection, suggestions, limit values, internal errors, not-found versus
// another tenant's row). Everything is checked for writing nothing, as the table owner.

const plansQuery = "{ researchPlans(first: 5) { nodes { id } } }";

describe(`identity and disclosure on ${backendName}`, () => {
  let gw: TestGateway;
  let production: App;
  let before: Record<string, number>;
  let initechPlan = "";

  beforeAll(async () => {
    gw = await createTestGateway();
    production = createApp({
      database: gw.db.database,
      auth: gw.auth,
      logger: pino({ level: "silent" }),
      graphiql: false,
      hostileInput: { production: true },
    });
    const [plan] = await gw.db.asOwner<{ id: string }>(
      sql`select id from research_plan where organization_id = ${initech} limit 1`,
    );
    initechPlan = plan?.id ?? "";
    before = await tableCounts(gw);
  }, 300_000);
  afterAll(async () => {
    await gw?.cleanup();
  });

  async function expectNothingWritten(): Promise<void> {
    const now = await tableCounts(gw);
    // Tokens created on purpose by these tests are the only additions.
    expect({ ...now, personal_access_token: 0, member: 0 }).toEqual({
      ...before,
      personal_access_token: 0,
      member: 0,
    });
  }

  async function productionGraphql<T>(query: string, variables?: Record<string, unknown>, as: Caller = demoPat) {
    const response = await production.fetch(
      new Request(`${baseUrl}/graphql`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...(as.kind === "pat" || as.kind === "bearer" ? { authorization: `Bearer ${as.token}` } : {}),
          "x-organization-id": acme,
        },
        body: JSON.stringify({ query, variables }),
      }),
    );
    const body = (await response.json()) as GraphQLResponse<T>["body"];
    return { status: response.status, body, errors: body.errors, data: body.data };
  }

  async function patFor(userId: string, scopes: ("read" | "write" | "agent")[], expiresAt: Date | null = null) {
    const created = await createTokenForUser(
      { database: gw.db.database },
      { userId, name: `attack ${scopes.join("+")}`, scopes, expiresAt },
    );
    return { caller: { kind: "pat", token: created.token } as Caller, id: created.record.id };
  }

  // --- identity ---------------------------------------------------------------------------------------

  it("forged X-Organization-Id (a tenant the caller is not in, or made up): FORBIDDEN, no SQL at all", async () => {
    for (const organizationId of [initech, "demo-org-nope"]) {
      const { result, statements } = await gw.countStatements(() =>
        gw.graphql({ query: plansQuery }, demoPat, { organizationId }),
      );
      expect(errorCodes(result)).toEqual(["FORBIDDEN"]);
      expect(result.body).not.toHaveProperty("data");
      expect(statements).toEqual([]);
    }
  });

  it("switching to an organization you are not in: setActiveOrganization is refused, the session keeps its tenant", async () => {
    const alice = await gw.signIn(demoUsers.alice.email);
    await gw.setActiveOrganization(alice, acme);
    const result = await gw.graphql(
      {
        query: "mutation($o: ID) { setActiveOrganization(input: { organizationId: $o }) { __typename } }",
        variables: { o: initech },
      },
      alice.cookie,
    );
    expect(errorCodes(result)[0]).toMatch(/FORBIDDEN|NOT_FOUND/);
    const still = dataOf(
      await gw.graphql<{ organization: { id: string } }>(
        { query: "{ organization { id: databaseId } }" },
        alice.cookie,
      ),
    );
    expect(still.organization.id).toBe(acme);
    // Better Auth's own endpoint refuses it too.
    const direct = await gw.authPost("/organization/set-active", { organizationId: initech }, alice.cookie);
    expect(direct.status).toBeGreaterThanOrEqual(400);
    await expectNothingWritten();
  });

  it("an expired session: its bearer token is UNAUTHENTICATED, its cookie is anonymous (no tenant data)", async () => {
    const carol = await gw.signIn(demoUsers.carol.email);
    dataOf(await gw.graphql({ query: plansQuery }, carol.bearer, { organizationId: globex }));
    await gw.db.asOwner(
      sql`update session set expires_at = now() - interval '1 second' where user_id = ${demoUsers.carol.id}`,
    );
    const bearer = await gw.graphql({ query: plansQuery }, carol.bearer, { organizationId: globex });
    expect(errorCodes(bearer)).toEqual(["UNAUTHENTICATED"]);
    expect(bearer.data ?? null).toBeNull();
    const cookie = await gw.graphql<{ researchPlans: unknown }>({ query: plansQuery }, carol.cookie);
    expect(cookie.data?.researchPlans ?? null).toBeNull();
    expect(errorCodes(cookie)).toContain("UNAUTHENTICATED");
  });

  it("a revoked session (signed out): the bearer token is UNAUTHENTICATED", async () => {
    const dave = await gw.signIn(demoUsers.dave.email);
    dataOf(await gw.graphql({ query: plansQuery }, dave.bearer, { organizationId: initech }));
    await gw.authPost("/sign-out", {}, dave.cookie);
    const after = await gw.graphql({ query: plansQuery }, dave.bearer, { organizationId: initech });
    expect(errorCodes(after)).toEqual(["UNAUTHENTICATED"]);
    expect(after.data ?? null).toBeNull();
  });

  it("a signed-out session's cookie: /graphql answers anonymously and its response clears the cookie", async () => {
    const bob = await gw.signIn(demoUsers.bob.email);
    await gw.authPost("/sign-out", {}, bob.cookie);
    const cookieName = bob.cookie.cookie.split("=")[0] ?? "?";
    const cleared = (response: GraphQLResponse<unknown>) =>
      response.headers.getSetCookie().find((cookie) => cookie.startsWith(`${cookieName}=`));

    const anonymousAnswer = await gw.graphql<{ researchPlans: unknown }>({ query: plansQuery }, bob.cookie);
    expect(anonymousAnswer.data?.researchPlans ?? null).toBeNull();
    expect(cleared(anonymousAnswer)).toMatch(/Max-Age=0/i);
    // Also when reading the principal fails after Better Auth answered (an organization asked for, nobody signed in).
    const refused = await gw.graphql({ query: plansQuery }, bob.cookie, { organizationId: acme });
    expect(errorCodes(refused)).toEqual(["UNAUTHENTICATED"]);
    expect(cleared(refused)).toMatch(/Max-Age=0/i);
  });

  it("a revoked personal access token is UNAUTHENTICATED at once", async () => {
    const token = await patFor(demoUsers.alice.id, ["read"]);
    dataOf(await gw.graphql({ query: plansQuery }, token.caller, { organizationId: acme }));
    await gw.db.asOwner(sql`update personal_access_token set revoked_at = now() where id = ${token.id}`);
    const after = await gw.graphql({ query: plansQuery }, token.caller, { organizationId: acme });
    expect(errorCodes(after)).toEqual(["UNAUTHENTICATED"]);
    expect(after.data ?? null).toBeNull();
  });

  it("an expired personal access token is UNAUTHENTICATED", async () => {
    const token = await patFor(demoUsers.alice.id, ["read"], new Date(Date.now() + 60_000));
    await gw.db.asOwner(
      sql`update personal_access_token set expires_at = now() - interval '1 second' where id = ${token.id}`,
    );
    const after = await gw.graphql({ query: plansQuery }, token.caller, { organizationId: acme });
    expect(errorCodes(after)).toEqual(["UNAUTHENTICATED"]);
  });

  it("token scope escalation: a read-only token cannot write, nor mint a token with more scopes", async () => {
    const reader = await patFor(demoUsers.alice.id, ["read"]);
    const write = await gw.graphql(
      { query: 'mutation { createResearchPlan(input: { title: "escalated" }) { plan { id } } }' },
      reader.caller,
      { organizationId: acme },
    );
    expect(errorCodes(write)).toEqual(["FORBIDDEN"]);
    const mint = await gw.graphql(
      {
        query:
          'mutation { createPersonalAccessToken(input: { name: "escalated", scopes: [READ, WRITE, AGENT] }) { token } }',
      },
      reader.caller,
      { organizationId: acme },
    );
    expect(errorCodes(mint)[0]).toMatch(/FORBIDDEN|UNAUTHENTICATED/);
    expect(mint.data ?? null).toBeNull();
    const [escalated] = await gw.db.asOwner<{ n: number }>(
      sql`select count(*)::int as n from personal_access_token where name = 'escalated'`,
    );
    expect(Number(escalated?.n)).toBe(0);
    await expectNothingWritten();
  });

  // --- disclosure ---------------------------------------------------------------------------------------

  it("production: introspection is refused without naming a type; development keeps it", async () => {
    const refused = await productionGraphql("{ __schema { types { name } } }");
    expect(refused.errors?.[0]?.extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
    expect(JSON.stringify(refused.body)).not.toMatch(/ResearchPlan|PlanStep/);
    const typeQuery = await productionGraphql('{ __type(name: "ResearchPlan") { fields { name } } }');
    expect(typeQuery.data ?? null).toBeNull();
    // __typename stays (clients and routers need it).
    expect((await productionGraphql("{ __typename }")).data).toEqual({ __typename: "Query" });
    const dev = await gw.graphql({ query: "{ __schema { queryType { name } } }" }, demoPat, { organizationId: acme });
    expect(dev.data).toEqual({ __schema: { queryType: { name: "Query" } } });
  });

  it('production: no "Did you mean" suggestions for fields, arguments or enum values', async () => {
    for (const query of [
      "{ researchPlan { titl } }",
      "{ researchPlanz(first: 1) { nodes { id } } }",
      "{ researchPlans(frist: 1) { nodes { id } } }",
      "{ researchPlans(first: 1, filter: { status: { in: [DRAFTT] } }) { nodes { id } } }",
    ]) {
      const result = await productionGraphql(query);
      expect(result.errors?.length).toBeGreaterThan(0);
      expect(JSON.stringify(result.body)).not.toMatch(/Did you mean|\btitle\b|researchPlans"|first"|DRAFT\b/);
    }
    const dev = await gw.graphql({ query: "{ researchPlanz { id } }" }, demoPat, { organizationId: acme });
    expect(firstError(dev).message).toMatch(/Did you mean/);
  });

  it("production: limit errors name the limit but not its value or the measured size", async () => {
    const aliases = Array.from({ length: 16 }, (_, i) => `a${i}: organization { name }`).join(" ");
    const result = await productionGraphql(`{ ${aliases} }`);
    expect(result.errors?.[0]?.extensions).toEqual({ code: "LIMIT_EXCEEDED", limit: "aliases" });
    expect(result.errors?.[0]?.message).not.toMatch(/\d/);
  });

  it("internal and uniqueness errors are masked: no SQL, constraint, table or value reaches the client", () => {
    const logged: Record<string, unknown>[] = [];
    const mask = createErrorMasker({
      error: (details) => logged.push(details),
      warn: (details) => logged.push(details),
    });
    const unique = Object.assign(new Error('duplicate key value violates unique constraint "organization_slug_key"'), {
      code: "23505",
      detail: "Key (slug)=(globex) already exists.",
      table: "organization",
    });
    const masked = mask(new Error("Failed query: insert into organization", { cause: unique }), "req-1");
    expect(masked.message).toBe("Unexpected error.");
    expect(masked.extensions).toEqual({ code: "INTERNAL_SERVER_ERROR", requestId: "req-1" });
    expect(JSON.stringify(masked)).not.toMatch(/slug|globex|organization|insert|23505/);
    expect(logged.length).toBe(1);
  });

  it("not-found versus another tenant's row: the same answer and the same statements, for reads and writes", async () => {
    const read = "query($id: ID!) { researchPlan(id: $id) { id title } }";
    const write =
      'mutation($id: ID!) { updateResearchPlan(input: { id: $id, expectedVersion: 1, title: "x" }) { plan { id } } }';
    for (const query of [read, write]) {
      const answers = [];
      for (const raw of [initechPlan, "demo-org-initech-plan-does-not-exist"]) {
        const { result, statements } = await gw.countStatements(() =>
          gw.graphql({ query, variables: { id: globalId("ResearchPlan", raw) } }, demoPat, { organizationId: acme }),
        );
        const body = JSON.stringify(result.body).replaceAll(globalId("ResearchPlan", raw), "ID");
        answers.push({ status: result.status, body, statements: statements.length });
      }
      expect(answers[0]).toEqual(answers[1]);
    }
    await expectNothingWritten();
  });

  it("not-found versus another tenant's row: similar time (medians of 25 requests each, generous bound)", async () => {
    const query = "query($id: ID!) { researchPlan(id: $id) { id title } }";
    const timeOf = async (raw: string) => {
      const started = performance.now();
      await gw.graphql({ query, variables: { id: globalId("ResearchPlan", raw) } }, demoPat, { organizationId: acme });
      return performance.now() - started;
    };
    const foreignTimes: number[] = [];
    const missingTimes: number[] = [];
    for (let i = 0; i < 25; i++) {
      // Interleaved, so load on the machine affects both alike.
      foreignTimes.push(await timeOf(initechPlan));
      missingTimes.push(await timeOf("does-not-exist"));
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
    const [a, b] = [median(foreignTimes), median(missingTimes)];
    expect(Math.abs(a - b)).toBeLessThan(Math.max(25, Math.min(a, b)));
  });

  // Last: it removes Bob from Acme.
  it("a member removed between two requests: the next request is FORBIDDEN, for the session and the token", async () => {
    const bob = await gw.signIn(demoUsers.bob.email);
    const bobToken = await patFor(demoUsers.bob.id, ["read", "write"]);
    dataOf(await gw.graphql({ query: plansQuery }, bob.bearer, { organizationId: acme }));
    dataOf(await gw.graphql({ query: plansQuery }, bobToken.caller, { organizationId: acme }));
    const alice = await gw.signIn(demoUsers.alice.email);
    const removed = await gw.authPost(
      "/organization/remove-member",
      { memberIdOrEmail: demoUsers.bob.email, organizationId: acme },
      alice.cookie,
    );
    expect(removed.status).toBe(200);
    for (const as of [bob.bearer, bobToken.caller]) {
      const after = await gw.graphql(
        { query: 'mutation { createResearchPlan(input: { title: "after removal" }) { plan { id } } }' },
        as,
        { organizationId: acme },
      );
      expect(errorCodes(after)).toEqual(["FORBIDDEN"]);
      expect(after.body).not.toHaveProperty("data");
    }
    const [written] = await gw.db.asOwner<{ n: number }>(
      sql`select count(*)::int as n from research_plan where title = 'after removal'`,
    );
    expect(Number(written?.n)).toBe(0);
  });
});
