import { drizzleAdapter } from "@better-auth/drizzle-adapter/relations-v2";
import { betterAuth } from "better-auth";
import { bearer, organization } from "better-auth/plugins";
import type { Logger } from "pino";
import * as schema from "../../../schema/index.js";
import { identityDatabase } from "../db/identity.js";
import type { Database } from "../db/index.js";
import { type InvitationMailOptions, invitationEmailSender } from "../mail/invitation-email.js";

// Better Auth: sign-up, sign-in, sessions, organizations, members, invitations. Mounted by the server at
// /api/auth/*. It reads and writes through the identity handle: on a real server that is its own login,
// `trovella_auth` (BYPASSRLS, granted the identity tables only), because it writes `member` and
// `invitation` rows (tenant tables under FORCE RLS) outside any tenant context. On PGlite it shares the
// single connection, so no Better Auth call may run while a tenant transaction is open.

export interface AuthOptions {
  /** Signs session cookies and bearer tokens. At least 32 characters of randomness in production. */
  secret: string;
  /** Where the gateway is reached from outside, e.g. `http://localhost:4000`. */
  baseURL: string;
  /** Origins allowed to call the auth endpoints with cookies (baseURL's origin is always trusted). */
  trustedOrigins?: string[];
  /**
   * Where Better Auth's own messages go (a failed query, with its parameters, among them): our JSON lines,
   * with the request id and scrubbed of credentials. Without it, Better Auth writes to the console.
   */
  logger?: Logger;
  /** Invitation e-mails (src/platform/mail/): without it, Better Auth sends nothing and no link is made. */
  invitations?: InvitationMailOptions;
}

/** Better Auth's base path; the server mounts `handler` there. */
export const authBasePath = "/api/auth";

export function createAuth(database: Database, options: AuthOptions) {
  return betterAuth({
    appName: "Trovella",
    secret: options.secret,
    baseURL: options.baseURL,
    basePath: authBasePath,
    trustedOrigins: options.trustedOrigins ?? [],
    database: drizzleAdapter(identityDatabase(database), {
      provider: "pg",
      schema,
      // Atomic multi-row writes (sign-up, accepting an invitation) on a real server. Not on PGlite: its one
      // connection is locked by an open transaction, and any query Better Auth sent outside it would wait
      // forever.
      transaction: database.kind === "postgres",
    }),
    emailAndPassword: { enabled: true },
    session: {
      // No cookie cache: every request reads the session from the database, so a revoked session (and,
      // with the membership check in principal.ts, a removed member) loses access at once.
      cookieCache: { enabled: false },
    },
    // Ids: no `advanced.database.generateId`, on purpose. Better Auth's default generator (32 random
    // alphanumerics) fills our TEXT id columns. `"uuid"` would leave the id to a gen_random_uuid() column
    // default on PostgreSQL, which our TEXT ids do not have. A custom function makes Better Auth assume
    // invitation ids may be guessable, and it then requires a verified email to accept or reject an
    // invitation, which nobody signed up by email+password has here.
    telemetry: { enabled: false },
    ...(options.logger ? { logger: logThrough(options.logger) } : {}),
    plugins: [
      organization({
        // `organization.type` is ours (personal/team/enterprise) and has a database default; Better Auth
        // does not need to know about it.
        // Deleting an organization cascades to every tenant row it has: not something one API call by an
        // owner should do. It stays an operator's decision.
        disableOrganizationDeletion: true,
        // Every invitation created or renewed (resend) sends one message, whoever asked Better Auth.
        ...(options.invitations ? { sendInvitationEmail: invitationEmailSender(options.invitations) } : {}),
      }),
      bearer(),
    ],
  });
}

export type Auth = ReturnType<typeof createAuth>;

type BetterAuthLogger = NonNullable<Parameters<typeof betterAuth>[0]["logger"]>;

/** Better Auth's log calls as lines of `logger`: an Error among the arguments becomes `err` (serialized). */
function logThrough(logger: Logger): BetterAuthLogger {
  return {
    level: "warn",
    log: (level, message, ...args: unknown[]) => {
      const err = args.find((arg) => arg instanceof Error);
      const details = args.filter((arg) => arg !== err);
      logger[level](
        { component: "better-auth", ...(err ? { err } : {}), ...(details.length ? { details } : {}) },
        message,
      );
    },
  };
}

/**
 * The codes of Better Auth's organization endpoints for "exists, you are not a member" (403, several) and
 * "does not exist" (400).
 */
const noSuchOrganizationForYou = new Set([
  "ORGANIZATION_NOT_FOUND",
  "USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION",
  "YOU_ARE_NOT_A_MEMBER_OF_THIS_ORGANIZATION",
]);

/**
 * Better Auth's answer for an organization that does not exist, given also when it exists and the caller
 * is not a member, on every organization endpoint (by id or by slug, set-active included): answered apart,
 * they let anyone signed in test which organization ids and slugs exist. The GraphQL side answers both
 * NOT_FOUND for the same reason (src/platform/auth/organizations.ts). Done on the response because Better Auth's
 * after-hooks may replace an error's body but not its status.
 */
async function withoutMembershipOracle(request: Request, response: Response): Promise<Response> {
  if (response.status < 400 || response.status >= 500) return response;
  if (!new URL(request.url).pathname.startsWith(`${authBasePath}/organization/`)) return response;
  const body = (await response
    .clone()
    .json()
    .catch(() => null)) as { code?: unknown } | null;
  if (typeof body?.code !== "string" || !noSuchOrganizationForYou.has(body.code)) return response;
  const headers = new Headers(response.headers);
  headers.delete("content-length");
  return new Response(JSON.stringify({ code: "ORGANIZATION_NOT_FOUND", message: "Organization not found" }), {
    status: 400,
    statusText: "BAD_REQUEST",
    headers,
  });
}

/** The function the server mounts at `/api/auth/*`. */
export function authHandler(auth: Auth): (request: Request) => Promise<Response> {
  return async (request) => withoutMembershipOracle(request, await auth.handler(request));
}
