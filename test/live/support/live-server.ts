import { randomBytes } from "node:crypto";
import { encodeGlobalID } from "@pothos/plugin-relay";
import { sql } from "drizzle-orm";
import { type Client, createClient } from "graphql-ws";
import { pino } from "pino";
import WebSocket from "ws";
import { createApp } from "../../../src/http/app.js";
import { type HttpServer, listen } from "../../../src/http/server.js";
import { serveWebSockets, type WebSocketEndpoint } from "../../../src/http/websocket.js";
import { type Auth, createAuth } from "../../../src/platform/auth/better-auth.js";
import { type BudgetConfig, defaultBudgets, defaultLive, type LiveConfig } from "../../../src/platform/config/index.js";
import { DEMO_PASSWORD, DEMO_TOKEN, seedDemoData } from "../../../src/platform/db/index.js";
import { LiveUpdates } from "../../../src/platform/live/updates.js";
import { countStatement } from "../../../src/platform/observability/request-context.js";
import { createTestDatabase, type TestDatabase } from "../../support/database.js";
import { testExecution } from "../../support/gateway.js";

// The gateway with live updates on a loopback port (a real socket: SSE over HTTP, graphql-ws over WebSocket),
// on the test database (PGlite, or a fresh database on TEST_DATABASE_URL), and the clients the tests use.

export interface LiveServer {
  db: TestDatabase;
  auth: Auth;
  live: LiveUpdates;
  http: HttpServer;
  webSockets: WebSocketEndpoint;
  baseUrl: string;
  /** One plan id (database id) of each demo organization. */
  plans: Record<string, string>;
  close(): Promise<void>;
}

export async function startLiveServer(
  config: Partial<LiveConfig> = {},
  options: { onStatement?: (sql: string) => void; budgets?: BudgetConfig } = {},
): Promise<LiveServer> {
  const db = await createTestDatabase({
    onStatement: (statement) => {
      countStatement();
      options.onStatement?.(statement);
    },
  });
  await seedDemoData(db.database);
  const logger = pino({ level: "silent" });
  const auth = createAuth(db.database, { secret: randomBytes(32).toString("base64url"), baseURL: "http://127.0.0.1" });
  const liveConfig = { ...defaultLive, recheckIntervalMs: 500, ...config };
  const live = new LiveUpdates(db.database, { probeTimeoutMs: 3000, probeIntervalMs: 5000, logger });
  await live.start();
  const app = createApp({
    database: db.database,
    auth,
    logger,
    graphiql: false,
    statementTimeoutMs: 10_000,
    hostileInput: { budgets: options.budgets ?? { ...defaultBudgets, enabled: false } },
    live: { updates: live, config: liveConfig },
    // TEST_EXECUTION=jit: compiled execution for queries; subscriptions' deliveries stay on graphql-js.
    ...(testExecution ? { execution: testExecution } : {}),
  });
  const http = await listen(app, 0, "127.0.0.1");
  const webSockets = serveWebSockets(http.server, app, {
    heartbeatMs: liveConfig.heartbeatMs,
    allowedOrigins: [],
    logger,
  });
  const rows = await db.asOwner<{ id: string; organization_id: string }>(
    sql`select distinct on (organization_id) id, organization_id from research_plan order by organization_id, id`,
  );
  const plans = Object.fromEntries(rows.map((row) => [row.organization_id, row.id]));
  return {
    db,
    auth,
    live,
    http,
    webSockets,
    baseUrl: `http://127.0.0.1:${http.port}`,
    plans,
    close: async () => {
      await live.close();
      await webSockets.close();
      await http.close(2000);
      await db.cleanup();
    },
  };
}

export const planGlobalId = (id: string) => encodeGlobalID("ResearchPlan", id);

export interface Credentials {
  token: string;
  organizationId: string;
}

export const aliceAcme: Credentials = { token: DEMO_TOKEN, organizationId: "demo-org-acme" };

