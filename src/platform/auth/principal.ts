import { isAPIError } from "better-auth/api";
import { asc, eq, sql } from "drizzle-orm";
import { member, organization, personalAccessToken, type TokenScope, tokenScopes } from "../../../schema/index.js";
import { identityDatabase, type RawDatabase } from "../db/identity.js";
import type { Database } from "../db/index.js";
import { GatewayError } from "../errors.js";
import type { Auth } from "./better-auth.js";
import { hashTokenSecret, looksLikeTokenSecret } from "./token-secrets.js";

// Who is calling, and for which tenant. Everything here reads through the identity handle (Better Auth's
// login) and must run BEFORE the operation's tenant transaction opens: on PGlite there is one connection,
// and a query sent from inside withTenantContext() to any other handle waits forever.

export interface Principal {
  userId: string;
  via: "session-cookie" | "session-bearer" | "personal-access-token";
  /** What the caller may do. Sessions carry every scope; a personal access token carries its own. */
  scopes: readonly TokenScope[];
  /** The tenant of this request (X-Organization-Id, else the session's active organization); checked. */
  organizationId: string | null;
  /** The caller's role in organizationId, read on this request (never cached). */
  memberRole: string | null;
  /** Every organization the user belongs to, read on this request (the viewer's memberships). */
  memberships: readonly Membership[];
  sessionId: string | null;
  tokenId: string | null;
}

export interface PrincipalDeps {
  auth: Auth;
  database: Database;
}

export interface ResolvePrincipalOptions {
  /**
   * Receives the Set-Cookie headers Better Auth emits while reading a cookie session (a refreshed expiry,
   * or the deletion of a stale cookie). The server should copy them onto its response.
   */
  responseHeaders?: Headers;
}

/** The request header naming the tenant; it wins over the session's active organization. */
export const organizationHeader = "x-organization-id";

const allScopes: readonly TokenScope[] = Object.freeze([...tokenScopes]);

/** lastUsedAt is written at most this often per token: a busy agent does not turn every read into a write. */
export const lastUsedThrottleMs = 60_000;

const maxOrganizationIdLength = 200;

interface Identity {
  userId: string;
  via: Principal["via"];
  scopes: readonly TokenScope[];
  activeOrganizationId: string | null;
  sessionId: string | null;
  tokenId: string | null;
  /** The user's memberships when the credential look-up already read them (personal access tokens). */
  memberships?: Membership[];
}

/**
 * Resolves the caller from, in this order: `Authorization: Bearer trv_…` (personal access token),
 * `Authorization: Bearer <session token>` (Better Auth's bearer plugin), the session cookie.
 *
 * - No credentials, or a stale session cookie: null (anonymous).
 * - An Authorization header that does not authenticate (unknown, expired or revoked token, another scheme):
 *   GatewayError UNAUTHENTICATED. Presented credentials are never silently downgraded to anonymous.
 * - A tenant (header or active organization) the user is not a member of: GatewayError FORBIDDEN. The
 *   membership is read on every call, so a removed member loses access with the next request.
 */
export async function resolvePrincipal(
  request: Request,
  deps: PrincipalDeps,
  options: ResolvePrincipalOptions = {},
): Promise<Principal | null> {
  const requestedOrganizationId = readOrganizationHeader(request.headers);
  const authorization = request.headers.get("authorization")?.trim() ?? "";

  const identity =
    authorization !== ""
      ? await identityFromAuthorization(authorization, request.headers, deps)
      : await identityFromCookie(request.headers, deps, options.responseHeaders);

  if (!identity) {
    if (requestedOrganizationId !== null) {
      throw new GatewayError("UNAUTHENTICATED", "Sign in to choose an organization with X-Organization-Id.");
    }
    return null;
  }

  const organizationId = requestedOrganizationId ?? identity.activeOrganizationId;
  // One query gives both the membership check and the viewer's organizations (for a personal access token,
  // the token's own look-up already did).
  const memberships = identity.memberships ?? (await listMemberships(deps, identity.userId));
  let memberRole: string | null = null;
  if (organizationId !== null) {
    memberRole = memberships.find((m) => m.organizationId === organizationId)?.role ?? null;
    if (memberRole === null) {
      throw new GatewayError("FORBIDDEN", "You are not a member of this organization.", { organizationId });
    }
  }

  return {
    userId: identity.userId,
    via: identity.via,
    scopes: identity.scopes,
    organizationId,
    memberRole,
    memberships,
    sessionId: identity.sessionId,
    tokenId: identity.tokenId,
  };
}

