import { z } from "zod";
import { memberRoles } from "../../../schema/index.js";
import type { SentInvitation } from "../../platform/auth/organization-api.js";
import { viewerWrite } from "../../schema-builder/auth-scopes.js";
import { builder } from "../../schema-builder/builder.js";
import { outsideTenantTransaction, type RequestContext } from "../../schema-builder/context.js";
import { databaseIdOf } from "../../schema-builder/database-ids.js";
import { parseInput, text } from "../../schema-builder/validation.js";
import { acceptInvitation, inviteMember, sessionCredentials, setActiveOrganization } from "./organization-service.js";
import { Invitation, MemberRole } from "./types.js";

// Organizations: invite a member, accept an invitation, switch the active organization. Better Auth does
// the work on its own connection (organization-service.ts says who may ask it), so these fields run outside
// the tenant transaction (`outsideTenantTransaction`): their context is a RequestContext (no `tx`), their
// payloads are plain objects, and they cannot share an operation with other mutations.

const InvitationEmailDelivery = builder.enumType("InvitationEmailDelivery", {
  values: {
    SENT: { value: "sent", description: "The SMTP server accepted the message to the invitee." },
    FAILED: {
      value: "failed",
      description:
        "The SMTP server refused the message or could not be reached (logged). The invitation exists: send it again with `resend: true`.",
    },
    NOT_CONFIGURED: { value: "not-configured", description: "No SMTP server is configured: nothing was sent." },
  } as const,
});

const InviteOrganizationMemberPayload = builder.objectRef<SentInvitation>("InviteOrganizationMemberPayload").implement({
  fields: (t) => ({
    // The invitation's ID only: Better Auth wrote it on its own connection, outside the tenant transaction
    // these fields run without, so the `Invitation` node cannot be read here. Refetch it with `node(id:)`.
    invitationId: t.globalID({
      description: "The `Invitation` created (or renewed): read it with `node(id:)` or `organization.invitations`.",
      resolve: (p) => ({ type: "Invitation", id: p.invitation.id }),
    }),
    emailDelivery: t.field({
      type: InvitationEmailDelivery,
      description: "What became of the e-mail to the invitee.",
      resolve: (p) => p.delivery.status,
    }),
    acceptUrl: t.string({
      nullable: true,
      description:
        "The link that accepts the invitation, for you to pass on: only when nothing was e-mailed (no SMTP server) and the gateway is not in production.",
      resolve: (p) => (p.delivery.status === "not-configured" ? (p.delivery.acceptUrl ?? null) : null),
    }),
  }),
});

const AcceptOrganizationInvitationPayload = builder
  .objectRef<{ invitationId: string; organizationId: string; memberId: string; role: string }>(
    "AcceptOrganizationInvitationPayload",
  )
  .implement({
    fields: (t) => ({
      invitationId: t.globalID({ resolve: (p) => ({ type: "Invitation", id: p.invitationId }) }),
      memberId: t.globalID({ resolve: (p) => ({ type: "Member", id: p.memberId }) }),
      organizationId: t.exposeID("organizationId", {
        description: "The organization joined; it is now the session's active organization.",
      }),
      role: t.exposeString("role"),
    }),
  });

const SetActiveOrganizationPayload = builder
  .objectRef<{ activeOrganizationId: string | null }>("SetActiveOrganizationPayload")
  .implement({
    fields: (t) => ({ activeOrganizationId: t.exposeID("activeOrganizationId", { nullable: true }) }),
  });

const InviteOrganizationMemberInput = builder.inputType("InviteOrganizationMemberInput", {
  fields: (t) => ({
    organizationId: t.id({
      required: false,
      description: "The organization's id or databaseId; defaults to the organization of this request.",
    }),
    email: t.string({ required: true }),
    role: t.field({ type: MemberRole, required: true, description: "Only owners may invite owners." }),
    resend: t.boolean({ required: false, description: "Renew a pending invitation instead of failing with CONFLICT." }),
  }),
});
const inviteSchema = z.object({
  organizationId: text(200).nullish(),
  email: z
    .string()
    .trim()
    .toLowerCase()
    .max(254, "must be at most 254 characters")
    .pipe(z.email("must be an email address")),
  role: z.enum(memberRoles),
  resend: z.boolean().nullish(),
});

const AcceptOrganizationInvitationInput = builder.inputType("AcceptOrganizationInvitationInput", {
  fields: (t) => ({ invitationId: t.globalID({ for: Invitation, required: true }) }),
});

const SetActiveOrganizationInput = builder.inputType("SetActiveOrganizationInput", {
  fields: (t) => ({
    organizationId: t.id({
      required: false,
      description: "The organization's id or databaseId; null clears the session's active organization.",
    }),
  }),
});
const setActiveSchema = z.object({ organizationId: text(200).nullish() });

/** Organizations are named by their global ID (`Organization.id`) or `databaseId`, what X-Organization-Id takes. */
function organizationDatabaseId(id: string | null | undefined): string | null | undefined {
  return id ? databaseIdOf(id, "Organization") : id;
}

builder.mutationFields((t) => ({
  inviteOrganizationMember: t.field({
    type: InviteOrganizationMemberPayload,
    description:
      "Invites someone by email (owners and admins), and e-mails them the link that accepts it. Needs a session, not a personal access token.",
    authScopes: viewerWrite,
    extensions: outsideTenantTransaction,
    args: { input: t.arg({ type: InviteOrganizationMemberInput, required: true }) },
    resolve: async (_root, args, ctx: RequestContext) => {
      const session = sessionCredentials(ctx);
      const input = parseInput(inviteSchema, args.input);
      return inviteMember(ctx, session, { ...input, organizationId: organizationDatabaseId(input.organizationId) });
    },
  }),

  acceptOrganizationInvitation: t.field({
    type: AcceptOrganizationInvitationPayload,
    description: "Joins the organization of an invitation sent to your email, and makes it the active one.",
    authScopes: viewerWrite,
    extensions: outsideTenantTransaction,
    args: { input: t.arg({ type: AcceptOrganizationInvitationInput, required: true }) },
    resolve: async (_root, args, ctx: RequestContext) => {
      const session = sessionCredentials(ctx);
      return acceptInvitation(ctx, session, args.input.invitationId.id);
    },
  }),

  setActiveOrganization: t.field({
    type: SetActiveOrganizationPayload,
    description: "Chooses the session's active organization (used when a request sends no X-Organization-Id).",
    authScopes: viewerWrite,
    extensions: outsideTenantTransaction,
    args: { input: t.arg({ type: SetActiveOrganizationInput, required: true }) },
    resolve: async (_root, args, ctx: RequestContext) => {
      const session = sessionCredentials(ctx);
      const input = parseInput(setActiveSchema, args.input);
      const organizationId = organizationDatabaseId(input.organizationId) ?? null;
      await setActiveOrganization(ctx, session, organizationId);
      return { activeOrganizationId: organizationId };
    },
  }),
}));
