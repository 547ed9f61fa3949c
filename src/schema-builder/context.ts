import type { OrganizationApi } from "../platform/auth/organization-api.js";
import type { Principal } from "../platform/auth/principal.js";
import type { SearchConfig } from "../platform/config/index.js";
import type { TenantTransaction } from "../platform/db/index.js";
import type { LiveUpdates } from "../platform/live/updates.js";
import type { Loaders } from "./loaders.js";

/** What every resolver receives, whether its operation runs in a tenant transaction or not. */
export interface RequestContext {
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
  /** Live updates (subscriptions' source events); absent when the gateway serves no subscriptions. */
  live?: LiveUpdates;
}

/**
 * The context of every field that runs inside the operation's tenant transaction, which is every field but
 * the root mutation fields marked `outsideTenantTransaction` (and their plain payloads): the builder's
 * Context. The tenant-transaction plugin sets `tx` and `loaders` when the transaction opens and removes them
 * when it ends; a mutation of `outsideTenantTransaction` fields runs with neither (see below).
 */
export interface GraphQLContext extends RequestContext {
  /** The operation's tenant transaction. */
  tx: TenantTransaction;
  /** DataLoaders and page counts bound to `tx`, created per operation. */
  loaders: Loaders;
}

/** The context as Yoga builds it: `tx` and `loaders` come and go with the tenant transaction. */
export type InitialContext = RequestContext & Partial<Pick<GraphQLContext, "tx" | "loaders">>;

/**
 * Field extension of root mutation fields that must run with no tenant transaction open: those that
 * delegate to Better Auth (its own connection; on PGlite, the single connection an open transaction holds).
 * Use as `extensions: outsideTenantTransaction`, and type the resolver's context as `RequestContext`: it has
 * no `tx` or `loaders`. Their payloads must be plain object types (drizzle objects would read through `tx`).
 */
export const outsideTenantTransaction = { outsideTenantTransaction: true } as const;