/** A Better Auth session token (bearer) through the server's sign-in endpoint. */
export async function signIn(baseUrl: string, email: string): Promise<string> {
  const response = await fetch(`${baseUrl}/api/auth/sign-in/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: "http://127.0.0.1" },
    body: JSON.stringify({ email, password: DEMO_PASSWORD }),
  });
  const token = response.headers.get("set-auth-token");
  if (!token) throw new Error(`sign-in of ${email} answered ${response.status}`);
  return token;
}

export interface ReceivedResult {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

/** A subscription as a client sees it: the results so far, whether it completed, and a wait for the next. */
export interface Subscription {
  results: ReceivedResult[];
  readonly completed: boolean;
  /** Resolves with the result number `index` (0-based), or rejects after `timeoutMs`. */
  result(index: number, timeoutMs?: number): Promise<ReceivedResult>;
  /** Resolves once completed (or rejects after `timeoutMs`). */
  done(timeoutMs?: number): Promise<void>;
  close(): void;
}

function subscriptionState(): {
  sub: Omit<Subscription, "close">;
  push: (result: ReceivedResult) => void;
  complete: () => void;
} {
  const results: ReceivedResult[] = [];
  let completed = false;
  const waiters = new Set<() => void>();
  const wake = () => {
    for (const w of [...waiters]) w();
  };
  const waitFor = (check: () => boolean, timeoutMs: number, what: string) =>
    new Promise<void>((resolve, reject) => {
      if (check()) return resolve();
      const waiter = () => {
        if (!check()) return;
        waiters.delete(waiter);
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        reject(new Error(`${what} within ${timeoutMs} ms (results: ${JSON.stringify(results)})`));
      }, timeoutMs);
      waiters.add(waiter);
    });
  return {
    sub: {
      results,
      get completed() {
        return completed;
      },
      async result(index, timeoutMs = 5000) {
        await waitFor(() => results.length > index, timeoutMs, `no result #${index}`);
        return results[index] as ReceivedResult;
      },
      done: (timeoutMs = 5000) => waitFor(() => completed, timeoutMs, "not completed"),
    },
    push: (result) => {
      results.push(result);
      wake();
    },
    complete: () => {
      completed = true;
      wake();
    },
  };
}

export interface SubscribeRequest {
  query: string;
  variables?: Record<string, unknown>;
}

/** GraphQL over SSE (Yoga's distinct-connections mode): POST with Accept: text/event-stream. */
export async function subscribeSse(
  baseUrl: string,
  operation: SubscribeRequest,
  credentials: Credentials | null,
): Promise<Subscription> {
  const controller = new AbortController();
  const response = await fetch(`${baseUrl}/graphql`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "text/event-stream",
      ...(credentials
        ? { authorization: `Bearer ${credentials.token}`, "x-organization-id": credentials.organizationId }
        : {}),
    },
    body: JSON.stringify(operation),
    signal: controller.signal,
  });
  const { sub, push, complete } = subscriptionState();
  const body = response.body;
  if (!body) throw new Error(`no body (${response.status})`);
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = "";
    try {
      const reader = body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let end = buffer.indexOf("\n\n");
        while (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf("\n\n");
          const event = /^event: (\w+)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event === "next" && data) push(JSON.parse(data) as ReceivedResult);
          if (event === "complete") complete();
        }
      }
    } catch {
      // aborted
    }
    complete();
  })();
  return Object.assign(sub, { close: () => controller.abort() });
}

/** A graphql-ws client over a real WebSocket; credentials in the connection_init payload. */
export function wsClient(
  baseUrl: string,
  credentials: Credentials | null,
  options: { lazy?: boolean } = {},
): Client & { closeCodes: number[] } {
  const closeCodes: number[] = [];
  const client = createClient({
    url: `${baseUrl.replace("http", "ws")}/graphql`,
    webSocketImpl: WebSocket,
    // Lazy (the default here): the client closes the socket itself once its last subscription completed.
    lazy: options.lazy ?? true,
    // The close is what a test checks (closeCodes), not an error to print.
    onNonLazyError: () => {},
    retryAttempts: 0,
    connectionParams: credentials
      ? { authorization: `Bearer ${credentials.token}`, "x-organization-id": credentials.organizationId }
      : {},
    on: { closed: (event) => closeCodes.push((event as { code: number }).code) },
  });
  return Object.assign(client, { closeCodes });
}

/** One subscription over a graphql-ws client. */
export function subscribeWs(client: Client, operation: SubscribeRequest): Subscription {
  const { sub, push, complete } = subscriptionState();
  const unsubscribe = client.subscribe(operation, {
    next: (value) => push(value as ReceivedResult),
    error: (error) => {
      push({ errors: [{ message: String((error as { reason?: string }).reason ?? error) }] });
      complete();
    },
    complete,
  });
  return Object.assign(sub, { close: unsubscribe });
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
