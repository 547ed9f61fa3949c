import { randomBytes } from "node:crypto";
import { Writable } from "node:stream";
import { pino } from "pino";
import { type App, createApp } from "../../src/http/app.js";
import { type Auth, createAuth } from "../../src/platform/auth/better-auth.js";
import type { ExecutionConfig, HostileInputConfig, SearchConfig } from "../../src/platform/config/index.js";
import { DEMO_PASSWORD, DEMO_TOKEN, seedDemoData } from "../../src/platform/db/index.js";
import type { InvitationMailOptions } from "../../src/platform/mail/invitation-email.js";
import type { Logger } from "../../src/platform/observability/logger.js";
import { countStatement } from "../../src/platform/observability/request-context.js";
import { createTestDatabase, type TestDatabase } from "./database.js";

// The whole gateway in-process for tests: a real database (PGlite, or a fresh one on TEST_DATABASE_URL) with
// the demo data, Better Auth, and the app's fetch handler. Everything goes through app.fetch, as HTTP would:
// sign-in through Better Auth's endpoints, GraphQL through /graphql with real credentials.

export const baseUrl = "http://localhost";

/**
 * How test gateways execute unless a test says otherwise: TEST_EXECUTION=jit runs every gateway test on
 * compiled execution (src/pipeline/compiled-execution.ts); graphql-js by default.
 */
export const testExecution: ExecutionConfig | undefined =
  process.env.TEST_EXECUTION === "jit" ? { executor: "jit", compiledDocuments: 1000 } : undefined;

/** Who sends a request. */
export type Caller =
  | { kind: "anonymous" }
  /** A browser: the session cookie Better Auth set at sign-in. */
  | { kind: "cookie"; cookie: string }
  /** A script holding the session token from `set-auth-token` (Better Auth's bearer plugin). */
  | { kind: "bearer"; token: string }
  /** An agent with a personal access token (`trv_…`). */
  | { kind: "pat"; token: string };

export const anonymous: Caller = { kind: "anonymous" };
/** Alice's demo personal access token (all scopes). */
export const demoPat: Caller = { kind: "pat", token: DEMO_TOKEN };

export interface SignedIn {
  userId: string;
  /** The session as a browser holds it. */
  cookie: Caller & { kind: "cookie" };
  /** The same session as a bearer token. */
  bearer: Caller & { kind: "bearer" };
}

export interface GraphQLErrorShape {
  message: string;
  path?: (string | number)[];
  locations?: { line: number; column: number }[];
  extensions?: { code?: string; requestId?: string; [key: string]: unknown };
}

export interface GraphQLResponse<TData> {
  status: number;
  headers: Headers;
  /** The body exactly as parsed, to compare response shapes. */
  body: { data?: TData | null; errors?: GraphQLErrorShape[] };
  data: TData | null | undefined;
  errors: GraphQLErrorShape[] | undefined;
}

export interface Operation {
  query: string;
  variables?: Record<string, unknown>;
  operationName?: string;
}

export interface RequestOptions {
  /** X-Organization-Id. */
  organizationId?: string;
  /** X-Request-Id. */
  requestId?: string;
  headers?: Record<string, string>;
}

export interface TestGateway {
  db: TestDatabase;
  app: App;
  auth: Auth;
  /** Runs one GraphQL operation through POST /graphql. */
  graphql<TData>(operation: Operation, as: Caller, options?: RequestOptions): Promise<GraphQLResponse<TData>>;
  /** Signs in through POST /api/auth/sign-in/email: a new session each time. */
  signIn(email: string, password?: string): Promise<SignedIn>;
  /** Calls a Better Auth endpoint through the app (POST with a JSON body). */
  authPost(path: string, body: unknown, as: Caller): Promise<{ status: number; body: unknown }>;
  /** Makes `organizationId` the session's active organization (POST /api/auth/organization/set-active). */
  setActiveOrganization(session: SignedIn, organizationId: string | null): Promise<void>;
  /** What the runtime database handle sent while `fn` ran (the log is reset first). */
  countStatements<T>(fn: () => Promise<T>): Promise<{ result: T; statements: string[] }>;
  /** Every statement the runtime handle sent since the last reset. */
  readonly statements: readonly string[];
  /** The same statements with their parameters (to EXPLAIN them). */
  readonly statementsWithParams: readonly RecordedStatement[];
  resetStatements(): void;
  /** Error logs of the server (only with `captureLogs`), parsed from pino's JSON lines. */
  readonly logs: readonly Record<string, unknown>[];
  cleanup(): Promise<void>;
}

