import { randomUUID } from "node:crypto";
import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { type ExecutionArgs, type ExecutionResult, GraphQLError } from "graphql";
import { useServer } from "graphql-ws/use/ws";
import { WebSocketServer } from "ws";
import type { LiveConnection } from "../pipeline/live-subscriptions.js";
import type { ErrorCode } from "../platform/errors.js";
import { credentialsOf } from "../platform/observability/logger.js";
import { type RequestContext, runWithRequestContext } from "../platform/observability/request-context.js";
import type { App } from "./app.js";
import { clientAddressResolver } from "./client-address.js";

// graphql-ws over WebSocket on the HTTP server's port and path (/graphql). The same credentials as HTTP: the
// upgrade request's cookie and headers, or `authorization` and `x-organization-id` in the connection_init
// payload (which win). Each operation goes through the gateway's enveloped pipeline (src/pipeline/gateway.ts):
// validation, limits, budgets, and for subscriptions src/pipeline/live-subscriptions.ts. Trusted documents are
// checked on HTTP requests only: when they are enforced, operations over WebSocket are refused (use SSE).
// Each operation gets a request context of its own and one log line and metrics (status 101), as over HTTP.

export interface WebSocketOptions {
  /** Ping interval; a connection whose pong is missing at the next ping is closed (LIVE_HEARTBEAT_MS). */
  heartbeatMs: number;
  trustedProxies?: readonly string[];
  /** Origins a browser may open a socket from (PUBLIC_URL and CORS_ORIGINS); the socket's own host always. */
  allowedOrigins: readonly string[];
  /** Trusted documents are enforced: free-form documents over WebSocket are refused. */
  trustedDocumentsOnly?: boolean;
  logger: { warn(fields: object, message: string): void };
}

export interface WebSocketEndpoint {
  /** Open sockets. */
  readonly connections: number;
  /** Closes every socket (1001, going away) and stops accepting new ones. */
  close(): Promise<void>;
}

const payloadHeaders = ["authorization", "x-organization-id"] as const;

/** The upgrade request's headers with the connection_init payload's credentials over them. */
function requestFor(upgrade: IncomingMessage, payload: Record<string, unknown> | undefined): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(upgrade.headers)) {
    if (typeof value === "string") headers.set(name, value);
    else if (Array.isArray(value)) headers.set(name, value.join(", "));
  }
  for (const name of payloadHeaders) {
    const value =
      payload?.[name] ?? payload?.[name.replace(/(^|-)(\w)/g, (_m, dash: string, c: string) => dash + c.toUpperCase())];
    if (typeof value === "string") headers.set(name, value);
  }
  if (payload?.organizationId && typeof payload.organizationId === "string") {
    headers.set("x-organization-id", payload.organizationId);
  }
  for (const name of [
    "connection",
    "upgrade",
    "sec-websocket-key",
    "sec-websocket-version",
    "sec-websocket-extensions",
  ]) {
    headers.delete(name);
  }
  return new Request(`http://${upgrade.headers.host ?? "localhost"}/graphql`, { method: "POST", headers });
}

function originAllowed(request: IncomingMessage, allowed: readonly string[]): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true; // not a browser: no ambient credentials to abuse
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    return false;
  }
  if (host === request.headers.host) return true;
  return allowed.some((entry) => {
    try {
      return new URL(entry).origin === origin;
    } catch {
      return false;
    }
  });
}

function refuseUpgrade(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
}

type Enveloped = ReturnType<App["gateway"]["getEnveloped"]>;
/** What an accepted operation runs with: its pipeline and its request context. */
interface Accepted {
  enveloped: Enveloped;
  requestContext: RequestContext;
}

const webSocketStatus = 101;

function codesOf(errors: readonly GraphQLError[] | undefined): string[] {
  return (errors ?? []).map((error) => {
    const code = error.extensions?.code;
    return typeof code === "string" ? code : "GRAPHQL_ERROR";
  });
}

