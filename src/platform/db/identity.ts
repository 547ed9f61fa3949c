import type { RawDatabase } from "./connection.js";
import type { Database } from "./database.js";
import { connectionsOf } from "./internal.js";

export type { RawDatabase };

/**
 * Better Auth's handle: its own login (`trovella_auth`, granted the identity tables only) on a real server.
 * For src/platform/auth/ alone: Better Auth writes members and invitations outside any tenant context.
 */
export function identityDatabase(database: Database): RawDatabase {
  return connectionsOf(database).auth;
}
