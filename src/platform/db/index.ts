// The public surface of src/platform/db/. Code outside src/platform/db/ imports from here only (and src/platform/auth/ also from
// ./identity.js); test/db/boundaries.test.ts fails otherwise.
export type { ConnectionOptions } from "./connection.js";
export { Database, type PoolStats } from "./database.js";
export { migrate } from "./migrate.js";
export { DEMO_PASSWORD, DEMO_TOKEN, demoOrganizations, demoUsers, seedDemoData } from "./seed/index.js";
export { type DemoDataFound, findDemoData, removeDemoData } from "./seed/removal.js";
export type { TenantContext, TenantTransaction, TenantTransactionOptions } from "./tenant.js";
