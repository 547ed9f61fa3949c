import { pgEnum } from "drizzle-orm/pg-core";

/** What kind of tenant an organization is: shapes defaults and limits, never access. */
export const tenantTypeEnum = pgEnum("tenant_type", ["personal", "team", "enterprise"]);
