import { defineRelationsPart } from "drizzle-orm";
import { boolean, index, pgTable, text, timestamp, unique, uniqueIndex } from "drizzle-orm/pg-core";
import { tenantColumns, tenantPolicies } from "./base.js";
import { tenantTypeEnum } from "./enums.js";

// Identity: the shapes Better Auth's drizzle adapter (with the organization and bearer plugins) reads and
// writes, column for column. `user`, `session`, `account`, `verification` and `organization` are global;
// `member` and `invitation` are tenant-scoped. Better Auth writes all of them through its own connection
// and role (see src/platform/auth/), never through the GraphQL runtime role.

const createdAt = () => timestamp("created_at", { withTimezone: true, precision: 3 }).notNull().defaultNow();
const updatedAt = () =>
  timestamp("updated_at", { withTimezone: true, precision: 3 })
    .notNull()
    .defaultNow()
    .$onUpdate(() => new Date());

export const user = pgTable("user", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  email: text("email").notNull().unique(),
  emailVerified: boolean("email_verified").notNull().default(false),
  image: text("image"),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const session = pgTable(
  "session",
  {
    id: text("id").primaryKey(),
    expiresAt: timestamp("expires_at", { withTimezone: true, precision: 3 }).notNull(),
    token: text("token").notNull().unique(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    ipAddress: text("ip_address"),
    userAgent: text("user_agent"),
    userId: text("user_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    activeOrganizationId: text("active_organization_id").references(() => organization.id, { onDelete: "set null" }),
  },
  (t) => [index("session_user_id_idx").on(t.userId)],
);

export const account = pgTable(
  "account",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id").notNull(),
    providerId: text("provider_id").notNull(),
    userId: text("user_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    accessToken: text("access_token"),
    refreshToken: text("refresh_token"),
    idToken: text("id_token"),
    accessTokenExpiresAt: timestamp("access_token_expires_at", { withTimezone: true, precision: 3 }),
    refreshTokenExpiresAt: timestamp("refresh_token_expires_at", { withTimezone: true, precision: 3 }),
    scope: text("scope"),
    password: text("password"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("account_user_id_idx").on(t.userId)],
);

export const verification = pgTable(
  "verification",
  {
    id: text("id").primaryKey(),
    identifier: text("identifier").notNull(),
    value: text("value").notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true, precision: 3 }).notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("verification_identifier_idx").on(t.identifier)],
);

export const organization = pgTable(
  "organization",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    slug: text("slug").notNull(),
    logo: text("logo"),
    type: tenantTypeEnum("type").notNull().default("team"),
    metadata: text("metadata"),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("organization_slug_key").on(t.slug)],
);

export const memberRoles = ["owner", "admin", "member"] as const;
export type MemberRole = (typeof memberRoles)[number];

export const member = pgTable.withRLS(
  "member",
  {
    id: text("id").notNull(),
    ...tenantColumns(),
    userId: text("user_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    role: text("role").$type<MemberRole>().notNull().default("member"),
    createdAt: createdAt(),
  },
  (t) => [
    ...tenantPolicies("member", t),
    unique("member_organization_id_user_id_key").on(t.organizationId, t.userId),
    // Not led by organization_id, on purpose (see schema/distribution.ts): Better Auth finds a member by id
    // alone, and a user's memberships across organizations by user_id, outside any tenant context.
    index("member_id_idx").on(t.id),
    index("member_user_id_idx").on(t.userId),
  ],
);

export const invitationStatuses = ["pending", "accepted", "rejected", "canceled"] as const;
export type InvitationStatus = (typeof invitationStatuses)[number];

export const invitation = pgTable.withRLS(
  "invitation",
  {
    id: text("id").notNull(),
    ...tenantColumns(),
    email: text("email").notNull(),
    role: text("role").$type<MemberRole>(),
    status: text("status").$type<InvitationStatus>().notNull().default("pending"),
    expiresAt: timestamp("expires_at", { withTimezone: true, precision: 3 }).notNull(),
    createdAt: createdAt(),
    inviterId: text("inviter_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
  },
  (t) => [
    ...tenantPolicies("invitation", t),
    index("invitation_organization_id_email_idx").on(t.organizationId, t.email),
    // Not led by organization_id, on purpose (see schema/distribution.ts).
    index("invitation_id_idx").on(t.id),
    index("invitation_inviter_id_idx").on(t.inviterId),
  ],
);

export const authRelations = defineRelationsPart(
  { user, session, account, verification, organization, member, invitation },
  (r) => ({
    user: {
      sessions: r.many.session({ from: r.user.id, to: r.session.userId }),
      accounts: r.many.account({ from: r.user.id, to: r.account.userId }),
      memberships: r.many.member({ from: r.user.id, to: r.member.userId }),
      sentInvitations: r.many.invitation({ from: r.user.id, to: r.invitation.inviterId }),
    },
    session: {
      user: r.one.user({ from: r.session.userId, to: r.user.id, optional: false }),
      activeOrganization: r.one.organization({ from: r.session.activeOrganizationId, to: r.organization.id }),
    },
    account: {
      user: r.one.user({ from: r.account.userId, to: r.user.id, optional: false }),
    },
    organization: {
      members: r.many.member({ from: r.organization.id, to: r.member.organizationId }),
      invitations: r.many.invitation({ from: r.organization.id, to: r.invitation.organizationId }),
    },
    member: {
      organization: r.one.organization({ from: r.member.organizationId, to: r.organization.id, optional: false }),
      user: r.one.user({ from: r.member.userId, to: r.user.id, optional: false }),
    },
    invitation: {
      organization: r.one.organization({ from: r.invitation.organizationId, to: r.organization.id, optional: false }),
      inviter: r.one.user({ from: r.invitation.inviterId, to: r.user.id, optional: false }),
    },
  }),
);
