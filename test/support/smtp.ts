import { SMTPServer } from "smtp-server";

// A local SMTP server for the invitation e-mail tests: on a loopback port, with a login (plain AUTH, no TLS),
// keeping every message it accepts; recipients in `refuse` are answered 550.

export interface Received {
  /** The envelope's sender and recipients. */
  from: string;
  to: string[];
  /** Header names in lower case, folded lines unfolded. */
  headers: Record<string, string>;
  text: string;
}

export const smtpUser = "gateway";
export const smtpPassword = "smtp-password-not-in-logs";
export const sender = "Trovella <no-reply@trovella.test>";

/** The body of a message as nodemailer encodes ASCII text (7bit, or quoted-printable for long lines). */
function decodeBody(headers: Record<string, string>, body: string): string {
  if (headers["content-transfer-encoding"]?.toLowerCase() !== "quoted-printable") return body;
  return body
    .replace(/=\r\n/g, "")
    .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

function parseMessage(raw: string, from: string, to: string[]): Received {
  const split = raw.indexOf("\r\n\r\n");
  const head = raw.slice(0, split).replace(/\r\n(?=[ \t])/g, "");
  const headers: Record<string, string> = {};
  for (const line of head.split("\r\n")) {
    const colon = line.indexOf(":");
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { from, to, headers, text: decodeBody(headers, raw.slice(split + 4)) };
}

export interface SmtpServer {
  port: number;
  received: Received[];
  /** Recipients answered 550. */
  refuse: Set<string>;
  close(): Promise<void>;
}

/** The first line of a message's text that is a URL. */
export function linkIn(message: Received): string {
  return /^https?:\/\/\S+$/m.exec(message.text)?.[0] ?? "";
}

export async function startSmtpServer(): Promise<SmtpServer> {
  const received: Received[] = [];
  const refuse = new Set<string>();
  const server = new SMTPServer({
    disabledCommands: ["STARTTLS"],
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === smtpUser && auth.password === smtpPassword) callback(null, { user: smtpUser });
      else callback(new Error("Invalid username or password"));
    },
    onRcptTo(address, _session, callback) {
      if (refuse.has(address.address)) {
        callback(Object.assign(new Error("Mailbox unavailable"), { responseCode: 550 }));
      } else callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : "";
        const to = session.envelope.rcptTo.map((rcpt) => rcpt.address);
        received.push(parseMessage(Buffer.concat(chunks).toString("utf8"), from, to));
        callback();
      });
    },
  });
  const port = await new Promise<number>((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const address = server.server.address();
      resolve(typeof address === "object" && address ? address.port : 0);
    });
  });
  return { port, received, refuse, close: () => new Promise<void>((resolve) => server.close(resolve)) };
}
