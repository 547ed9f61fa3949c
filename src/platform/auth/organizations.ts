import { isAPIError } from "better-auth/api";
import { type ErrorCode, GatewayError } from "../errors.js";
import { captureInvitationDelivery } from "../mail/invitation-email.js";
import type { Auth } from "./better-auth.js";
import type { OrganizationApi } from "./organization-api.js";

// Better Auth's organization endpoints behind the narrow interface the GraphQL layer uses. Each call reads
// and writes through Better Auth's own handle, so it must never run while a tenant transaction is open.

/** Better Auth error codes that mean something more precise than their HTTP status. */
const codeByBetterAuthCode: Record<string, ErrorCode> = {
  // An invitation addressed to someone else is as invisible as one that does not exist.
  INVITATION_NOT_FOUND: "NOT_FOUND",
  YOU_ARE_NOT_THE_RECIPIENT_OF_THE_INVITATION: "NOT_FOUND",
  ORGANIZATION_NOT_FOUND: "NOT_FOUND",
  MEMBER_NOT_FOUND: "NOT_FOUND",
  USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION: "NOT_FOUND",
  USER_IS_ALREADY_A_MEMBER_OF_THIS_ORGANIZATION: "CONFLICT",
  USER_IS_ALREADY_INVITED_TO_THIS_ORGANIZATION: "CONFLICT",
  INVALID_EMAIL: "BAD_USER_INPUT",
  ROLE_NOT_FOUND: "BAD_USER_INPUT",
};

const codeByStatus: Record<number, ErrorCode> = {
  400: "BAD_USER_INPUT",
  401: "UNAUTHENTICATED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  409: "CONFLICT",
  429: "RATE_LIMITED",
};

const notFoundMessages: Partial<Record<string, string>> = {
  INVITATION_NOT_FOUND: "No pending invitation with this ID for you.",
  YOU_ARE_NOT_THE_RECIPIENT_OF_THE_INVITATION: "No pending invitation with this ID for you.",
  ORGANIZATION_NOT_FOUND: "No organization with this ID.",
  MEMBER_NOT_FOUND: "No organization with this ID.",
  USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION: "No organization with this ID.",
};

/** Better Auth's client errors (4xx) become coded GatewayErrors; anything else stays internal. */
export function gatewayErrorFromBetterAuth(error: unknown): unknown {
  if (!isAPIError(error) || error.statusCode >= 500) return error;
  const betterAuthCode = typeof error.body?.code === "string" ? error.body.code : undefined;
  const code = (betterAuthCode && codeByBetterAuthCode[betterAuthCode]) || codeByStatus[error.statusCode];
  if (!code) return error;
  const message =
    (betterAuthCode && notFoundMessages[betterAuthCode]) ||
    (typeof error.body?.message === "string" && error.body.message) ||
    error.message;
  return new GatewayError(code, message, betterAuthCode ? { reason: betterAuthCode } : undefined);
}

async function translated<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw gatewayErrorFromBetterAuth(error);
  }
}

export function createOrganizationApi(deps: { auth: Auth }): OrganizationApi {
  const { auth } = deps;
  return {
    inviteMember: (session, input) =>
      translated(async () => {
        const { result: invitation, delivery } = await captureInvitationDelivery(() =>
          auth.api.createInvitation({
            headers: session.headers,
            body: { organizationId: input.organizationId, email: input.email, role: input.role, resend: input.resend },
          }),
        );
        return {
          invitation: {
            id: invitation.id,
            organizationId: invitation.organizationId,
            email: invitation.email,
            role: String(invitation.role),
            status: String(invitation.status),
            expiresAt: new Date(invitation.expiresAt),
          },
          // No hook (an auth made without invitation options): nothing was sent, no link was made.
          delivery: delivery ?? { status: "not-configured", acceptUrl: undefined },
        };
      }),

    acceptInvitation: (session, invitationId) =>
      translated(async () => {
        const accepted = await auth.api.acceptInvitation({ headers: session.headers, body: { invitationId } });
        if (!accepted?.member) throw new GatewayError("NOT_FOUND", "No pending invitation with this ID for you.");
        return {
          invitationId: accepted.invitation.id,
          organizationId: accepted.member.organizationId,
          memberId: accepted.member.id,
          role: String(accepted.member.role),
        };
      }),

    setActiveOrganization: (session, organizationId) =>
      translated(async () => {
        await auth.api.setActiveOrganization({ headers: session.headers, body: { organizationId } });
      }),
  };
}
