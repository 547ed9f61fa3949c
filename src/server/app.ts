import { randomUUID } from "node:crypto";
import { type Auth, authBasePath, authHandler } from "../auth/better-auth.js";
import type { Database } from "../db/index.js";
import { createGateway, type Gateway } from "./gateway.js";
import type { Logger } from "./logger.js";
import { runWithRequestContext } from "./request-context.js";

export interface AppOptions {
  database: Database;
  auth: Auth;
  logger: Logger;
  graphiql: boolean;
  statementTimeoutMs?: number;
}

export interface App {
  /** Serves one HTTP request: /graphql, /api/auth/*, /healthz, /readyz. */
  fetch(request: Request): Promise<Response>;
  gateway: Gateway;
}

const requestIdPattern = /^[\w.-]{1,100}$/;

/** Routes and per-request context. Knows nothing of GraphQL or auth internals: it wires them. */
export function createApp(options: AppOptions): App {
  const gateway = createGateway(options);
  const handleAuth = authHandler(options.auth);

  async function route(request: Request): Promise<Response> {
    const { pathname } = new URL(request.url);
    if (pathname === "/graphql") return gateway.fetch(request);
    if (pathname === authBasePath || pathname.startsWith(`${authBasePath}/`)) return handleAuth(request);
    if (pathname === "/healthz") return Response.json({ status: "ok" });
    if (pathname === "/readyz") {
      const ready = await options.database.ping();
      return Response.json({ status: ready ? "ready" : "database unreachable" }, { status: ready ? 200 : 503 });
    }
    if (pathname === "/") return Response.redirect(new URL("/graphql", request.url), 302);
    return Response.json({ error: "not found" }, { status: 404 });
  }

  return {
    gateway,
    fetch: (request) => {
      const offered = request.headers.get("x-request-id");
      const requestId = offered && requestIdPattern.test(offered) ? offered : randomUUID();
      return runWithRequestContext({ requestId, statements: 0 }, async () => {
        const response = await route(request);
        const headers = new Headers(response.headers);
        headers.set("x-request-id", requestId);
        return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
      });
    },
  };
}
