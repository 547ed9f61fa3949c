import { eq, inArray, or } from "drizzle-orm";
import * as schema from "../../../../schema/index.js";
import { hashTokenSecret } from "../../auth/token-secrets.js";
import type { Database } from "../database.js";
import { connectionsOf } from "../internal.js";
import { DEMO_TOKEN, demoOrganizations, demoUsers } from "./demo-data.js";

// The demo seed outside development: its token and password are published in the README, so a production
// gateway refuses a database that holds any of it (src/main.ts), and `npm run db:remove-demo` deletes it.

const demoUserIds = Object.values(demoUsers).map((user) => user.id);
const demoEmails = Object.values(demoUsers).map((user) => user.email);
const demoOrganizationIds = demoOrganizations.map((org) => org.id);

export interface DemoDataFound {
  organizations: number;
  users: number;
  tokens: number;
}

/** What of the demo seed the database holds (read through the auth login); null when none of it. */
export async function findDemoData(database: Database): Promise<DemoDataFound | null> {
  const { auth } = connectionsOf(database);
  const [organizations, users, tokens] = await Promise.all([
    auth
      .select({ id: schema.organization.id })
      .from(schema.organization)
      .where(inArray(schema.organization.id, demoOrganizationIds)),
    auth
      .select({ id: schema.user.id })
      .from(schema.user)
      .where(or(inArray(schema.user.id, demoUserIds), inArray(schema.user.email, demoEmails))),
    auth
      .select({ id: schema.personalAccessToken.id })
      .from(schema.personalAccessToken)
      .where(eq(schema.personalAccessToken.tokenHash, hashTokenSecret(DEMO_TOKEN))),
  ]);
  const found = { organizations: organizations.length, users: users.length, tokens: tokens.length };
  return found.organizations + found.users + found.tokens > 0 ? found : null;
}

/**
 * Deletes the demo organizations (their research data goes with them: every tenant table's foreign key onto
 * organization cascades), the demo users (their sessions, passwords, memberships and tokens cascade) and the
 * demo token, in one transaction as the owner. The AI model catalogue stays. Idempotent.
 */
export async function removeDemoData(database: Database): Promise<DemoDataFound> {
  const { owner } = connectionsOf(database);
  return owner.transaction(async (tx) => {
    const tokens = await tx
      .delete(schema.personalAccessToken)
      .where(eq(schema.personalAccessToken.tokenHash, hashTokenSecret(DEMO_TOKEN)))
      .returning({ id: schema.personalAccessToken.id });
    const organizations = await tx
      .delete(schema.organization)
      .where(inArray(schema.organization.id, demoOrganizationIds))
      .returning({ id: schema.organization.id });
    const users = await tx
      .delete(schema.user)
      .where(or(inArray(schema.user.id, demoUserIds), inArray(schema.user.email, demoEmails)))
      .returning({ id: schema.user.id });
    return { organizations: organizations.length, users: users.length, tokens: tokens.length };
  });
}
