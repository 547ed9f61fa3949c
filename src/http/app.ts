import { randomUUID } from "node:crypto";
import { context as otelContext, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import type { BucketStore } from "../pipeline/budgets.js";
import { createGateway, type Gateway, type GatewayOptions } from "../pipeline/gateway.js";
import { type Auth, authBasePath, authHandler } from "../platform/auth/better-auth.js";
import {
  defaultMaxBodyBytes,
  defaultReadinessTimeoutMs,
  type ExecutionConfig,
  type HostileInputConfig,
  type SearchConfig,
} from "../platform/config/index.js";
import type { Database } from "../platform/db/index.js";
import { credentialsOf, type Logger } from "../platform/observability/logger.js";
import { createMetrics, type Metrics } from "../platform/observability/metrics.js";
import { type RequestContext, runWithRequestContext } from "../platform/observability/request-context.js";
import { limitRequestBody } from "./body-limit.js";
import { applySecurityHeaders } from "./security-headers.js";

export interface AppOptions {
  database: Database;
  auth: Auth;
  logger: Logger;
  graphiql: boolean;
  statementTimeoutMs?: number;
  /** Prometheus metrics; a fresh registry without process metrics when not given. */
  metrics?: Metrics;
  /** Serve /metrics (default true). */
  metricsEnabled?: boolean;
  /** /readyz fails when the database, or a transaction on the runtime pool, does not answer within this time (default 2000 ms). */
  readinessTimeoutMs?: number;
  /** Limits, disclosure, CORS, trusted documents and budgets (docs/hostile-input.md). */
  hostileInput?: Partial<HostileInputConfig>;
  bucketStore?: BucketStore;
  /** Serve `_service` and `_entities` (default true; FEDERATION=off). */
  federation?: boolean;
  /** Semantic search's tuning and embedding provider (default: the default tuning, no provider). */
  search?: SearchConfig;
  /** graphql-js (default) or compiled execution (EXECUTION=jit). */
  execution?: ExecutionConfig;
  /** Live updates: subscriptions over SSE (and graphql-ws, src/http/websocket.ts); refused without it. */
  live?: GatewayOptions["live"];
}

/** What the HTTP server knows of a request beyond the request itself. */
export interface Connection {
  /** The client's address (src/http/client-address.ts). */
  clientAddress: string;
}

export interface App {
  /** Serves one HTTP request: /graphql, /api/auth/*, /healthz, /readyz, /metrics. */
  fetch(request: Request, connection?: Connection): Promise<Response>;
  gateway: Gateway;
  metrics: Metrics;
  /**
   * The first step of a graceful shutdown: from now on /readyz answers 503 and every new request but
   * /healthz and /metrics is refused with 503 (and `connection: close`). Requests already running go on.
   */
  startDraining(): void;
  readonly draining: boolean;
  /**
   * Writes an operation's log line and metrics from its request context (src/http/websocket.ts: operations
   * over graphql-ws, which do not pass through fetch). `status` is the HTTP status, 101 over a WebSocket.
   */
  recordOperation(context: RequestContext, status: number): void;
}

const requestIdPattern = /^[\w.-]{1,100}$/;
const tracer = trace.getTracer("trovella-gateway");
const headerGetter = {
  keys: (headers: Headers) => [...headers.keys()],
  get: (headers: Headers, key: string) => headers.get(key) ?? undefined,
};

/**
 * The response with `x-request-id` and the security headers. Yoga's responses have mutable headers: they are
 * set in place, with no second Response object (a measurable share of a request's CPU). A response with
 * immutable headers (`Response.redirect`) is copied.
 */
function withResponseHeaders(response: Response, requestId: string, graphiql: boolean): Response {
  const decorate = (headers: Headers) => {
    headers.set("x-request-id", requestId);
    applySecurityHeaders(headers, { graphiql });
  };
  try {
    decorate(response.headers);
    return response;
  } catch {
    const headers = new Headers(response.headers);
    decorate(headers);
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
  }
}

/** Routes and per-request context. Knows nothing of GraphQL or auth internals: it wires them. */
export function createApp(options: AppOptions): App {
  const metrics = options.metrics ?? createMetrics();
  if (!options.metrics) metrics.watchDatabase(options.database);
  const gateway = createGateway({ ...options, metrics });
  const handleAuth = authHandler(options.auth);
  const metricsEnabled = options.metricsEnabled ?? true;
  const { logger } = options;
  let draining = false;

  async function route(request: Request, pathname: string): Promise<Response> {
    if (pathname === "/healthz") return Response.json({ status: draining ? "shutting down" : "ok" });
    if (pathname === "/metrics" && metricsEnabled) {
      const { contentType, body } = await metrics.render();
      return new Response(body, { headers: { "content-type": contentType } });
    }
    if (draining) {
      return Response.json(
        pathname === "/readyz" ? { status: "shutting down" } : { error: "the server is shutting down" },
        { status: 503, headers: { "retry-after": "1", connection: "close" } },
      );
    }
    const isAuth = pathname === authBasePath || pathname.startsWith(`${authBasePath}/`);
    if (pathname === "/graphql" || isAuth) {
      // Every endpoint that reads a body gets the same bound (MAX_BODY_BYTES) before anything parses it.
      const limited = await limitRequestBody(
        request,
        options.hostileInput?.maxBodyBytes ?? defaultMaxBodyBytes,
        !(options.hostileInput?.production ?? false),
      );
      if (limited instanceof Response) return limited;
      return isAuth ? handleAuth(limited) : gateway.fetch(limited);
    }
    if (pathname === "/readyz") {
      const ready = await options.database.ping(options.readinessTimeoutMs ?? defaultReadinessTimeoutMs);
      return Response.json({ status: ready ? "ready" : "database unreachable" }, { status: ready ? 200 : 503 });
    }
    if (pathname === "/") return Response.redirect(new URL("/graphql", request.url), 302);
    return Response.json({ error: "not found" }, { status: 404 });
  }

  /** The operation's log line and metrics, once its response is ready. */
  function recordOperation(context: RequestContext, status: number): void {
    const operation = context.operation;
    if (!operation) return;
    const durationSeconds = (performance.now() - (context.startedAt ?? performance.now())) / 1000;
    metrics.observeOperation({
      name: operation.name,
      type: operation.type,
      durationSeconds,
      statements: context.statements,
      errorCodes: operation.errorCodes,
    });
    const fields = {
      requestId: context.requestId,
      operationName: operation.name,
      operationType: operation.type,
      organizationId: operation.organizationId,
      userId: operation.userId,
      durationMs: Math.round(durationSeconds * 10_000) / 10,
      statements: context.statements,
      status,
      ...(operation.errorCodes.length > 0 ? { errors: operation.errorCodes } : {}),
    };
    if (operation.errorCodes.length > 0) logger.warn(fields, "graphql operation");
    else logger.info(fields, "graphql operation");
  }

  return {
    gateway,
    metrics,
    recordOperation,
    get draining() {
      return draining;
    },
    startDraining: () => {
      draining = true;
      metrics.setDraining(true);
    },
    fetch: (request, connection) => {
      const offered = request.headers.get("x-request-id");
      const requestId = offered && requestIdPattern.test(offered) ? offered : randomUUID();
      const { pathname } = new URL(request.url);
      const context: RequestContext = {
        requestId,
        clientAddress: connection?.clientAddress ?? "unknown",
        statements: 0,
        startedAt: performance.now(),
        secrets: credentialsOf(request.headers),
      };
      const parent = propagation.extract(ROOT_CONTEXT, request.headers, headerGetter);
      return runWithRequestContext(context, () =>
        otelContext.with(parent, () =>
          tracer.startActiveSpan(
            `${request.method} ${pathname}`,
            {
              kind: SpanKind.SERVER,
              attributes: {
                "http.request.method": request.method,
                "url.path": pathname,
                "trovella.request_id": requestId,
              },
            },
            async (span) => {
              const finished = metrics.requestStarted();
              try {
                const response = await route(request, pathname);
                span.setAttribute("http.response.status_code", response.status);
                if (response.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
                recordOperation(context, response.status);
                return withResponseHeaders(response, requestId, options.graphiql);
              } catch (error) {
                span.setStatus({ code: SpanStatusCode.ERROR });
                logger.error({ err: error, path: pathname }, "request failed");
                throw error;
              } finally {
                finished();
                span.end();
              }
            },
          ),
        ),
      );
    },
  };
}
