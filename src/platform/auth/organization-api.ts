// What the GraphQL layer needs of Better Auth's organization API. The server implements it
// (src/platform/auth/organizations.ts) so resolvers never see Better Auth itself. Every method talks to the
// identity database: call them only from fields that run outside the tenant transaction
// (`outsideTenantTransaction`), never while one is open (PGlite has a single connection).

import type { InvitationDelivery } from "../mail/invitation-email.js";

export type { InvitationDelivery } from "../mail/invitation-email.js";

/** The credential of the caller's session, as Better Auth reads it (a cookie or a session bearer token). */
export interface SessionCredentials {
  headers: Headers;
}

export type InvitableRole = "owner" | "admin" | "member";

export interface InvitationRecord {
  id: string;
  organizationId: string;
  email: string;
  role: string;
  status: string;
  expiresAt: Date;
}

/** An invitation created (or renewed), and what became of its e-mail. */
export interface SentInvitation {
  invitation: InvitationRecord;
  delivery: InvitationDelivery;
}

export interface AcceptedInvitation {
  invitationId: string;
  organizationId: string;
  memberId: string;
  role: string;
}

export interface OrganizationApi {
  inviteMember(
    session: SessionCredentials,
    input: { organizationId: string; email: string; role: InvitableRole; resend: boolean },
  ): Promise<SentInvitation>;
  acceptInvitation(session: SessionCredentials, invitationId: string): Promise<AcceptedInvitation>;
  /** Sets (or, with null, clears) the session's active organization. */
  setActiveOrganization(session: SessionCredentials, organizationId: string | null): Promise<void>;
}