export function serveWebSockets(server: Server, app: App, options: WebSocketOptions): WebSocketEndpoint {
  const wss = new WebSocketServer({ noServer: true });
  const clientAddressOf = clientAddressResolver(options.trustedProxies ?? []);
  const acceptedByContext = new WeakMap<object, Accepted>();
  const connections = new WeakMap<object, LiveConnection>();

  server.on("upgrade", (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = new URL(request.url ?? "/", "http://localhost").pathname;
    if (path !== "/graphql") return refuseUpgrade(socket, 404, "Not Found");
    if (app.draining) return refuseUpgrade(socket, 503, "Service Unavailable");
    if (!originAllowed(request, options.allowedOrigins)) return refuseUpgrade(socket, 403, "Forbidden");
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit("connection", ws, request));
  });

  const dispose = useServer<Record<string, unknown> | undefined>(
    {
      execute: (args: ExecutionArgs) => run(args, "execute"),
      subscribe: (args: ExecutionArgs) => run(args, "subscribe"),
      onConnect: (ctx) => {
        connections.set(ctx.extra.socket, { id: randomUUID(), subscriptions: 0 });
        return true;
      },
      onSubscribe: async (ctx, _id, payload) => {
        if (options.trustedDocumentsOnly) {
          return [
            new GraphQLError("Trusted documents are enforced: send operations over HTTP (SSE for subscriptions).", {
              extensions: { code: "TRUSTED_DOCUMENT_REQUIRED" satisfies ErrorCode },
            }),
          ];
        }
        const request = requestFor(ctx.extra.request, ctx.connectionParams ?? undefined);
        const params = {
          query: payload.query,
          operationName: payload.operationName ?? undefined,
          variables: payload.variables ?? undefined,
          extensions: payload.extensions ?? undefined,
        };
        const liveConnection = connections.get(ctx.extra.socket);
        const requestContext: RequestContext = {
          requestId: randomUUID(),
          clientAddress: clientAddressOf(ctx.extra.request),
          statements: 0,
          startedAt: performance.now(),
          secrets: credentialsOf(request.headers),
          operation: {
            name: payload.operationName ?? null,
            type: null,
            organizationId: null,
            userId: null,
            errorCodes: [],
          },
        };
        const refuse = (errors: readonly GraphQLError[]) => {
          if (requestContext.operation) requestContext.operation.errorCodes = codesOf(errors);
          app.recordOperation(requestContext, webSocketStatus);
          return [...errors];
        };
        return runWithRequestContext(requestContext, async () => {
          const enveloped = app.gateway.getEnveloped({
            request,
            params,
            ...(liveConnection ? { liveConnection } : {}),
          });
          // As over HTTP (Yoga): parse and validate, then the credentials (the context).
          let document: ExecutionArgs["document"];
          try {
            document = enveloped.parse(payload.query);
          } catch (error) {
            return refuse([error instanceof GraphQLError ? error : new GraphQLError("Syntax error.")]);
          }
          const errors = enveloped.validate(enveloped.schema, document);
          if (errors.length > 0) return refuse(errors);
          let contextValue: object;
          try {
            contextValue = await enveloped.contextFactory();
          } catch (error) {
            // The credentials or the organization were refused (a coded GatewayError).
            const message = error instanceof Error ? error.message : "refused";
            const code = (error as { code?: unknown }).code;
            return refuse([
              new GraphQLError(message, {
                extensions: { code: typeof code === "string" ? code : ("UNAUTHENTICATED" satisfies ErrorCode) },
              }),
            ]);
          }
          acceptedByContext.set(contextValue, { enveloped, requestContext });
          return {
            schema: enveloped.schema,
            document,
            operationName: payload.operationName ?? null,
            variableValues: payload.variables ?? null,
            contextValue,
          };
        });
      },
    },
    wss,
    options.heartbeatMs,
  );

  /**
   * Runs an accepted operation in its request context (statements counted, log lines carry its id) and records
   * it: a query or mutation once its result is there, a subscription once it started (or was refused).
   */
  function run(args: ExecutionArgs, kind: "execute" | "subscribe") {
    const accepted = acceptedByContext.get(args.contextValue as object);
    if (!accepted) throw new Error("graphql-ws: an operation without its pipeline");
    const { enveloped, requestContext } = accepted;
    return runWithRequestContext(requestContext, async () => {
      const result = await (enveloped[kind](args) as Promise<ExecutionResult | AsyncIterableIterator<ExecutionResult>>);
      if (requestContext.operation && !(Symbol.asyncIterator in result)) {
        requestContext.operation.errorCodes = codesOf(result.errors);
      }
      app.recordOperation(requestContext, webSocketStatus);
      return result;
    });
  }

  return {
    get connections() {
      return wss.clients.size;
    },
    async close() {
      // graphql-ws closes each socket with 1001 (going away) after the subscriptions completed.
      await dispose.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
