import { AsyncLocalStorage } from "node:async_hooks";
import type { Logger } from "pino";
import type { Mailer, MailMessage } from "./mailer.js";

// The invitation e-mail: Better Auth's organization plugin calls `sendInvitationEmail` for every invitation
// it creates or renews (GraphQL or /api/auth alike). A message that cannot be sent never fails the call:
// the invitation exists, the failure is logged, and the GraphQL payload says so (`captureInvitationDelivery`),
// so the inviter can send it again with `resend: true`.

/** What happened to the message of one invitation. */
export type InvitationDelivery =
  | { status: "sent" }
  | { status: "failed" }
  /** No SMTP server configured. `acceptUrl` only where unsent links are revealed (development). */
  | { status: "not-configured"; acceptUrl: string | undefined };

export interface InvitationMailOptions {
  /** Undefined: no SMTP server is configured, nothing is sent. */
  mailer: Mailer | undefined;
  /** The link that accepts invitation `invitationId` (Better Auth's id of it). */
  acceptUrl: (invitationId: string) => string;
  /** Without a mailer, log the link and hand it to the inviter: development only, never production. */
  revealUnsentLinks: boolean;
  logger: Logger;
}

/** The part of Better Auth's `sendInvitationEmail` argument the message needs. */
export interface InvitationToSend {
  id: string;
  email: string;
  role: string;
  organization: { id: string; name: string };
  inviter: { user: { name: string; email: string } };
  invitation: { expiresAt: Date };
}

/** Set while a caller waits for Better Auth to create an invitation, so the hook can report back. */
const deliveries = new AsyncLocalStorage<{ delivery?: InvitationDelivery }>();

/** Runs `call` (which creates one invitation through Better Auth) and returns what became of its e-mail. */
export async function captureInvitationDelivery<T>(
  call: () => Promise<T>,
): Promise<{ result: T; delivery: InvitationDelivery | undefined }> {
  const slot: { delivery?: InvitationDelivery } = {};
  const result = await deliveries.run(slot, call);
  return { result, delivery: slot.delivery };
}

/** Better Auth's `sendInvitationEmail` hook. It never throws. */
export function invitationEmailSender(options: InvitationMailOptions): (data: InvitationToSend) => Promise<void> {
  return async (data) => {
    const delivery = await deliver(options, data);
    const slot = deliveries.getStore();
    if (slot) slot.delivery = delivery;
  };
}

async function deliver(options: InvitationMailOptions, data: InvitationToSend): Promise<InvitationDelivery> {
  const { logger } = options;
  const fields = { invitationId: data.id, organizationId: data.organization.id };
  let acceptUrl: string;
  try {
    acceptUrl = options.acceptUrl(data.id);
  } catch (error) {
    logger.error({ ...fields, err: error }, "invitation e-mail not sent: its link could not be made");
    return { status: "failed" };
  }
  if (!options.mailer) {
    if (!options.revealUnsentLinks) {
      logger.warn(fields, "invitation not e-mailed: no SMTP_URL is configured");
      return { status: "not-configured", acceptUrl: undefined };
    }
    logger.info({ ...fields, acceptUrl }, "invitation not e-mailed (no SMTP_URL): the link that accepts it");
    return { status: "not-configured", acceptUrl };
  }
  try {
    await options.mailer.send(invitationMessage(data, acceptUrl));
    logger.info(fields, "invitation e-mailed");
    return { status: "sent" };
  } catch (error) {
    logger.error(
      { ...fields, err: error },
      "invitation e-mail not sent: the invitation exists, send it again with resend: true",
    );
    return { status: "failed" };
  }
}

/** On one line: names end up in the subject. */
function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

export function invitationMessage(data: InvitationToSend, acceptUrl: string): MailMessage {
  const organization = oneLine(data.organization.name);
  const inviter = oneLine(data.inviter.user.name) || data.inviter.user.email;
  return {
    to: data.email,
    subject: `${inviter} invited you to join ${organization} on Trovella`,
    text: [
      `${inviter} (${data.inviter.user.email}) invited you to join ${organization} on Trovella, as ${data.role}.`,
      "",
      `To accept, sign in as ${data.email} (or sign up with that address) and open:`,
      acceptUrl,
      "",
      `The invitation expires on ${new Date(data.invitation.expiresAt).toUTCString()}.`,
      "If you did not expect it, ignore this message: nothing happens unless you accept.",
      "",
    ].join("\n"),
  };
}
