import type { OrganizationApi } from "../platform/auth/organization-api.js";
import type { Principal } from "../platform/auth/principal.js";
import type { SearchConfig } from "../platform/config/index.js";
import type { TenantTransaction } from "../platform/db/index.js";
import type { Loaders } from "./loaders.js";

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
  /** Semantic search's tuning and embedding provider, from the configuration. */
  search: SearchConfig;
  /** The operation's tenant transaction; set by the tenant-transaction plugin. */
  tx: TenantTransaction;
  /** DataLoaders bound to `tx`, created per operation. */
  loaders: Loaders;
}

/** The context as Yoga builds it, before the tenant-transaction plugin adds `tx` and `loaders`. */
export type InitialContext = Omit<GraphQLContext, "tx" | "loaders"> & Partial<Pick<GraphQLContext, "tx" | "loaders">>;

/**
 * Field extension of root mutation fields that must run with no tenant transaction open: those that
 * delegate to Better Auth (its own connection; on PGlite, the single connection an open transaction holds).
 * Use as `extensions: outsideTenantTransaction`. Their resolvers get no `ctx.tx` or `ctx.loaders`, and their
 * payloads must be plain object types (drizzle objects would read through `ctx.tx`).
 */
export const outsideTenantTransaction = { outsideTenantTransaction: true } as const;
