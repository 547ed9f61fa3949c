import { createServer, type IncomingMessage, type Server } from "node:http";
import { createServerAdapter } from "@whatwg-node/server";
import { defaultMaxBodyBytes } from "../platform/config/index.js";
import type { App } from "./app.js";
import { clientAddressResolver } from "./client-address.js";

export interface HttpServer {
  server: Server;
  port: number;
  /** Requests received whose response has not finished. */
  readonly inFlight: number;
  /**
   * Graceful close: stops accepting connections (new ones are refused), closes idle keep-alive connections,
   * lets running requests finish and closes each connection after its response, for at most `timeoutMs`;
   * then closes whatever is left. `drained` is false when the timeout cut requests off (`abandoned` of them).
   */
  close(timeoutMs: number): Promise<{ drained: boolean; abandoned: number }>;
}

/** How long an answered request's unread body may keep arriving before its connection is closed. */
const unreadBodyMs = 10_000;

export interface ListenOptions {
  /** Peers whose X-Forwarded-For names the client (TRUSTED_PROXIES); none by default. */
  trustedProxies?: readonly string[];
  /** MAX_BODY_BYTES: the app answers a larger declared body with 413 before reading it (body-limit.ts). */
  maxBodyBytes?: number;
}

/** Serves the app on node:http. Resolves once listening; `port` 0 picks a free port. */
export async function listen(app: App, port: number, host?: string, options: ListenOptions = {}): Promise<HttpServer> {
  const clientAddressOf = clientAddressResolver(options.trustedProxies ?? []);
  const maxBodyBytes = options.maxBodyBytes ?? defaultMaxBodyBytes;
  // As a node:http request listener, the adapter's server context is node's own request and response.
  const adapter = createServerAdapter<{ req: IncomingMessage }>((request, { req }) =>
    app.fetch(request, { clientAddress: clientAddressOf(req) }),
  );
  const server = createServer(adapter);
  let inFlight = 0;
  let closing = false;
  const idleWaiters = new Set<() => void>();

  server.on("request", (request, response) => {
    inFlight += 1;
    // A body declared over the limit is answered (413) before it is read. Node would close the connection
    // after that answer when the client asked for `Connection: close`, while the client still writes: the
    // reset can lose the answer. Kept open, the rest of the body is read and dropped below.
    if (Number(request.headers["content-length"]) > maxBodyBytes) response.shouldKeepAlive = true;
    response.once("finish", () => {
      // Answered before its body was read (a 413 by Content-Length): the rest of the body is read and
      // dropped, so the client's write completes and it reads the answer, instead of a reset. Bounded: a
      // client still sending after unreadBodyMs loses the connection.
      if (request.complete) return;
      request.removeAllListeners("data");
      request.resume();
      const timer = setTimeout(() => request.socket.destroy(), unreadBodyMs).unref();
      request.once("end", () => clearTimeout(timer));
    });
    // A request that arrives on a kept-alive connection while closing still gets its (503) answer, and
    // that connection closes after it.
    if (closing) response.shouldKeepAlive = false;
    response.once("close", () => {
      inFlight -= 1;
      if (closing) {
        server.closeIdleConnections();
        if (inFlight === 0) for (const wake of idleWaiters) wake();
      }
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    if (host) server.listen(port, host, () => resolve());
    else server.listen(port, () => resolve());
  });
  const address = server.address();

  return {
    server,
    port: typeof address === "object" && address ? address.port : port,
    get inFlight() {
      return inFlight;
    },
    async close(timeoutMs) {
      closing = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      let timer: NodeJS.Timeout | undefined;
      const drained = await new Promise<boolean>((resolve) => {
        if (inFlight === 0) return resolve(true);
        const wake = () => resolve(true);
        idleWaiters.add(wake);
        timer = setTimeout(() => {
          idleWaiters.delete(wake);
          resolve(false);
        }, timeoutMs);
      });
      clearTimeout(timer);
      const abandoned = inFlight;
      if (drained) {
        // Connections that went idle close now; one that opened but never sent a request gets a moment.
        server.closeIdleConnections();
        await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
      }
      server.closeAllConnections();
      await closed;
      return { drained, abandoned };
    },
  };
}
