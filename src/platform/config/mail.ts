import addressparser from "nodemailer/lib/addressparser";
import { type RawValue, type Report, reader, readHttpUrl, type Values } from "./variables.js";

// E-mail: the SMTP server invitations are sent through, the sender, and the page invitation links lead to.
// Without SMTP_URL nothing is e-mailed (src/main.ts says so at start): development returns the link to the
// inviter instead.

export interface MailConfig {
  /** smtp:// or smtps:// with its credentials; undefined: invitations are not e-mailed. */
  smtpUrl: string | undefined;
  /** The From of every message, `address` or `Name <address>`. */
  from: string | undefined;
  /** The page that accepts an invitation, `{invitationId}` replaced by its global ID; GraphiQL when unset. */
  invitationUrl: string | undefined;
}

/** The placeholder INVITATION_URL must contain. */
export const invitationIdPlaceholder = "{invitationId}";

/** An smtp:// or smtps:// URL. The value is not echoed: it may carry a password. */
function readSmtpUrl(raw: RawValue, report: Report): string | undefined {
  if (raw === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    report("SMTP_URL must be an smtp:// or smtps:// URL, got something that is not a URL");
    return undefined;
  }
  if (url.protocol !== "smtp:" && url.protocol !== "smtps:") {
    report(`SMTP_URL must start with smtp:// or smtps://, got "${url.protocol}//…"`);
    return undefined;
  }
  if (url.hostname === "") {
    report("SMTP_URL names no host (smtp://user:password@host:587)");
    return undefined;
  }
  return raw;
}

/** One address, bare or with a display name. */
function readSender(raw: RawValue, report: Report): string | undefined {
  if (raw === undefined) return undefined;
  const addresses = addressparser(raw, { flatten: true });
  const [first] = addresses;
  if (addresses.length !== 1 || !first || !/^[^@\s]+@[^@\s]+$/.test(first.address)) {
    report(`MAIL_FROM must be one e-mail address, like "Trovella <no-reply@example.com>", got "${raw}"`);
    return undefined;
  }
  return raw;
}

function readInvitationUrl(raw: RawValue, report: Report): string | undefined {
  const url = readHttpUrl(
    "INVITATION_URL",
    raw,
    report,
    `https://app.example.com/invitations/${invitationIdPlaceholder}`,
  );
  if (url !== undefined && !url.includes(invitationIdPlaceholder)) {
    report(`INVITATION_URL must contain ${invitationIdPlaceholder}, where the invitation's ID goes`);
    return undefined;
  }
  return url;
}

export const mailVariables = {
  ...reader.custom("SMTP_URL", readSmtpUrl),
  ...reader.custom("MAIL_FROM", readSender),
  ...reader.custom("INVITATION_URL", readInvitationUrl),
};

type MailValues = Values<typeof mailVariables>;

/** `given`: the variables as set, before checking (a bad value is reported as bad, not also as missing). */
export function mailRules(given: Record<string, RawValue>, production: boolean): string[] {
  if (given.SMTP_URL === undefined) return [];
  const problems: string[] = [];
  if (given.MAIL_FROM === undefined) {
    problems.push("MAIL_FROM must be set when SMTP_URL is: the sender address of invitation e-mails");
  }
  if (production && given.INVITATION_URL === undefined) {
    // The default link opens GraphiQL, which production does not serve.
    problems.push(
      `INVITATION_URL must be set in production when SMTP_URL is: the page of your application that accepts an invitation, with ${invitationIdPlaceholder}`,
    );
  }
  return problems;
}

export function mailFrom(v: MailValues): MailConfig {
  return { smtpUrl: v.SMTP_URL, from: v.MAIL_FROM, invitationUrl: v.INVITATION_URL };
}
