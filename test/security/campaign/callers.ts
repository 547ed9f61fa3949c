import { mkdirSync, writeFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEMO_TOKEN, demoUsers } from "../../../src/platform/db/index.js";
import { signInBearer } from "../../ops/support/stack.js";

// The campaign's callers and its one way of sending a request: over a real socket, the body written exactly
// as a replay (curl) would send it.

export interface CampaignCaller {
  label: string;
  /** The organization it is a member of (and names in X-Organization-Id); undefined when anonymous. */
  organizationId: string | undefined;
  headers: Record<string, string>;
}

export const anonymous: CampaignCaller = { label: "anonymous", organizationId: undefined, headers: {} };

/**
 * Alice, a member (owner) of Acme, with the demo token; Dave, the member of another tenant (Initech), with a
 * session from the sign-in endpoint. They share no organization, so neither may ever see the other's rows.
 */
export async function tenantMembers(baseUrl: string): Promise<[CampaignCaller, CampaignCaller]> {
  const daveSession = await signInBearer(baseUrl, demoUsers.dave.email);
  return [
    {
      label: "alice@acme",
      organizationId: "demo-org-acme",
      headers: { authorization: `Bearer ${DEMO_TOKEN}`, "x-organization-id": "demo-org-acme" },
    },
    {
      label: "dave@initech",
      organizationId: "demo-org-initech",
      headers: { authorization: `Bearer ${daveSession}`, "x-organization-id": "demo-org-initech" },
    },
  ];
}

export interface SentRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface Reply {
  request: SentRequest;
  status: number;
  text: string;
  body:
    | { data?: Record<string, unknown> | null; errors?: { message?: unknown; extensions?: Record<string, unknown> }[] }
    | undefined;
  /** The network failure's code when no response came (ECONNRESET, UND_ERR_SOCKET, TimeoutError). */
  networkError?: string;
}

export async function send(
  baseUrl: string,
  caller: CampaignCaller | null,
  operation: { query: string; variables?: Record<string, unknown>; operationName?: string },
  extraHeaders: Record<string, string> = {},
  timeoutMs = 30_000,
): Promise<Reply> {
  const request: SentRequest = {
    url: `${baseUrl}/graphql`,
    headers: { "content-type": "application/json", accept: "application/json", ...caller?.headers, ...extraHeaders },
    body: JSON.stringify(operation),
  };
  const { status, text, networkError } = await post(request, timeoutMs);
  if (networkError) return { request, status: 0, text: "", body: undefined, networkError };
  let body: Reply["body"];
  try {
    body = JSON.parse(text) as Reply["body"];
  } catch {
    body = undefined;
  }
  return { request, status, text, body };
}

/**
 * One POST on a connection of its own (as curl sends it), so one case's connection state — a keep-alive
 * connection the server is closing, a 413 that ends its connection — cannot fail another case. An answer
 * that arrived counts even when writing the rest of an oversized body then failed (EPIPE): the client
 * got its 413. No answer at all is the failure.
 */
function post(
  request: SentRequest,
  timeoutMs: number,
): Promise<{ status: number; text: string; networkError?: string }> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (result: { status: number; text: string; networkError?: string }) => {
      if (settled) return;
      settled = true;
      resolve(result);
    };
    const payload = Buffer.from(request.body, "utf8");
    const outgoing = httpRequest(request.url, {
      method: "POST",
      agent: false,
      headers: { ...request.headers, "content-length": String(payload.byteLength) },
      timeout: timeoutMs,
    });
    outgoing.on("response", (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
      incoming.on("end", () =>
        settle({ status: incoming.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }),
      );
      incoming.on("error", (error: NodeJS.ErrnoException) =>
        settle({ status: 0, text: "", networkError: error.code ?? error.name }),
      );
    });
    outgoing.on("timeout", () => {
      outgoing.destroy();
      settle({ status: 0, text: "", networkError: "timeout" });
    });
    outgoing.on("error", (error: NodeJS.ErrnoException) => {
      // A response being read wins over an error writing the body.
      setTimeout(() => settle({ status: 0, text: "", networkError: error.code ?? error.name }), 1000);
    });
    outgoing.end(payload);
  });
}

const shellQuote = (text: string) => `'${text.replaceAll("'", "'\\''")}'`;

/**
 * The request as a curl command line. A body over 2 kB is written to a file under the system's temporary
 * folder and sent with `--data-binary @file` (the 1 MB cases); a shorter one is inline.
 */
export function asCurl(request: SentRequest, name: string): string {
  const headers = Object.entries(request.headers)
    .map(([key, value]) => `-H ${shellQuote(`${key}: ${value}`)}`)
    .join(" ");
  let data: string;
  if (request.body.length > 2000) {
    const folder = join(tmpdir(), "trovella-schema-campaign");
    mkdirSync(folder, { recursive: true });
    const file = join(folder, `${name}.json`);
    writeFileSync(file, request.body);
    data = `--data-binary @${file}`;
  } else {
    data = `--data-binary ${shellQuote(request.body)}`;
  }
  return `curl -sS -X POST ${request.url} ${headers} ${data}`;
}
