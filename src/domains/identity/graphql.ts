import { z } from "zod";
import { memberRoles, tenantTypeEnum } from "../../../schema/index.js";
import type { InvitationRecord, SessionCredentials } from "../../platform/auth/organization-api.js";
import { GatewayError } from "../../platform/errors.js";
import { tenantRead, viewerWrite } from "../../schema-builder/auth-scopes.js";
import { builder } from "../../schema-builder/builder.js";
import { outsideTenantTransaction, type RequestContext } from "../../schema-builder/context.js";
import { enumFromPg } from "../../schema-builder/enums.js";
import { parseInput, text } from "../../schema-builder/validation.js";

// Identity (mirrors schema/auth.ts). Users and organizations are global tables, so they are reached only
// through relations from tenant rows, the viewer, or the current organization: never by a free lookup that
// could reveal another tenant's people. Sessions, accounts and verifications are not exposed at all.

export const TenantType = enumFromPg("TenantType", tenantTypeEnum, "What kind of tenant an organization is.");

export const User = builder.drizzleObject("user", {
  name: "User",
  description: "A person. Reached through the viewer or the rows of the current organization.",
  select: {},
  fields: (t) => ({
    id: t.exposeID("id"),
    name: t.exposeString("name"),
    email: t.exposeString("email"),
    image: t.exposeString("image", { nullable: true }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
  }),
});

export const Organization = builder.drizzleObject("organization", {
  name: "Organization",
  description: "A tenant. Its data is visible only to its members, and only while it is the selected organization.",
  select: {},
  fields: (t) => ({
    id: t.exposeID("id"),
    name: t.exposeString("name"),
    slug: t.exposeString("slug"),
    logo: t.exposeString("logo", { nullable: true }),
    type: t.expose("type", { type: TenantType }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    members: t.relatedConnection("members", { query: { orderBy: { createdAt: "asc" } }, totalCount: true }),
    invitations: t.relatedConnection("invitations", {
      query: { orderBy: { createdAt: "desc" } },
      totalCount: true,
    }),
  }),
});

export const MemberRole = builder.enumType("MemberRole", {
  values: Object.fromEntries(memberRoles.map((role) => [role.toUpperCase(), { value: role }])) as {
    OWNER: { value: "owner" };
    ADMIN: { value: "admin" };
    MEMBER: { value: "member" };
  },
});

export const Member = builder.drizzleNode("member", {
  name: "Member",
  description: "A user's membership of the current organization.",
  select: {},
  id: { column: (member) => member.id },
  fields: (t) => ({
    role: t.exposeString("role", {
      description: "owner, admin or member (Better Auth may combine them: 'admin,member').",
    }),
    user: t.relation("user"),
    organization: t.relation("organization"),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
  }),
});

export const Invitation = builder.drizzleNode("invitation", {
  name: "Invitation",
  description: "An invitation to join the current organization.",
  select: {},
  id: { column: (invitation) => invitation.id },
  fields: (t) => ({
    email: t.exposeString("email"),
    role: t.exposeString("role", { nullable: true }),
    status: t.exposeString("status"),
    expiresAt: t.expose("expiresAt", { type: "DateTime" }),
    inviter: t.relation("inviter"),
    organization: t.relation("organization"),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
  }),
});

interface MembershipShape {
  organizationId: string;
  name: string;
  slug: string;
  role: string;
  joinedAt: Date;
}

const Membership = builder.objectRef<MembershipShape>("Membership").implement({
  description: "One of the viewer's organizations (all of them, not only the selected one).",
  fields: (t) => ({
    organizationId: t.exposeID("organizationId"),
    name: t.exposeString("name"),
    slug: t.exposeString("slug"),
    role: t.exposeString("role"),
    joinedAt: t.expose("joinedAt", { type: "DateTime" }),
  }),
});

const Viewer = builder.objectRef<{ userId: string }>("Viewer").implement({
  description: "Who is calling: the user, their organizations, and the one selected for this request.",
  fields: (t) => ({
    user: t.drizzleField({
      type: "user",
      resolve: async (query, viewer, _args, ctx) => {
        const user = await ctx.tx.query.user.findFirst(query({ where: { id: viewer.userId } }));
        if (!user) throw new Error(`viewer ${viewer.userId} has no user row`);
        return user;
      },
    }),
    memberships: t.field({
      type: [Membership],
      description: "Every organization the viewer belongs to, by name.",
      resolve: (_viewer, _args, ctx) => ctx.principal?.memberships ?? [],
    }),
    activeOrganization: t.drizzleField({
      type: "organization",
      nullable: true,
      description: "The organization this request acts in (X-Organization-Id, else the session's active one).",
      resolve: (query, _viewer, _args, ctx) => {
        const organizationId = ctx.principal?.organizationId;
        if (!organizationId) return null;
        return ctx.tx.query.organization.findFirst(query({ where: { id: organizationId } }));
      },
    }),
    role: t.string({
      nullable: true,
      description: "The viewer's role in the active organization.",
      resolve: (_viewer, _args, ctx) => ctx.principal?.memberRole ?? null,
    }),
    scopes: t.stringList({
      description: "What this credential may do: read, write, agent (sessions hold all three).",
      resolve: (_viewer, _args, ctx) => [...(ctx.principal?.scopes ?? [])],
    }),
  }),
});

builder.queryFields((t) => ({
  viewer: t.field({
    type: Viewer,
    nullable: true,
    description: "Who is calling; null when nobody is signed in.",
    resolve: (_root, _args, ctx) => (ctx.principal ? { userId: ctx.principal.userId } : null),
  }),
  organization: t.drizzleField({
    type: "organization",
    nullable: true,
    description: "The organization this request acts in.",
    authScopes: tenantRead,
    resolve: async (query, _root, _args, ctx) => {
      const organization = await ctx.tx.query.organization.findFirst(
        query({ where: { id: ctx.principal?.organizationId ?? "" } }),
      );
      if (!organization) throw new Error("the selected organization has no row");
      return organization;
    },
  }),
}));

// Organizations: invite a member, accept an invitation, switch the active organization. Better Auth does
// the work (permissions, membership rows, the session) on its own connection, so these fields run outside
// the tenant transaction (`outsideTenantTransaction`): their context is a RequestContext (no `tx`), their
// payloads are plain objects, and they cannot share an operation with other mutations.

/** The credential the caller's session came with, for Better Auth. Personal access tokens have no session. */
function sessionCredentials(ctx: Pick<RequestContext, "principal" | "request">): SessionCredentials {
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

const OrganizationInvitation = builder.objectRef<InvitationRecord>("OrganizationInvitation").implement({
  description: "An invitation as Better Auth created it (the `Invitation` node, without reading the database).",
  fields: (t) => ({
    id: t.globalID({ resolve: (invitation) => ({ type: "Invitation", id: invitation.id }) }),
    organizationId: t.exposeID("organizationId"),
    email: t.exposeString("email"),
    role: t.exposeString("role"),
    status: t.exposeString("status"),
    expiresAt: t.expose("expiresAt", { type: "DateTime" }),
  }),
});

const InviteOrganizationMemberPayload = builder
  .objectRef<{ invitation: InvitationRecord }>("InviteOrganizationMemberPayload")
  .implement({
    fields: (t) => ({ invitation: t.field({ type: OrganizationInvitation, resolve: (p) => p.invitation }) }),
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
    organizationId: t.id({ required: false, description: "Defaults to the organization of this request." }),
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
    organizationId: t.id({ required: false, description: "null clears the session's active organization." }),
  }),
});
const setActiveSchema = z.object({ organizationId: text(200).nullish() });

builder.mutationFields((t) => ({
  inviteOrganizationMember: t.field({
    type: InviteOrganizationMemberPayload,
    description: "Invites someone by email (owners and admins). Needs a session, not a personal access token.",
    authScopes: viewerWrite,
    extensions: outsideTenantTransaction,
    args: { input: t.arg({ type: InviteOrganizationMemberInput, required: true }) },
    resolve: async (_root, args, ctx: RequestContext) => {
      const session = sessionCredentials(ctx);
      const input = parseInput(inviteSchema, args.input);
      const organizationId = input.organizationId ?? ctx.principal?.organizationId;
      if (!organizationId) {
        throw new GatewayError("BAD_USER_INPUT", "organizationId: choose the organization to invite to.", {
          field: "organizationId",
        });
      }
      // Someone else's organization is as absent as one that does not exist.
      if (!isMemberOf(ctx, organizationId)) throw organizationNotFound();
      const invitation = await ctx.organizations.inviteMember(session, {
        organizationId,
        email: input.email,
        role: input.role,
        resend: input.resend ?? false,
      });
      return { invitation };
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
      return ctx.organizations.acceptInvitation(session, args.input.invitationId.id);
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
      const organizationId = input.organizationId ?? null;
      if (organizationId !== null && !isMemberOf(ctx, organizationId)) throw organizationNotFound();
      await ctx.organizations.setActiveOrganization(session, organizationId);
      return { activeOrganizationId: organizationId };
    },
  }),
}));
