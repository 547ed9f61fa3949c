import { spawn } from "node:child_process";
import { request as httpRequest } from "node:http";
import type postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_TOKEN, demoUsers } from "../../src/platform/db/index.js";
import { linkIn, type SmtpServer, sender, smtpPassword, smtpUser, startSmtpServer } from "../support/smtp.js";
import { type Cluster, startCluster } from "./support/cluster.js";
import {
  type GraphQLReply,
  gql,
  ownerClient,
  prepareDatabase,
  probe,
  repoRoot,
  type ServerProcess,
  signInBearer,
  spawnServer,
} from "./support/stack.js";

// Production is explicit (docs/production.md), tested on the real server process (NODE_ENV=production)
// against a throwaway cluster: no database, no router secret and the demo seed each refuse the start; the
// demo seed's removal script works and the server then starts; FEDERATION=off removes `_service` and
// `_entities`; anonymous operations spend a budget per client address, X-Forwarded-For believed only from
// TRUSTED_PROXIES; invitations are e-mailed through SMTP_URL with INVITATION_URL's link, and without SMTP the
// start warns and no link is handed out.

let cluster: Cluster;
const servers: ServerProcess[] = [];
const owners: postgres.Sql[] = [];

beforeAll(async () => {
  cluster = await startCluster();
}, 180_000);

afterAll(async () => {
  for (const server of servers) server.kill();
  for (const owner of owners) await owner.end().catch(() => {});
  await cluster?.destroy();
});

async function start(url: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  const server = await spawnServer(url, env);
  servers.push(server);
  return server;
}

/** Runs a command in the repository; its exit code and output. */
function run(
  command: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; output: string }> {
  const child = spawn(command, args, {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8");
  });
  child.stderr.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8");
  });
  return new Promise((resolve) => child.once("exit", (code) => resolve({ code, output })));
}

