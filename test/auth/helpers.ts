import { randomBytes } from "node:crypto";
import { expect } from "vitest";
import { type Auth, createAuth } from "../../src/platform/auth/better-auth.js";
import type { Database } from "../../src/platform/db/index.js";
import { GatewayError } from "../../src/platform/errors.js";

// Helpers for the auth tests: Better Auth driven through its HTTP handler, exactly as a browser or a script
// would, and GraphQL-shaped requests for resolvePrincipal.

export const baseURL = "http://localhost:4000";

export function testAuth(database: Database): Auth {
  return createAuth(database, { secret: randomBytes(32).toString("base64url"), baseURL });
}

export interface AuthResponse {
  status: number;
  body: unknown;
  response: Response;
}

/** Calls a Better Auth endpoint (`/sign-in/email`, `/organization/create`, …) through the handler. */
export async function callAuth(
  auth: Auth,
  path: string,
  options: { method?: "GET" | "POST"; body?: unknown; headers?: Record<string, string> } = {},
): Promise<AuthResponse> {
  const method = options.method ?? "POST";
  const headers = new Headers(options.headers);
  if (method === "POST") headers.set("content-type", "application/json");
  // Better Auth checks the Origin of cookie-authenticated writes (CSRF): send it as a browser would.
  if (headers.has("cookie") && !headers.has("origin")) headers.set("origin", baseURL);
  const response = await auth.handler(
    new Request(`${baseURL}/api/auth${path}`, {
      method,
      headers,
      body: method === "POST" ? JSON.stringify(options.body ?? {}) : undefined,
    }),
  );
  const text = await response.clone().text();
  let body: unknown = null;
  try {
    body = text === "" ? null : JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: response.status, body, response };
}

/** Like callAuth, and fails the test unless the answer is 200. */
export async function callAuthOk(
  auth: Auth,
  path: string,
  options: Parameters<typeof callAuth>[2] = {},
): Promise<AuthResponse> {
  const result = await callAuth(auth, path, options);
  expect(result.status, `${path} → ${JSON.stringify(result.body)}`).toBe(200);
  return result;
}

export interface SignedIn {
  userId: string;
  /** `Cookie:` header value carrying the session cookie. */
  cookie: string;
  /** What the bearer plugin returned in `set-auth-token`. */
  bearer: string;
}

export async function sessionCookieName(auth: Auth): Promise<string> {
  return (await auth.$context).authCookies.sessionToken.name;
}

/** The `name=value` pair of the session cookie a response sets. */
export async function sessionCookieFrom(auth: Auth, response: Response): Promise<string | undefined> {
  const name = await sessionCookieName(auth);
  return response.headers
    .getSetCookie()
    .map((cookie) => cookie.split(";")[0] ?? "")
    .find((pair) => pair.startsWith(`${name}=`));
}

export async function signIn(auth: Auth, email: string, password: string): Promise<SignedIn> {
  const { response, body } = await callAuthOk(auth, "/sign-in/email", { body: { email, password } });
  const cookie = await sessionCookieFrom(auth, response);
  const bearer = response.headers.get("set-auth-token");
  if (!cookie || !bearer) throw new Error("sign-in set no session cookie or no set-auth-token header");
  return { userId: userIdOf(body), cookie, bearer };
}

export async function signUp(auth: Auth, input: { email: string; password: string; name: string }) {
  const { response, body } = await callAuthOk(auth, "/sign-up/email", { body: input });
  const cookie = await sessionCookieFrom(auth, response);
  const bearer = response.headers.get("set-auth-token");
  if (!cookie || !bearer) throw new Error("sign-up set no session cookie or no set-auth-token header");
  return { userId: userIdOf(body), cookie, bearer };
}

export function userIdOf(body: unknown): string {
  const user = field(body, "user");
  const id = field(user, "id");
  if (typeof id !== "string") throw new Error(`no user id in ${JSON.stringify(body)}`);
  return id;
}

/** Reads a property of an unknown JSON value (undefined when it is not an object). */
export function field(value: unknown, key: string): unknown {
  if (typeof value !== "object" || value === null) return undefined;
  return (value as Record<string, unknown>)[key];
}

export function stringField(value: unknown, key: string): string {
  const found = field(value, key);
  if (typeof found !== "string") throw new Error(`no string "${key}" in ${JSON.stringify(value)}`);
  return found;
}

/** A request as the GraphQL endpoint would receive it. */
export function graphqlRequest(headers: Record<string, string> = {}): Request {
  return new Request(`${baseURL}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ query: "{ viewer { user { id } } }" }),
  });
}

/** Makes `invitee` a member of `organizationId` the way people do: the owner invites, the invitee accepts. */
export async function addMemberByInvitation(
  auth: Auth,
  inviter: SignedIn,
  organizationId: string,
  invitee: SignedIn & { email: string },
  role: "member" | "admin",
): Promise<void> {
  const invited = await callAuthOk(auth, "/organization/invite-member", {
    body: { email: invitee.email, role, organizationId },
    headers: { authorization: `Bearer ${inviter.bearer}` },
  });
  await callAuthOk(auth, "/organization/accept-invitation", {
    body: { invitationId: stringField(invited.body, "id") },
    headers: { authorization: `Bearer ${invitee.bearer}` },
  });
}

/** Runs `promise`, expecting a GatewayError with `code`. */
export async function expectGatewayError(promise: Promise<unknown>, code: string): Promise<void> {
  await expect(promise).rejects.toSatisfy(
    (error: unknown) => error instanceof GatewayError && error.code === code,
    `GatewayError ${code}`,
  );
}
