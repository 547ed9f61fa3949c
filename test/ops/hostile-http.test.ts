import { request as httpRequest } from "node:http";
import { connect } from "node:net";
import type postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoUsers } from "../../src/platform/db/index.js";
import { type Cluster, startCluster } from "./support/cluster.js";
import { ownerClient, prepareDatabase, type ServerProcess, signInBearer, spawnServer } from "./support/stack.js";

// What a hostile client meets at the HTTP layer of the real server process (`node --import tsx src/main.ts`,
// production mode) over a real socket: answers that in-process `app.fetch` tests cannot see.

let cluster: Cluster;
let owner: postgres.Sql;
let server: ServerProcess;

beforeAll(async () => {
  cluster = await startCluster();
  const url = await prepareDatabase(cluster, "trovella_hostile_http");
  owner = ownerClient(url);
  server = await spawnServer(url, { MAX_BODY_BYTES: "65536" });
}, 180_000);

afterAll(async () => {
  server?.kill();
  await owner?.end().catch(() => {});
  await cluster?.destroy();
});

/** Whether `bytes` hold a whole HTTP response: its head, then a body as long as its Content-Length or chunks up to the last. */
function isWholeResponse(bytes: Buffer): boolean {
  const headEnd = bytes.indexOf("\r\n\r\n");
  if (headEnd < 0) return false;
  const head = bytes.subarray(0, headEnd).toString("latin1");
  const length = /\r\ncontent-length: *(\d+)/i.exec(head)?.[1];
  if (length !== undefined) return bytes.byteLength - (headEnd + 4) >= Number(length);
  return (
    /\r\ntransfer-encoding: *chunked/i.test(head) &&
    bytes.subarray(headEnd).toString("latin1").endsWith("\r\n0\r\n\r\n")
  );
}

/**
 * Sends `head` and `body` on a raw TCP socket and reads what the server writes back until a whole response
 * arrived, the server closed the connection, or 15 s passed (which fails the caller's expectations).
 */
function rawExchange(port: number, head: string, body: Buffer): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    const received: Buffer[] = [];
    const finish = () => {
      socket.destroy();
      resolve(Buffer.concat(received).toString("utf8"));
    };
    socket.on("data", (chunk) => {
      received.push(chunk);
      if (isWholeResponse(Buffer.concat(received))) finish();
    });
    socket.on("error", () => {}); // a reset: `close` follows, and the caller sees what arrived before it
    socket.on("close", finish);
    socket.setTimeout(15_000, finish);
    socket.write(head);
    socket.write(body);
  });
}