/** Why a spawned server failed to start (its message), or null when it listened. */
async function refusal(url: string, env: Record<string, string>): Promise<string | null> {
  try {
    await start(url, env);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

describe("production refuses to start without what it needs", () => {
  it("no database URL and no router secret: both listed, exit 1", async () => {
    const { code, output } = await run(process.execPath, ["--import", "tsx", "src/main.ts"], {
      NODE_ENV: "production",
      BETTER_AUTH_SECRET: "a-production-secret-of-at-least-32-characters",
      PUBLIC_URL: "https://api.example.com",
    });
    expect(code).toBe(1);
    expect(output).toContain("Configuration error: the gateway cannot start.");
    expect(output).toContain(
      "  - production needs PostgreSQL: set DATABASE_URL, or APP_DATABASE_URL and AUTH_DATABASE_URL",
    );
    expect(output).toContain("  - ROUTER_SECRET must be set in production");
    expect(output).not.toContain("listening");
  }, 90_000);

  it("the demo seed: refused with the way out; `npm run db:remove-demo` removes it, then the server starts", async () => {
    const url = await prepareDatabase(cluster, "trovella_demo_refused");
    const owner = ownerClient(url);
    owners.push(owner);
    const [before] = await owner<{ plans: number }[]>`select count(*)::int as plans from research_plan`;
    expect(before?.plans).toBeGreaterThan(0);

    const refused = await refusal(url, { ALLOW_DEMO_DATA: "false" });
    expect(refused).toContain("exited (1) before listening");
    expect(refused).toContain("Start refused: the database holds the demo seed");
    expect(refused).toContain("npm run db:remove-demo");

    const removal = await run("npm", ["run", "--silent", "db:remove-demo"], { DATABASE_URL: url });
    expect(removal.output).toContain("removed the demo seed: 3 organizations (with their data), 4 users, 1 demo token");
    expect(removal.code).toBe(0);

    const [left] = await owner<
      { organizations: number; users: number; tokens: number; plans: number; models: number }[]
    >`
      select (select count(*)::int from organization) as organizations,
             (select count(*)::int from "user") as users,
             (select count(*)::int from personal_access_token) as tokens,
             (select count(*)::int from research_plan) as plans,
             (select count(*)::int from ai_model) as models`;
    expect(left).toEqual({ organizations: 0, users: 0, tokens: 0, plans: 0, models: expect.any(Number) });
    expect(left?.models).toBeGreaterThan(0);

    const server = await start(url, { ALLOW_DEMO_DATA: "false" });
    expect(await probe(server.baseUrl, "/readyz")).toBe(200);
    // The demo token is gone with the seed.
    const reply = await gql(
      server.baseUrl,
      { query: "{ viewer { user { id } } }" },
      {
        token: DEMO_TOKEN,
        organizationId: "demo-org-acme",
      },
    );
    expect(reply.body.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    // A second run finds nothing and changes nothing.
    const again = await run("npm", ["run", "--silent", "db:remove-demo"], { DATABASE_URL: url });
    expect(again.output).toContain("removed the demo seed: 0 organizations (with their data), 0 users, 0 demo token");
  }, 240_000);
});

describe("federation fields in production", () => {
  const alice = { token: DEMO_TOKEN, organizationId: "demo-org-acme" };
  const entities = {
    query: "query($r: [_Any!]!) { _entities(representations: $r) { ... on Organization { name } } }",
    variables: { r: [{ __typename: "Organization", databaseId: "demo-org-acme" }] },
  };
  let url: string;

  beforeAll(async () => {
    url = await prepareDatabase(cluster, "trovella_federation_fields");
  }, 180_000);

  it("FEDERATION=off: no router secret needed, and `_service` and `_entities` do not exist", async () => {
    const server = await start(url, { FEDERATION: "off", ROUTER_SECRET: "" });
    for (const operation of [{ query: "{ _service { sdl } }" }, entities]) {
      const reply = await gql(server.baseUrl, operation, alice, { "x-router-secret": "anything" });
      expect(reply.body.data ?? null).toBeNull();
      expect(reply.body.errors?.[0]?.extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
      const messages = (reply.body.errors ?? []).map((error) => error.message).join("\n");
      expect(messages).toMatch(/Cannot query field "_(service|entities)" on type "Query"/);
    }
    const ordinary = await gql(server.baseUrl, { query: "{ organization { name } }" }, alice);
    expect(ordinary.body).toEqual({ data: { organization: { name: "Acme Research" } } });
  }, 120_000);

  it("ROUTER_SECRET: `_service` and `_entities` answer the router only", async () => {
    const secret = "the-router-secret-of-this-test";
    const server = await start(url, { ROUTER_SECRET: secret });
    const anonymous = await gql(server.baseUrl, { query: "{ _service { sdl } }" }, null);
    expect(anonymous.body.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect(JSON.stringify(anonymous.body)).not.toContain("ResearchPlan");
    const signedIn = await gql(server.baseUrl, entities, alice);
    expect(signedIn.body.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const router = await gql(server.baseUrl, entities, alice, { "x-router-secret": secret });
    expect(router.body).toEqual({ data: { _entities: [{ name: "Acme Research" }] } });
    const sdl = await gql(server.baseUrl, { query: "{ _service { sdl } }" }, null, { "x-router-secret": secret });
    expect((sdl.body.data?._service as { sdl: string } | undefined)?.sdl).toContain("type ResearchPlan");
  }, 120_000);
});

/** POST an anonymous operation from a chosen local address (all of 127.0.0.0/8 is loopback on Linux). */
function anonymousFrom(
  baseUrl: string,
  localAddress: string,
  headers: Record<string, string> = {},
): Promise<Pick<GraphQLReply, "status" | "body">> {
  const target = new URL("/graphql", baseUrl);
  const body = JSON.stringify({ query: "{ __typename }" });
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: "POST",
        localAddress,
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body), ...headers },
      },
      (response) => {
        let text = "";
        response.on("data", (chunk: Buffer) => {
          text += chunk.toString("utf8");
        });
        response.on("end", () => {
          try {
            resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) as GraphQLReply["body"] });
          } catch (error) {
            reject(error);
          }
        });
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

describe("anonymous budgets per client address", () => {
  let server: ServerProcess;
  const trustedProxy = "127.0.0.2";

  beforeAll(async () => {
    const url = await prepareDatabase(cluster, "trovella_anonymous_budgets");
    server = await start(url, {
      RATE_LIMIT_ENABLED: "true",
      // Two a minute: one token back every 30 s, far longer than the requests below take.
      RATE_LIMIT_ANONYMOUS_REQUESTS_PER_MINUTE: "2",
      TRUSTED_PROXIES: trustedProxy,
    });
  }, 180_000);

  function expectRefused(reply: Pick<GraphQLReply, "status" | "body">) {
    expect(reply.status).toBe(429);
    expect(reply.body.data ?? null).toBeNull();
    expect(reply.body.errors?.[0]?.extensions).toMatchObject({ code: "RATE_LIMITED", budget: "anonymous-requests" });
  }

  it("an anonymous client over its budget is refused; a spoofed X-Forwarded-For does not buy a fresh one", async () => {
    const client = "127.0.0.3";
    for (let i = 0; i < 2; i++) {
      const reply = await anonymousFrom(server.baseUrl, client);
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual({ data: { __typename: "Query" } });
    }
    expectRefused(await anonymousFrom(server.baseUrl, client));
    // Not a trusted proxy: its X-Forwarded-For is ignored, whatever it claims.
    for (const spoofed of ["203.0.113.9", "198.51.100.1, 203.0.113.10", trustedProxy]) {
      expectRefused(await anonymousFrom(server.baseUrl, client, { "x-forwarded-for": spoofed }));
    }
    // Signed-in callers spend their own budgets, not the address's.
    const alice = await gql(
      server.baseUrl,
      { query: "{ organization { name } }" },
      {
        token: DEMO_TOKEN,
        organizationId: "demo-org-acme",
      },
    );
    expect(alice.body).toEqual({ data: { organization: { name: "Acme Research" } } });
  });

  it("from a trusted proxy, each forwarded client address has its own budget", async () => {
    const forwardedFor = (client: string) => ({ "x-forwarded-for": client });
    for (let i = 0; i < 2; i++) {
      expect((await anonymousFrom(server.baseUrl, trustedProxy, forwardedFor("203.0.113.1"))).status).toBe(200);
    }
    expectRefused(await anonymousFrom(server.baseUrl, trustedProxy, forwardedFor("203.0.113.1")));
    // Another client behind the same proxy: a budget of its own.
    expect((await anonymousFrom(server.baseUrl, trustedProxy, forwardedFor("203.0.113.2"))).status).toBe(200);
    // The proxy's own address is not the client: the proxy itself was never charged.
    expect((await anonymousFrom(server.baseUrl, trustedProxy)).status).toBe(200);
    // A client's own X-Forwarded-For, appended to by the proxy: the proxy's word (the right-most) counts.
    expectRefused(await anonymousFrom(server.baseUrl, trustedProxy, forwardedFor("198.51.100.7, 203.0.113.1")));
  });
});

describe("invitation e-mail in production", () => {
  const acme = "demo-org-acme";
  const invite = {
    query: /* GraphQL */ `mutation ($input: InviteOrganizationMemberInput!) {
      inviteOrganizationMember(input: $input) { emailDelivery acceptUrl }
    }`,
  };
  let url: string;
  let smtp: SmtpServer;

  beforeAll(async () => {
    url = await prepareDatabase(cluster, "trovella_invitation_email");
    smtp = await startSmtpServer();
  }, 180_000);
  afterAll(() => smtp?.close());

  async function signUp(baseUrl: string, email: string): Promise<string> {
    const response = await fetch(`${baseUrl}/api/auth/sign-up/email`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: "http://127.0.0.1" },
      body: JSON.stringify({ email, password: "a-long-password-1", name: email }),
    });
    const token = response.headers.get("set-auth-token");
    expect(response.status, await response.text()).toBe(200);
    return token ?? "";
  }

  it("without SMTP_URL: it starts, warns that invitations are not e-mailed, and hands out no link", async () => {
    const server = await start(url);
    expect(server.logs.find((line) => String(line.msg).startsWith("no SMTP_URL"))).toMatchObject({
      level: "warn",
      msg: "no SMTP_URL: invitations are created but not e-mailed, and their links are not shown to anyone",
    });
    const alice = await signInBearer(server.baseUrl, demoUsers.alice.email);
    const reply = await gql(
      server.baseUrl,
      { ...invite, variables: { input: { email: "olivia@example.test", role: "MEMBER" } } },
      { token: alice, organizationId: acme },
    );
    expect(reply.body).toEqual({
      data: { inviteOrganizationMember: { emailDelivery: "NOT_CONFIGURED", acceptUrl: null } },
    });
    server.kill();
  }, 120_000);

  it("with SMTP_URL: the invitee gets INVITATION_URL's link, and the ID in it accepts the invitation", async () => {
    const server = await start(url, {
      SMTP_URL: `smtp://${smtpUser}:${smtpPassword}@127.0.0.1:${smtp.port}`,
      MAIL_FROM: sender,
      INVITATION_URL: "https://app.example.test/invitations/{invitationId}",
    });
    const alice = await signInBearer(server.baseUrl, demoUsers.alice.email);
    const reply = await gql(
      server.baseUrl,
      { ...invite, variables: { input: { email: "peggy@example.test", role: "MEMBER" } } },
      { token: alice, organizationId: acme },
    );
    expect(reply.body, JSON.stringify(server.logs.filter((line) => line.level === "error"))).toEqual({
      data: { inviteOrganizationMember: { emailDelivery: "SENT", acceptUrl: null } },
    });
    const message = smtp.received.find((received) => received.to.includes("peggy@example.test"));
    expect(message?.headers.subject).toBe("Alice Archer invited you to join Acme Research on Trovella");
    const link = message ? linkIn(message) : "";
    expect(link).toMatch(/^https:\/\/app\.example\.test\/invitations\/[^/]+$/);
    const invitationId = decodeURIComponent(link.slice(link.lastIndexOf("/") + 1));

    // What the application's page does: the acceptance, as the invitee.
    const peggy = await signUp(server.baseUrl, "peggy@example.test");
    const accepted = await gql(
      server.baseUrl,
      {
        query: `mutation ($input: AcceptOrganizationInvitationInput!) {
          acceptOrganizationInvitation(input: $input) { organizationId role }
        }`,
        variables: { input: { invitationId } },
      },
      null,
      { authorization: `Bearer ${peggy}` },
    );
    expect(accepted.body).toEqual({ data: { acceptOrganizationInvitation: { organizationId: acme, role: "member" } } });
    // The SMTP password never reaches the logs.
    expect(JSON.stringify(server.logs)).not.toContain(smtpPassword);
    server.kill();
  }, 120_000);
});
