import type { Principal } from "../auth/principal.js";
import type { TenantTransaction } from "../db/index.js";
import type { Loaders } from "./loaders.js";
import type { OrganizationApi } from "./organization-api.js";

/**
 * What every resolver receives. `tx` and `loaders` exist only while the operation's transaction is open:
 * fields marked `outsideTenantTransaction` run without one and must not touch them.
 */
export interface GraphQLContext {
  requestId: string;
  /** Who is calling (null: nobody signed in). Resolved before the transaction opens. */
  principal: Principal | null;
  /** The caller's network address (X-Forwarded-For believed from trusted proxies only): anonymous budgets. */
  clientAddress: string;
  /** The incoming HTTP request (Yoga puts it in the context): the session credentials Better Auth needs. */
  request: Request;
  /** Better Auth's organization API; only for fields that run outside the tenant transaction. */
  organizations: OrganizationApi;
  /** The operation's tenant transaction; set by the tenant-transaction plugin. */
  tx: TenantTransaction;
  /** DataLoaders bound to `tx`, created per operation. */
  loaders: Loaders;
}

/** The context as Yoga builds it, before the tenant-transaction plugin adds `tx` and `loaders`. */
export type InitialContext = Omit<GraphQLContext, "tx" | "loaders"> & Partial<Pick<GraphQLContext, "tx" | "loaders">>;
