import { invitation, member, memberRoles, tenantTypeEnum } from "../../../schema/index.js";
import { builder } from "../../schema-builder/builder.js";
import { tableConnectionArgs } from "../../schema-builder/connection-args.js";
import { nodeConnection } from "../../schema-builder/connections.js";
import { enumFromPg } from "../../schema-builder/enums.js";

// Identity's read model (mirrors schema/auth.ts). Users and organizations are global tables, so they are
// reached only through relations from tenant rows, the viewer, or the current organization: never by a free
// lookup that could reveal another tenant's people (`node(id:)` and federation's `_entities` apply the same
// rule: identity-visibility.ts). Sessions, accounts and verifications are not exposed at all.

// An organization's members and invitations: the organization's rows (organization_id is the parent key),
// few per organization; userId and email lead an index after organization_id.
const memberArgs = tableConnectionArgs({
  name: "Member",
  table: member,
  filter: ["userId", "createdAt"],
  order: { createdAt: "asc" },
  defaultOrder: "createdAt",
});
const invitationArgs = tableConnectionArgs({
  name: "Invitation",
  table: invitation,
  filter: ["email", "createdAt"],
  order: { createdAt: "desc", email: "asc" },
  defaultOrder: "createdAt",
});

export const TenantType = enumFromPg("TenantType", tenantTypeEnum, "What kind of tenant an organization is.");

export const User = builder.drizzleNode("user", {
  name: "User",
  description:
    "A person. Reached through the viewer or the rows of the current organization; `node(id:)` answers the viewer and members of the current organization only.",
  select: {},
  id: { column: (user) => user.id },
  fields: (t) => ({
    name: t.exposeString("name"),
    email: t.exposeString("email"),
    image: t.exposeString("image", { nullable: true }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
  }),
});

export const Organization = builder.drizzleNode("organization", {
  name: "Organization",
  description:
    "A tenant. Its data is visible only to its members, and only while it is the selected organization. `databaseId` is what X-Organization-Id takes.",
  select: {},
  id: { column: (organization) => organization.id },
  fields: (t) => ({
    name: t.exposeString("name"),
    slug: t.exposeString("slug"),
    logo: t.exposeString("logo", { nullable: true }),
    type: t.expose("type", { type: TenantType }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    members: t.relatedConnection(
      "members",
      { args: memberArgs.args, query: (args) => memberArgs.query(args), totalCount: true },
      MemberConnection,
    ),
    invitations: t.relatedConnection(
      "invitations",
      { args: invitationArgs.args, query: (args) => invitationArgs.query(args), totalCount: true },
      InvitationConnection,
    ),
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

const MemberConnection = nodeConnection(Member, "Member");
const InvitationConnection = nodeConnection(Invitation, "Invitation");

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
    organizationId: t.exposeID("organizationId", {
      description: "The organization's `databaseId`: what X-Organization-Id takes.",
    }),
    name: t.exposeString("name"),
    slug: t.exposeString("slug"),
    role: t.exposeString("role"),
    joinedAt: t.expose("joinedAt", { type: "DateTime" }),
  }),
});

export const Viewer = builder.objectRef<{ userId: string }>("Viewer").implement({
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
