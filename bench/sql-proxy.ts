import { createConnection, createServer, type Server, type Socket } from "node:net";
import { benchHost } from "./config.js";

// Counts what each system sends to PostgreSQL, as PostgreSQL receives it: a TCP proxy on 127.0.0.1 that reads
// the frontend/backend protocol and counts executed statements (every Execute of the extended protocol, and
// every statement of a simple Query) and round trips (a client write while nothing is outstanding). It is
// independent of the systems' code, so all three are measured the same way. Used only for the correctness
// and counting pass: timed runs connect to PostgreSQL directly.

export type StatementClass = "auth" | "transaction" | "settings" | "data" | "other";

export interface SqlCounts {
  statements: Record<StatementClass, number>;
  /** Round trips of the tenant connections (everything but the auth login's). */
  roundTrips: number;
  /** Round trips of the auth login (trovella_auth). */
  authRoundTrips: number;
  /** How often each data (and `[auth] `-prefixed auth) statement text was executed (the report's examples). */
  dataTexts: Map<string, number>;
}

export function emptyCounts(): SqlCounts {
  return {
    statements: { auth: 0, transaction: 0, settings: 0, data: 0, other: 0 },
    roundTrips: 0,
    authRoundTrips: 0,
    dataTexts: new Map(),
  };
}

export function snapshot(counts: SqlCounts): SqlCounts {
  return { ...counts, statements: { ...counts.statements }, dataTexts: new Map(counts.dataTexts) };
}

export function difference(after: SqlCounts, before: SqlCounts): SqlCounts {
  const statements = { ...after.statements };
  for (const key of Object.keys(statements) as StatementClass[]) statements[key] -= before.statements[key];
  const dataTexts = new Map<string, number>();
  for (const [text, n] of after.dataTexts) {
    const delta = n - (before.dataTexts.get(text) ?? 0);
    if (delta > 0) dataTexts.set(text, delta);
  }
  return {
    statements,
    roundTrips: after.roundTrips - before.roundTrips,
    authRoundTrips: after.authRoundTrips - before.authRoundTrips,
    dataTexts,
  };
}

const transactionControl =
  /^(begin|start\s+transaction|commit|end|rollback|abort|savepoint|release|set\s+transaction)\b/i;