describe("request bodies over MAX_BODY_BYTES (real socket)", () => {
  it("a declared Content-Length over the limit gets 413 written before the connection closes", async () => {
    const declared = 65_536 * 4;
    const head =
      "POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" +
      `Content-Length: ${declared}\r\n\r\n`;
    // Only the head and a first slice of the body: a client that waits for the verdict before sending more.
    const text = await rawExchange(server.port, head, Buffer.from('{"query":"'));
    expect(text).toMatch(/^HTTP\/1\.1 413 /);
    expect(text).toContain('"LIMIT_EXCEEDED"');
  });

  it("a client that sends the whole oversized body still reads the 413", async () => {
    const declared = 65_536 * 4;
    const body = Buffer.from(`{"query":"${"x".repeat(declared - 12)}"}`);
    const head =
      "POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" +
      `Content-Length: ${body.byteLength}\r\n\r\n`;
    const text = await rawExchange(server.port, head, body);
    expect(text).toMatch(/^HTTP\/1\.1 413 /);
  });

  it("clients that write the whole oversized body first (fetch, and Connection: close) read the 413, never a reset", async () => {
    const body = JSON.stringify({ query: "x".repeat(4 * 1024 * 1024) });
    const outcomes: string[] = [];
    for (let i = 0; i < 10; i += 1) {
      // fetch keeps its connection; node:http without an agent sends `Connection: close`.
      const viaFetch = await fetch(`${server.baseUrl}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      }).then(
        async (response) => `${response.status} ${await response.text()}`,
        (error: { cause?: { code?: string } }) => `error ${error.cause?.code ?? "?"}`,
      );
      outcomes.push(viaFetch);
      outcomes.push(await postClosing(server.port, body));
    }
    for (const outcome of outcomes) expect(outcome).toMatch(/^413 .*"LIMIT_EXCEEDED"/);
  });
});

/** POST with `Connection: close` on a connection of its own; the status and body, or the error's code. */
function postClosing(port: number, body: string): Promise<string> {
  return new Promise((resolve) => {
    const outgoing = httpRequest({
      host: "127.0.0.1",
      port,
      path: "/graphql",
      method: "POST",
      agent: false,
      headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
    });
    outgoing.on("response", (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
      incoming.on("end", () => resolve(`${incoming.statusCode} ${Buffer.concat(chunks).toString("utf8")}`));
    });
    // A write that failed because the server closed first: the case this test exists for.
    outgoing.on("error", (error: NodeJS.ErrnoException) => resolve(`error ${error.code ?? error.name}`));
    outgoing.end(body);
  });
}

describe("Better Auth's organization endpoints (real server process)", () => {
  /** One call as Carol (a member of Globex only): status and body, parsed. */
  async function asCarol(token: string, method: "GET" | "POST", path: string, input: Record<string, string>) {
    const query = method === "GET" ? `?${new URLSearchParams(input)}` : "";
    const response = await fetch(`${server.baseUrl}/api/auth${path}${query}`, {
      method,
      headers: { authorization: `Bearer ${token}`, origin: "http://127.0.0.1", "content-type": "application/json" },
      ...(method === "POST" ? { body: JSON.stringify(input) } : {}),
    });
    const text = await response.text();
    return { status: response.status, body: text === "" ? null : (JSON.parse(text) as unknown) };
  }

  it("answer 'exists, you are not a member' exactly like 'does not exist', by id and by slug", async () => {
    const carol = await signInBearer(server.baseUrl, demoUsers.carol.email);
    // Acme exists and Carol is not in it; the other organization does not exist at all.
    const calls: {
      method: "GET" | "POST";
      path: string;
      input: (id: string, slug: string) => Record<string, string>;
    }[] = [
      { method: "GET", path: "/organization/get-full-organization", input: (id) => ({ organizationId: id }) },
      {
        method: "GET",
        path: "/organization/get-full-organization",
        input: (_id, slug) => ({ organizationSlug: slug }),
      },
      { method: "POST", path: "/organization/set-active", input: (id) => ({ organizationId: id }) },
      { method: "POST", path: "/organization/set-active", input: (_id, slug) => ({ organizationSlug: slug }) },
      { method: "GET", path: "/organization/list-members", input: (id) => ({ organizationId: id }) },
      { method: "GET", path: "/organization/list-members", input: (_id, slug) => ({ organizationSlug: slug }) },
      { method: "GET", path: "/organization/list-invitations", input: (id) => ({ organizationId: id }) },
      {
        method: "POST",
        path: "/organization/invite-member",
        input: (id) => ({ organizationId: id, email: "x@example.test", role: "member" }),
      },
      { method: "POST", path: "/organization/update", input: (id) => ({ organizationId: id, data: "{}" }) },
      { method: "POST", path: "/organization/leave", input: (id) => ({ organizationId: id }) },
      { method: "GET", path: "/organization/get-active-member", input: (id) => ({ organizationId: id }) },
    ];
    for (const { method, path, input } of calls) {
      const foreign = await asCarol(carol, method, path, input("demo-org-acme", "acme"));
      const missing = await asCarol(carol, method, path, input("no-such-organization", "no-such-organization"));
      const label = `${method} ${path} ${JSON.stringify(input("demo-org-acme", "acme"))}`;
      expect(foreign.status, label).toBeGreaterThanOrEqual(400);
      expect(foreign, label).toEqual(missing);
    }
  });
});
