import { sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { invitationAcceptUrl } from "../../src/domains/identity/invitation-link.js";
import { type HttpServer, listen } from "../../src/http/server.js";
import { loadConfig } from "../../src/platform/config/index.js";
import { demoUsers } from "../../src/platform/db/index.js";
import type { InvitationMailOptions } from "../../src/platform/mail/invitation-email.js";
import { createSmtpMailer, type Mailer } from "../../src/platform/mail/mailer.js";
import { captureLogs, type LogCapture } from "../ops/support/stack.js";
import { backendName } from "../support/database.js";
import { createTestGateway, baseUrl as publicUrl, type TestGateway } from "../support/gateway.js";
import { linkIn, type SmtpServer, sender, smtpPassword, smtpUser, startSmtpServer } from "../support/smtp.js";
import { acme, countRows, decodeGlobalId } from "./helpers.js";

// Invitations by e-mail: Better Auth's `sendInvitationEmail` hook sends one message per invitation through a
// local SMTP server (smtp-server on a loopback port, with a login), and the link in it accepts the invitation
// when the invitee runs what it says over HTTP. A refused message leaves the invitation and says FAILED; with
// no SMTP server, development returns the link and production does not.

const inviteDocument = /* GraphQL */ `
  mutation ($input: InviteOrganizationMemberInput!) {
    inviteOrganizationMember(input: $input) { invitationId emailDelivery acceptUrl }
  }`;

interface InvitePayload {
  invitationId: string;
  emailDelivery: "SENT" | "FAILED" | "NOT_CONFIGURED";
  acceptUrl: string | null;
}

interface Reply<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

describe(`invitations by e-mail on ${backendName}, over HTTP`, () => {
  let smtp: SmtpServer;
  let gw: TestGateway;
  let http: HttpServer;
  let logs: LogCapture;
  let mailer: Mailer;
  let alice: string;
  /** What the hook reads on every call: the tests switch the mailer and the environment. */
  const invitations: InvitationMailOptions = {
    mailer: undefined,
    acceptUrl: (invitationId) => invitationAcceptUrl({ publicUrl, invitationUrl: undefined }, invitationId),
    revealUnsentLinks: false,
    logger: captureLogs("silent").logger,
  };

  beforeAll(async () => {
    smtp = await startSmtpServer();
    // As src/main.ts makes it: from the configuration.
    const config = loadConfig({
      NODE_ENV: "test",
      SMTP_URL: `smtp://${smtpUser}:${smtpPassword}@127.0.0.1:${smtp.port}`,
      MAIL_FROM: sender,
    });
    mailer = createSmtpMailer({ url: config.mail.smtpUrl ?? "", from: config.mail.from ?? "" });
    logs = captureLogs("info");
    invitations.logger = logs.logger;
    gw = await createTestGateway({ logger: logs.logger, invitations });
    http = await listen(gw.app, 0, "127.0.0.1");
    alice = (await gw.signIn(demoUsers.alice.email)).bearer.token;
  });
  afterAll(async () => {
    await http?.close(5000);
    mailer?.close();
    await smtp?.close();
    await gw?.cleanup();
  });
  beforeEach(() => {
    smtp.received.length = 0;
    smtp.refuse.clear();
    logs.lines.length = 0;
    logs.raw.length = 0;
  });

  /** POST /graphql on the socket, as a session bearer token. */
  async function post<T>(token: string, body: object, organizationId: string | null = acme): Promise<Reply<T>> {
    const response = await fetch(`http://127.0.0.1:${http.port}/graphql`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: `Bearer ${token}`,
        ...(organizationId ? { "x-organization-id": organizationId } : {}),
      },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(200);
    return (await response.json()) as Reply<T>;
  }

  async function invite(email: string, resend = false): Promise<InvitePayload> {
    const reply = await post<{ inviteOrganizationMember: InvitePayload }>(alice, {
      query: inviteDocument,
      variables: { input: { email, role: "MEMBER", resend } },
    });
    expect(reply.errors).toBeUndefined();
    const payload = reply.data?.inviteOrganizationMember;
    if (!payload) throw new Error("no payload");
    return payload;
  }

  async function signUp(email: string): Promise<string> {
    const result = await gw.authPost(
      "/sign-up/email",
      { email, password: "a-long-password-1", name: email },
      { kind: "anonymous" },
    );
    expect(result.status, JSON.stringify(result.body)).toBe(200);
    return (await gw.signIn(email, "a-long-password-1")).bearer.token;
  }

  /** Does what the link says: runs its `query` over HTTP as the invitee, with no organization chosen. */
  async function followLink(link: string, inviteeToken: string) {
    const query = new URL(link).searchParams.get("query");
    expect(query).toContain("acceptOrganizationInvitation");
    return post<{ acceptOrganizationInvitation: { organizationId: string; role: string } }>(
      inviteeToken,
      { query },
      null,
    );
  }

  async function isMember(userToken: string, email: string): Promise<boolean> {
    expect(userToken).not.toBe("");
    const members = await countRows(
      gw.db,
      "member",
      sql`organization_id = ${acme} and user_id = (select id from "user" where email = ${email})`,
    );
    return members === 1;
  }

  it("e-mails the invitee the organization, the inviter and a link that accepts the invitation", async () => {
    invitations.mailer = mailer;
    const payload = await invite("Grace@Example.test");
    expect(payload).toMatchObject({ emailDelivery: "SENT", acceptUrl: null });

    expect(smtp.received).toHaveLength(1);
    const message = smtp.received[0];
    if (!message) throw new Error("no message");
    expect(message.to).toEqual(["grace@example.test"]);
    expect(message.from).toBe("no-reply@trovella.test");
    expect(message.headers.from).toBe(sender);
    expect(message.headers.to).toBe("grace@example.test");
    expect(message.headers.subject).toBe("Alice Archer invited you to join Acme Research on Trovella");
    expect(message.text).toContain("Alice Archer (alice@acme.test) invited you to join Acme Research on Trovella");
    expect(message.text).toContain("sign in as grace@example.test");

    const link = linkIn(message);
    expect(link.startsWith(`${publicUrl}/graphql?query=`)).toBe(true);
    const invitationId = decodeGlobalId(payload.invitationId).id;
    expect(new URL(link).searchParams.get("query")).toContain(payload.invitationId);

    const grace = await signUp("grace@example.test");
    const accepted = await followLink(link, grace);
    expect(accepted.errors).toBeUndefined();
    expect(accepted.data?.acceptOrganizationInvitation).toEqual({ organizationId: acme, role: "member" });
    expect(await isMember(grace, "grace@example.test")).toBe(true);
    expect(await countRows(gw.db, "invitation", sql`id = ${invitationId} and status = 'accepted'`)).toBe(1);
    // The SMTP password never reaches the logs.
    expect(logs.raw.join("\n")).not.toContain(smtpPassword);
  });

  it("every invitation Better Auth creates is e-mailed, through /api/auth too", async () => {
    invitations.mailer = mailer;
    const session = await gw.signIn(demoUsers.alice.email);
    const result = await gw.authPost(
      "/organization/invite-member",
      { organizationId: acme, email: "heidi@example.test", role: "member" },
      session.cookie,
    );
    expect(result.status, JSON.stringify(result.body)).toBe(200);
    expect(smtp.received.map((message) => message.to)).toEqual([["heidi@example.test"]]);
  });

  it("a message the SMTP server refuses: the invitation exists, the payload says FAILED, resend sends it", async () => {
    invitations.mailer = mailer;
    smtp.refuse.add("ivan@example.test");
    const payload = await invite("ivan@example.test");
    expect(payload).toMatchObject({ emailDelivery: "FAILED", acceptUrl: null });
    const invitationId = decodeGlobalId(payload.invitationId).id;
    expect(await countRows(gw.db, "invitation", sql`id = ${invitationId} and status = 'pending'`)).toBe(1);
    expect(smtp.received).toEqual([]);
    const failure = logs.lines.find(
      (line) => line.msg === "invitation e-mail not sent: the invitation exists, send it again with resend: true",
    );
    expect(failure).toMatchObject({ level: "error", invitationId, organizationId: acme });
    expect(JSON.stringify(failure?.err)).toContain("550");

    smtp.refuse.clear();
    const again = await invite("ivan@example.test", true);
    expect(again).toMatchObject({ emailDelivery: "SENT", invitationId: payload.invitationId });
    expect(smtp.received.map((message) => message.to)).toEqual([["ivan@example.test"]]);
  });

  it("an SMTP server that cannot be reached: FAILED as well, not an error", async () => {
    const closed = await startSmtpServer();
    await closed.close();
    invitations.mailer = createSmtpMailer({ url: `smtp://127.0.0.1:${closed.port}`, from: sender });
    const payload = await invite("judy@example.test");
    expect(payload).toMatchObject({ emailDelivery: "FAILED", acceptUrl: null });
  });

  it("development without SMTP: the link is logged and returned to the inviter, and it accepts", async () => {
    invitations.mailer = undefined;
    invitations.revealUnsentLinks = true;
    const payload = await invite("mallory@example.test");
    expect(payload.emailDelivery).toBe("NOT_CONFIGURED");
    expect(payload.acceptUrl?.startsWith(`${publicUrl}/graphql?query=`)).toBe(true);
    const logged = logs.lines.find((line) => typeof line.acceptUrl === "string");
    expect(logged).toMatchObject({ level: "info", acceptUrl: payload.acceptUrl, organizationId: acme });

    const mallory = await signUp("mallory@example.test");
    const accepted = await followLink(payload.acceptUrl ?? "", mallory);
    expect(accepted.errors).toBeUndefined();
    expect(await isMember(mallory, "mallory@example.test")).toBe(true);
  });

  it("production without SMTP: nothing sent, and the link is neither returned nor logged", async () => {
    invitations.mailer = undefined;
    invitations.revealUnsentLinks = false;
    const payload = await invite("niaj@example.test");
    expect(payload).toMatchObject({ emailDelivery: "NOT_CONFIGURED", acceptUrl: null });
    const invitationId = decodeGlobalId(payload.invitationId).id;
    expect(logs.lines.find((line) => line.invitationId === invitationId)).toMatchObject({
      level: "warn",
      msg: "invitation not e-mailed: no SMTP_URL is configured",
    });
    expect(logs.raw.join("\n")).not.toContain("/graphql?query=");
    expect(smtp.received).toEqual([]);
  });
});
