import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/platform/config/index.js";
import { problemsOf, productionEnvironment } from "./support/config.js";

// The invitation e-mail settings (docs/configuration.md, Invitation e-mail): SMTP_URL is optional (without it
// nothing is e-mailed, production included), MAIL_FROM comes with it, production's links need INVITATION_URL,
// and the SMTP URL's password is never echoed.

const smtp = {
  SMTP_URL: "smtps://mailer:s3cret-password@smtp.example.com:465",
  MAIL_FROM: "Trovella <no-reply@example.com>",
};

describe("invitation e-mail configuration", () => {
  it("is off by default, in development and in production", () => {
    const none = { smtpUrl: undefined, from: undefined, invitationUrl: undefined };
    expect(loadConfig({}).mail).toEqual(none);
    expect(loadConfig(productionEnvironment).mail).toEqual(none);
  });

  it("reads the SMTP server, the sender and the acceptance page", () => {
    const invitationUrl = "https://app.example.com/invitations/{invitationId}";
    expect(loadConfig({ ...productionEnvironment, ...smtp, INVITATION_URL: invitationUrl }).mail).toEqual({
      smtpUrl: smtp.SMTP_URL,
      from: smtp.MAIL_FROM,
      invitationUrl,
    });
    expect(loadConfig({ ...smtp, SMTP_URL: "smtp://localhost:1025", MAIL_FROM: "a@b.test" }).mail.smtpUrl).toBe(
      "smtp://localhost:1025",
    );
  });

  it("MAIL_FROM comes with SMTP_URL; production also needs INVITATION_URL (it serves no GraphiQL)", () => {
    expect(problemsOf({ SMTP_URL: smtp.SMTP_URL })).toEqual([
      "MAIL_FROM must be set when SMTP_URL is: the sender address of invitation e-mails",
    ]);
    expect(problemsOf({ ...productionEnvironment, ...smtp })).toEqual([
      "INVITATION_URL must be set in production when SMTP_URL is: the page of your application that accepts an invitation, with {invitationId}",
    ]);
  });

  it("refuses bad values in one sentence each, never echoing the SMTP URL", () => {
    const problems = problemsOf({
      SMTP_URL: "postgres://mailer:s3cret-password@smtp.example.com",
      MAIL_FROM: "two@example.com, addresses@example.com",
      INVITATION_URL: "https://app.example.com/invitations",
    });
    expect(problems).toEqual([
      'SMTP_URL must start with smtp:// or smtps://, got "postgres://…"',
      'MAIL_FROM must be one e-mail address, like "Trovella <no-reply@example.com>", got "two@example.com, addresses@example.com"',
      "INVITATION_URL must contain {invitationId}, where the invitation's ID goes",
    ]);
    expect(problemsOf({ ...smtp, SMTP_URL: "not a url s3cret-password" })).toEqual([
      "SMTP_URL must be an smtp:// or smtps:// URL, got something that is not a URL",
    ]);
    expect(problemsOf({ ...smtp, MAIL_FROM: "nobody" })).toEqual([
      'MAIL_FROM must be one e-mail address, like "Trovella <no-reply@example.com>", got "nobody"',
    ]);
    for (const problem of problems) expect(problem).not.toContain("s3cret");
  });
});
