import nodemailer from "nodemailer";

// Sending e-mail: nodemailer over SMTP, one connection per message (invitations are rare). The gateway
// composes the messages (invitation-email.ts); this file only hands them to the SMTP server.

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

export interface Mailer {
  /** Resolves once the SMTP server accepted the message; rejects when it refused or could not be reached. */
  send(message: MailMessage): Promise<void>;
  close(): void;
}

export interface SmtpOptions {
  /** smtp:// or smtps://, credentials included; nodemailer's options in its query string win over ours. */
  url: string;
  /** `address` or `Name <address>`. */
  from: string;
}

/**
 * The sender awaits the server (the inviter is told whether the message left): nodemailer's defaults (two
 * minutes to connect, ten of silence) would hold a mutation that long, so an unreachable server fails sooner.
 */
const smtpTimeouts = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };

export function createSmtpMailer(options: SmtpOptions): Mailer {
  const transport = nodemailer.createTransport({ ...smtpTimeouts, url: options.url });
  return {
    send: async (message) => {
      await transport.sendMail({ from: options.from, ...message });
    },
    close: () => transport.close(),
  };
}