/** True when the principal may act with `scope` (sessions hold every scope). */
export function hasScope(principal: Principal, scope: TokenScope): boolean {
  return principal.scopes.includes(scope);
}

function readOrganizationHeader(headers: Headers): string | null {
  const raw = headers.get(organizationHeader);
  if (raw === null) return null;
  const value = raw.trim();
  if (value === "") return null;
  if (value.length > maxOrganizationIdLength) {
    throw new GatewayError("BAD_USER_INPUT", "X-Organization-Id is not a valid organization id.");
  }
  return value;
}

async function identityFromAuthorization(
  authorization: string,
  requestHeaders: Headers,
  deps: PrincipalDeps,
): Promise<Identity> {
  const match = /^bearer\s+(\S+)$/i.exec(authorization);
  const token = match?.[1];
  if (!token) {
    throw new GatewayError("UNAUTHENTICATED", "Unsupported Authorization header: use `Bearer <token>`.");
  }
  if (looksLikeTokenSecret(token)) return identityFromPersonalAccessToken(token, deps.database);

  // A session token. Only the Authorization header speaks for the caller: a cookie sent alongside it is
  // ignored, so one request never mixes two sessions.
  const headers = new Headers(requestHeaders);
  headers.delete("cookie");
  const session = await readSession(deps.auth, headers);
  if (!session) throw new GatewayError("UNAUTHENTICATED", "The bearer token is invalid or has expired.");
  return { ...session, via: "session-bearer" };
}

async function identityFromCookie(
  requestHeaders: Headers,
  deps: PrincipalDeps,
  responseHeaders: Headers | undefined,
): Promise<Identity | null> {
  const cookieName = (await deps.auth.$context).authCookies.sessionToken.name;
  if (!hasCookie(requestHeaders.get("cookie"), cookieName)) return null;
  // A cookie that no longer names a live session is what browsers keep after sign-out or expiry: the
  // caller is anonymous, and Better Auth's Set-Cookie (passed on below) clears it.
  const session = await readSession(deps.auth, requestHeaders, responseHeaders);
  return session ? { ...session, via: "session-cookie" } : null;
}

type SessionIdentity = Omit<Identity, "via">;

async function readSession(auth: Auth, headers: Headers, responseHeaders?: Headers): Promise<SessionIdentity | null> {
  let result: Awaited<ReturnType<typeof getSessionWithHeaders>>;
  try {
    result = await getSessionWithHeaders(auth, headers);
  } catch (error) {
    // Better Auth answers a session that vanished mid-refresh with a 401; anything else is internal.
    if (isAPIError(error) && error.statusCode < 500) return null;
    throw error;
  }
  if (responseHeaders) {
    for (const cookie of result.headers.getSetCookie()) responseHeaders.append("set-cookie", cookie);
  }
  const data = result.response;
  if (!data) return null;
  return {
    userId: data.user.id,
    scopes: allScopes,
    activeOrganizationId: data.session.activeOrganizationId ?? null,
    sessionId: data.session.id,
    tokenId: null,
  };
}

function getSessionWithHeaders(auth: Auth, headers: Headers) {
  return auth.api.getSession({ headers, returnHeaders: true });
}

function hasCookie(cookieHeader: string | null, name: string): boolean {
  if (!cookieHeader) return false;
  return cookieHeader.split(";").some((part) => {
    const separator = part.indexOf("=");
    return separator > 0 && part.slice(0, separator).trim() === name && part.slice(separator + 1).trim() !== "";
  });
}

