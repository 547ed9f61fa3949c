import type {
  AcceptedInvitation,
  InvitableRole,
  SentInvitation,
  SessionCredentials,
} from "../../platform/auth/organization-api.js";
import { GatewayError } from "../../platform/errors.js";
import type { RequestContext } from "../../schema-builder/context.js";

// The rules of changing organizations: invite a member, accept an invitation, switch the active organization.
// Better Auth does the work (permissions, membership rows, the session) on its own connection; these functions
// decide who may ask it, with which credential, and hide organizations the caller does not belong to. They run
// outside the tenant transaction and never read through ctx.tx.

type OrganizationContext = Pick<RequestContext, "principal" | "request" | "organizations">;

/** The credential the caller's session came with, for Better Auth. Personal access tokens have no session. */
export function sessionCredentials(ctx: Pick<RequestContext, "principal" | "request">): SessionCredentials {
  const principal = ctx.principal;
  if (!principal) throw new GatewayError("UNAUTHENTICATED", "Sign in to change organizations.");
  if (principal.via === "personal-access-token") {
    throw new GatewayError(
      "FORBIDDEN",
      "Organization changes need a signed-in session (cookie or session bearer token): a personal access token cannot make them.",
    );
  }
  const headers = new Headers();
  const name = principal.via === "session-bearer" ? "authorization" : "cookie";
  const value = ctx.request.headers.get(name);
  if (value === null) throw new GatewayError("UNAUTHENTICATED", "Sign in to change organizations.");
  headers.set(name, value);
  return { headers };
}

const organizationNotFound = () => new GatewayError("NOT_FOUND", "No organization with this ID.");

/** The caller's memberships were read on this request, before anything else ran. */
function isMemberOf(ctx: Pick<RequestContext, "principal">, organizationId: string): boolean {
  return ctx.principal?.memberships.some((membership) => membership.organizationId === organizationId) ?? false;
}

/** Invites `email` to an organization of the caller's (default: this request's organization); Better Auth e-mails it. */
export async function inviteMember(
  ctx: OrganizationContext,
  session: SessionCredentials,
  input: {
    organizationId?: string | null | undefined;
    email: string;
    role: InvitableRole;
    resend?: boolean | null | undefined;
  },
): Promise<SentInvitation> {
  const organizationId = input.organizationId ?? ctx.principal?.organizationId;
  if (!organizationId) {
    throw new GatewayError("BAD_USER_INPUT", "organizationId: choose the organization to invite to.", {
      field: "organizationId",
    });
  }
  // Someone else's organization is as absent as one that does not exist.
  if (!isMemberOf(ctx, organizationId)) throw organizationNotFound();
  return ctx.organizations.inviteMember(session, {
    organizationId,
    email: input.email,
    role: input.role,
    resend: input.resend ?? false,
  });
}

/** Joins the organization of an invitation sent to the caller's email; it becomes the active one. */
export function acceptInvitation(
  ctx: OrganizationContext,
  session: SessionCredentials,
  invitationId: string,
): Promise<AcceptedInvitation> {
  return ctx.organizations.acceptInvitation(session, invitationId);
}

/** Sets the session's active organization (one of the caller's), or clears it with null. */
export async function setActiveOrganization(
  ctx: OrganizationContext,
  session: SessionCredentials,
  organizationId: string | null,
): Promise<void> {
  if (organizationId !== null && !isMemberOf(ctx, organizationId)) throw organizationNotFound();
  await ctx.organizations.setActiveOrganization(session, organizationId);
}
