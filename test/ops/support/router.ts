import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";

// A small round-robin HTTP router in front of gateway replicas, doing what a production load balancer must
// do during a rolling deploy: a replica that is draining answers 503 (`retry-after`, `connection: close`)
// before running anything, and a replica that stopped refuses or resets the connection; the router sends
// the same request to the next replica instead of passing the failure on. Anything else (data, GraphQL
// errors, 429, 400) is the client's answer.
//
// A reset is retried too: the gateway only closes connections with no request running (idle keep-alive
// connections while draining, or a request that raced onto one), so nothing ran. Past SHUTDOWN_TIMEOUT_MS
// it cuts running requests off; the topology test checks that no write was applied twice.

export interface RouterStats {
  /** Requests the router received. */
  requests: number;
  /** Retries by reason: "503" or the connection error's code (ECONNREFUSED, ECONNRESET, UND_ERR_SOCKET …). */
  retries: Record<string, number>;
  /** Answers sent to clients, by HTTP status. */
  statuses: Record<string, number>;
  /** Requests answered by each upstream, by its base URL. */
  answeredBy: Record<string, number>;
  /** Requests the router could not place on any replica within its attempts (answered 502). */
  exhausted: number;
}

export interface Router {
  baseUrl: string;
  stats: RouterStats;
  close(): Promise<void>;
}

/** Passed through from client to replica (and back); everything hop-by-hop is left out. */
const forwardedRequestHeaders = [
  "content-type",
  "accept",
  "authorization",
  "origin",
  "x-organization-id",
  "x-request-id",
];
const forwardedResponseHeaders = ["content-type", "retry-after", "x-request-id", "set-auth-token"];

function errorCode(error: unknown): string {
  const cause = (error as { cause?: { code?: string } }).cause;
  return cause?.code ?? (error as { code?: string }).code ?? (error as Error).name ?? "unknown";
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Starts the router on a free loopback port. `upstreams` are the replicas' base URLs, taken in turn; a failed
 * attempt moves to the next one, for at most `maxAttempts` attempts, pausing `retryPauseMs` after each full
 * turn (a single replica restarting would otherwise be asked again at once).
 */
export async function startRouter(
  upstreams: readonly string[],
  options: { maxAttempts?: number; retryPauseMs?: number; upstreamTimeoutMs?: number } = {},
): Promise<Router> {
  const maxAttempts = options.maxAttempts ?? upstreams.length * 4;
  const retryPauseMs = options.retryPauseMs ?? 100;
  const upstreamTimeoutMs = options.upstreamTimeoutMs ?? 15_000;
  const stats: RouterStats = { requests: 0, retries: {}, statuses: {}, answeredBy: {}, exhausted: 0 };
  let next = 0;

  const answer = (response: ServerResponse, status: number, headers: Record<string, string>, body: Buffer) => {
    stats.statuses[status] = (stats.statuses[status] ?? 0) + 1;
    response.writeHead(status, headers).end(body);
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    stats.requests += 1;
    const body = await readBody(request);
    const headers: Record<string, string> = {};
    for (const name of forwardedRequestHeaders) {
      const value = request.headers[name];
      if (typeof value === "string") headers[name] = value;
    }
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const upstream = upstreams[next++ % upstreams.length] as string;
      let reason: string;
      try {
        const reply = await fetch(`${upstream}${request.url ?? "/"}`, {
          method: request.method ?? "GET",
          headers,
          ...(request.method === "GET" || request.method === "HEAD" ? {} : { body: new Uint8Array(body) }),
          signal: AbortSignal.timeout(upstreamTimeoutMs),
        });
        const replyBody = Buffer.from(await reply.arrayBuffer());
        if (reply.status !== 503) {
          stats.answeredBy[upstream] = (stats.answeredBy[upstream] ?? 0) + 1;
          const replyHeaders: Record<string, string> = {};
          for (const name of forwardedResponseHeaders) {
            const value = reply.headers.get(name);
            if (value !== null) replyHeaders[name] = value;
          }
          answer(response, reply.status, replyHeaders, replyBody);
          return;
        }
        reason = "503";
      } catch (error) {
        // A timeout is not retried: the replica may be running the request.
        if ((error as Error).name === "TimeoutError") {
          answer(response, 504, { "content-type": "text/plain" }, Buffer.from("upstream timeout"));
          return;
        }
        reason = errorCode(error);
      }
      stats.retries[reason] = (stats.retries[reason] ?? 0) + 1;
      if (attempt % upstreams.length === 0) await new Promise((resolve) => setTimeout(resolve, retryPauseMs));
    }
    stats.exhausted += 1;
    answer(response, 502, { "content-type": "text/plain" }, Buffer.from("no replica answered"));
  };

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) answer(response, 500, { "content-type": "text/plain" }, Buffer.from(String(error)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