/** A Membership's columns, read by the token look-up and by listMemberships(). */
const membershipColumns = {
  memberId: member.id,
  organizationId: organization.id,
  name: organization.name,
  slug: organization.slug,
  type: organization.type,
  role: member.role,
  joinedAt: member.createdAt,
};

function buildTokenLookup(db: RawDatabase) {
  return db
    .select({
      id: personalAccessToken.id,
      userId: personalAccessToken.userId,
      scopes: personalAccessToken.scopes,
      expiresAt: personalAccessToken.expiresAt,
      revokedAt: personalAccessToken.revokedAt,
      lastUsedAt: personalAccessToken.lastUsedAt,
      ...membershipColumns,
    })
    .from(personalAccessToken)
    .leftJoin(member, eq(member.userId, personalAccessToken.userId))
    .leftJoin(organization, eq(organization.id, member.organizationId))
    .where(eq(personalAccessToken.tokenHash, sql.placeholder("tokenHash")))
    .orderBy(asc(organization.name), asc(organization.id))
    .prepare("personal_access_token_lookup");
}

// Every request with a token runs this statement: its SQL is built once per handle, not per request.
const tokenLookups = new WeakMap<RawDatabase, ReturnType<typeof buildTokenLookup>>();

function tokenLookup(db: RawDatabase): ReturnType<typeof buildTokenLookup> {
  let lookup = tokenLookups.get(db);
  if (!lookup) {
    lookup = buildTokenLookup(db);
    tokenLookups.set(db, lookup);
  }
  return lookup;
}

/**
 * The token and its user's memberships in one statement (a row per membership, ordered like
 * listMemberships(); one row with no membership columns when the user belongs nowhere).
 */
async function identityFromPersonalAccessToken(secret: string, database: Database): Promise<Identity> {
  const db = identityDatabase(database);
  const rows = await tokenLookup(db).execute({ tokenHash: hashTokenSecret(secret) });
  const token = rows[0];
  const now = new Date();
  // One message for unknown, revoked and expired: the caller learns nothing about which tokens exist.
  if (!token || token.revokedAt !== null || (token.expiresAt !== null && token.expiresAt <= now)) {
    throw new GatewayError("UNAUTHENTICATED", "The personal access token is invalid, expired or revoked.");
  }
  if (token.lastUsedAt === null || now.getTime() - token.lastUsedAt.getTime() >= lastUsedThrottleMs) {
    await db.update(personalAccessToken).set({ lastUsedAt: now }).where(eq(personalAccessToken.id, token.id));
  }
  const memberships: Membership[] = [];
  for (const row of rows) {
    if (row.memberId === null || row.organizationId === null || row.name === null || row.slug === null) continue;
    if (row.type === null || row.role === null || row.joinedAt === null) continue;
    memberships.push({
      memberId: row.memberId,
      organizationId: row.organizationId,
      name: row.name,
      slug: row.slug,
      type: row.type,
      role: row.role,
      joinedAt: row.joinedAt,
    });
  }
  return {
    userId: token.userId,
    via: "personal-access-token",
    scopes: Object.freeze(token.scopes.filter(isTokenScope)),
    activeOrganizationId: null,
    sessionId: null,
    tokenId: token.id,
    memberships,
  };
}

function isTokenScope(value: unknown): value is TokenScope {
  return typeof value === "string" && (tokenScopes as readonly string[]).includes(value);
}

export interface Membership {
  memberId: string;
  organizationId: string;
  name: string;
  slug: string;
  type: "personal" | "team" | "enterprise";
  role: string;
  joinedAt: Date;
}

/**
 * The user's memberships across every organization (auth data, read through the identity handle: the
 * gateway's `member` policies show one tenant at a time by design). For the GraphQL `viewer` field; call it
 * before the operation's transaction opens, or from code that does not run inside one.
 */
export async function listMemberships(deps: Pick<PrincipalDeps, "database">, userId: string): Promise<Membership[]> {
  return identityDatabase(deps.database)
    .select(membershipColumns)
    .from(member)
    .innerJoin(organization, eq(organization.id, member.organizationId))
    .where(eq(member.userId, userId))
    .orderBy(asc(organization.name), asc(organization.id));
}