export function classify(user: string, text: string): StatementClass {
  const trimmed = text.trim();
  if (user === "trovella_auth") return "auth";
  if (transactionControl.test(trimmed)) return "transaction";
  if (/^select\s+set_config\s*\(/i.test(trimmed)) return "settings";
  if (/^(set|reset|show|deallocate|discard)\b/i.test(trimmed)) return "other";
  if (user === "trovella_app" || user === "authenticated" || user === "anonymous") return "data";
  return "other";
}

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;

function cString(buffer: Buffer, offset: number): [string, number] {
  const end = buffer.indexOf(0, offset);
  const stop = end === -1 ? buffer.length : end;
  return [buffer.toString("utf8", offset, stop), stop + 1];
}

class ConnectionTracker {
  private user = "";
  private startupDone = false;
  private raw = false;
  private awaitingNegotiationByte = 0;
  private clientBuffer: Buffer = Buffer.alloc(0);
  private serverBuffer: Buffer = Buffer.alloc(0);
  private readonly statements = new Map<string, string>();
  private readonly portals = new Map<string, string>();
  private outstanding = 0;
  private inBurst = false;

  constructor(private readonly counts: SqlCounts) {}

  fromClient(chunk: Buffer): void {
    if (this.raw) return;
    this.clientBuffer = this.clientBuffer.length ? Buffer.concat([this.clientBuffer, chunk]) : chunk;
    for (let guard = 0; guard < 1_000_000; guard++) {
      if (!this.startupDone) {
        if (this.clientBuffer.length < 8) return;
        const length = this.clientBuffer.readInt32BE(0);
        if (this.clientBuffer.length < length) return;
        const code = this.clientBuffer.readInt32BE(4);
        if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
          this.awaitingNegotiationByte += 1;
        } else if (code === CANCEL_REQUEST) {
          this.raw = true;
          return;
        } else {
          let offset = 8;
          while (offset < length - 1) {
            const [key, next] = cString(this.clientBuffer, offset);
            const [value, after] = cString(this.clientBuffer, next);
            if (key === "user") this.user = value;
            offset = after;
          }
          this.startupDone = true;
        }
        this.clientBuffer = this.clientBuffer.subarray(length);
        continue;
      }
      if (this.clientBuffer.length < 5) return;
      const type = String.fromCharCode(this.clientBuffer[0] ?? 0);
      const length = this.clientBuffer.readInt32BE(1);
      if (this.clientBuffer.length < 1 + length) return;
      this.onClientMessage(type, this.clientBuffer.subarray(5, 1 + length));
      this.clientBuffer = this.clientBuffer.subarray(1 + length);
    }
  }

  private onClientMessage(type: string, payload: Buffer): void {
    // Authentication replies ('p') are part of the connection setup, not of a request.
    if (type === "X" || type === "p") return;
    if (this.outstanding === 0 && !this.inBurst) {
      this.inBurst = true;
      if (this.user === "trovella_auth") this.counts.authRoundTrips += 1;
      else this.counts.roundTrips += 1;
    }
    switch (type) {
      case "P": {
        const [name, next] = cString(payload, 0);
        const [text] = cString(payload, next);
        this.statements.set(name, text);
        break;
      }
      case "B": {
        const [portal, next] = cString(payload, 0);
        const [statement] = cString(payload, next);
        this.portals.set(portal, this.statements.get(statement) ?? "");
        break;
      }
      case "E": {
        const [portal] = cString(payload, 0);
        this.record(this.portals.get(portal) ?? "");
        break;
      }
      case "Q": {
        const [text] = cString(payload, 0);
        for (const part of text.split(";")) if (part.trim() !== "") this.record(part);
        this.outstanding += 1;
        this.inBurst = false;
        break;
      }
      case "S":
        this.outstanding += 1;
        this.inBurst = false;
        break;
      case "H":
        // Flush: the client waits for the answer (postgres.js describes a new statement this way).
        this.inBurst = false;
        break;
      default:
        break;
    }
  }

  private record(text: string): void {
    const kind = classify(this.user, text);
    this.counts.statements[kind] += 1;
    if (kind === "data" || kind === "auth") {
      const key = `${kind === "auth" ? "[auth] " : ""}${text.replace(/\s+/g, " ").trim()}`;
      this.counts.dataTexts.set(key, (this.counts.dataTexts.get(key) ?? 0) + 1);
    }
  }

  fromServer(chunk: Buffer): void {
    if (this.raw) return;
    let buffer: Buffer = this.serverBuffer.length ? Buffer.concat([this.serverBuffer, chunk]) : chunk;
    while (this.awaitingNegotiationByte > 0 && buffer.length > 0) {
      buffer = buffer.subarray(1);
      this.awaitingNegotiationByte -= 1;
    }
    for (let guard = 0; guard < 1_000_000; guard++) {
      if (buffer.length < 5) break;
      const type = String.fromCharCode(buffer[0] ?? 0);
      const length = buffer.readInt32BE(1);
      if (buffer.length < 1 + length) break;
      if (type === "Z" && this.outstanding > 0) this.outstanding -= 1;
      buffer = buffer.subarray(1 + length);
    }
    this.serverBuffer = buffer;
  }
}

export interface SqlProxy {
  port: number;
  counts: SqlCounts;
  close(): Promise<void>;
}

/** Listens on 127.0.0.1 (a free port) and forwards to PostgreSQL at 127.0.0.1:targetPort, counting. */
export async function startSqlProxy(targetPort: number): Promise<SqlProxy> {
  const counts = emptyCounts();
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const tracker = new ConnectionTracker(counts);
    const upstream = createConnection({ host: benchHost, port: targetPort });
    sockets.add(client);
    sockets.add(upstream);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    client.on("data", (chunk: Buffer) => {
      tracker.fromClient(chunk);
      upstream.write(chunk);
    });
    upstream.on("data", (chunk: Buffer) => {
      tracker.fromServer(chunk);
      client.write(chunk);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on("close", end);
    upstream.on("close", end);
    client.on("error", end);
    upstream.on("error", end);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, benchHost, () => resolve());
  });
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("proxy has no port");
  return {
    port: address.port,
    counts,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