export interface RecordedStatement {
  sql: string;
  params: readonly unknown[];
}

export interface TestGatewayOptions {
  /** Seed the demo organizations (default true). */
  seed?: boolean;
  /** Keep the server's error logs in `logs` (otherwise the logger is silent). */
  captureLogs?: boolean;
  /** The server's logger (wins over captureLogs). */
  logger?: Logger;
  /** Limits, disclosure, trusted documents, budgets, router secret (defaults otherwise). */
  hostileInput?: Partial<HostileInputConfig>;
  /** Search tuning and embedding provider, read by every request (no provider otherwise). */
  search?: SearchConfig;
  /** Invitation e-mails (Better Auth's `sendInvitationEmail`); none otherwise. */
  invitations?: InvitationMailOptions;
  /** graphql-js or compiled execution (default: TEST_EXECUTION's, else graphql-js). */
  execution?: ExecutionConfig;
}

export async function createTestGateway(options: TestGatewayOptions = {}): Promise<TestGateway> {
  const statements: string[] = [];
  const statementsWithParams: RecordedStatement[] = [];
  const db = await createTestDatabase({
    onStatement: (sql, params) => {
      statements.push(sql);
      statementsWithParams.push({ sql, params });
      // As src/main.ts does: the request's statement count (operation logs).
      countStatement();
    },
  });
  if (options.seed ?? true) await seedDemoData(db.database);

  const logs: Record<string, unknown>[] = [];
  const logger = options.logger
    ? options.logger
    : options.captureLogs
      ? pino(
          { level: "error" },
          new Writable({
            write(chunk: Buffer, _encoding, callback) {
              for (const line of chunk.toString("utf8").split("\n")) {
                if (line.trim() !== "") logs.push(JSON.parse(line) as Record<string, unknown>);
              }
              callback();
            },
          }),
        )
      : pino({ level: "silent" });

  const auth = createAuth(db.database, {
    secret: randomBytes(32).toString("base64url"),
    baseURL: baseUrl,
    logger,
    ...(options.invitations ? { invitations: options.invitations } : {}),
  });
  const app = createApp({
    database: db.database,
    auth,
    logger,
    graphiql: false,
    ...(options.hostileInput ? { hostileInput: options.hostileInput } : {}),
    ...(options.search ? { search: options.search } : {}),
    ...((options.execution ?? testExecution) ? { execution: options.execution ?? testExecution } : {}),
  });

  function headersFor(as: Caller, options: RequestOptions = {}): Headers {
    const headers = new Headers(options.headers);
    if (as.kind === "cookie") {
      headers.set("cookie", as.cookie);
      // Better Auth checks the Origin of cookie-authenticated writes, as a browser sends it.
      headers.set("origin", baseUrl);
    }
    if (as.kind === "bearer" || as.kind === "pat") headers.set("authorization", `Bearer ${as.token}`);
    if (options.organizationId !== undefined) headers.set("x-organization-id", options.organizationId);
    if (options.requestId !== undefined) headers.set("x-request-id", options.requestId);
    return headers;
  }

  async function graphql<TData>(
    operation: Operation,
    as: Caller,
    options: RequestOptions = {},
  ): Promise<GraphQLResponse<TData>> {
    const headers = headersFor(as, options);
    headers.set("content-type", "application/json");
    if (!headers.has("accept")) headers.set("accept", "application/graphql-response+json, application/json");
    const response = await app.fetch(
      new Request(`${baseUrl}/graphql`, { method: "POST", headers, body: JSON.stringify(operation) }),
    );
    const text = await response.text();
    let body: GraphQLResponse<TData>["body"];
    try {
      body = JSON.parse(text) as GraphQLResponse<TData>["body"];
    } catch {
      throw new Error(`/graphql answered ${response.status} with a body that is not JSON: ${text.slice(0, 500)}`);
    }
    return { status: response.status, headers: response.headers, body, data: body.data, errors: body.errors };
  }

  async function authPost(path: string, body: unknown, as: Caller): Promise<{ status: number; body: unknown }> {
    const headers = headersFor(as);
    headers.set("content-type", "application/json");
    const response = await app.fetch(
      new Request(`${baseUrl}/api/auth${path}`, { method: "POST", headers, body: JSON.stringify(body) }),
    );
    const text = await response.text();
    return { status: response.status, body: text === "" ? null : (JSON.parse(text) as unknown) };
  }

  async function signIn(email: string, password: string = DEMO_PASSWORD): Promise<SignedIn> {
    const response = await app.fetch(
      new Request(`${baseUrl}/api/auth/sign-in/email`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email, password }),
      }),
    );
    const body = (await response.json()) as { user?: { id?: unknown } };
    if (response.status !== 200 || typeof body.user?.id !== "string") {
      throw new Error(`sign-in of ${email} answered ${response.status}: ${JSON.stringify(body)}`);
    }
    const cookieName = (await auth.$context).authCookies.sessionToken.name;
    const cookie = response.headers
      .getSetCookie()
      .map((setCookie) => setCookie.split(";")[0] ?? "")
      .find((pair) => pair.startsWith(`${cookieName}=`));
    const token = response.headers.get("set-auth-token");
    if (!cookie || !token) throw new Error(`sign-in of ${email} set no session cookie or no set-auth-token`);
    return { userId: body.user.id, cookie: { kind: "cookie", cookie }, bearer: { kind: "bearer", token } };
  }

  async function setActiveOrganization(session: SignedIn, organizationId: string | null): Promise<void> {
    const result = await authPost("/organization/set-active", { organizationId }, session.cookie);
    if (result.status !== 200) {
      throw new Error(`set-active ${organizationId} answered ${result.status}: ${JSON.stringify(result.body)}`);
    }
  }

  async function countStatements<T>(fn: () => Promise<T>): Promise<{ result: T; statements: string[] }> {
    statements.length = 0;
    statementsWithParams.length = 0;
    const result = await fn();
    return { result, statements: [...statements] };
  }

  return {
    db,
    app,
    auth,
    graphql,
    signIn,
    authPost,
    setActiveOrganization,
    countStatements,
    get statements() {
      return statements;
    },
    get statementsWithParams() {
      return statementsWithParams;
    },
    resetStatements: () => {
      statements.length = 0;
      statementsWithParams.length = 0;
    },
    logs,
    cleanup: () => db.cleanup(),
  };
}

/** The errors' codes, in order (undefined for an error without one). */
export function errorCodes(response: { errors?: GraphQLErrorShape[] | undefined }): (string | undefined)[] {
  return (response.errors ?? []).map((error) => error.extensions?.code);
}

/** Decodes a Relay global id (`base64("Type:id")`). */
export function decodeGlobalId(globalId: string): { type: string; id: string } {
  const raw = Buffer.from(globalId, "base64").toString("utf8");
  const separator = raw.indexOf(":");
  return { type: raw.slice(0, separator), id: raw.slice(separator + 1) };
}

/** Encodes a Relay global id. */
export function globalId(type: string, id: string): string {
  return Buffer.from(`${type}:${id}`, "utf8").toString("base64");
}
