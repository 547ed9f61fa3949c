// Keys and indexes a sharded PostgreSQL (Citus) or hash partitioning by organization_id accepts: on a tenant
// table, the primary key and every unique constraint include organization_id, and every index leads with it,
// so a tenant's rows and their index entries live in one shard (or partition). `npm run db:check` (on the
// Drizzle definitions) and the RLS doctor (on the catalog) enforce it; see docs/citus.md.

/** The tenant column: what tenant tables are distributed (or hash-partitioned) by. */
export const DISTRIBUTION_COLUMN = "organization_id";

/** Why an index on a tenant table indexes a global parent's column without organization_id in front. */
const globalParentLookup = (parent: string, action: string) =>
  `supports the foreign key onto the global table ${parent}: ${action} looks up the referencing rows of every tenant by this column alone`;

/**
 * The indexes on tenant tables that do not lead with organization_id, each with its reason. Any other index
 * that does not lead with it fails `npm run db:check` and the RLS doctor; an entry naming no index fails too.
 * Each of these is still local to a shard or partition when distributed: it only means a lookup by it alone
 * visits every shard.
 */
export const indexesNotLedByTenant: Readonly<Record<string, string>> = {
  document_chunk_embedding_hnsw_idx:
    "HNSW indexes one vector column and cannot take organization_id in front; searches filter the tenant through RLS, and distributed or partitioned, each shard or partition has its own graph",
  member_id_idx:
    "Better Auth finds, updates and deletes a member by id alone, outside any tenant context (its own BYPASSRLS connection)",
  member_user_id_idx:
    "a user's memberships across organizations are read by user_id alone on the auth side; also supports the foreign key onto user",
  invitation_id_idx:
    "Better Auth finds and updates an invitation by id alone (accepting it), outside any tenant context",
  invitation_inviter_id_idx: globalParentLookup("user", "deleting a user"),
  research_plan_author_idx: globalParentLookup("user", "deleting a user"),
  plan_audit_log_actor_idx: globalParentLookup("user", "deleting a user (SET NULL)"),
  research_feedback_author_idx: globalParentLookup("user", "deleting a user"),
  ai_usage_user_idx: globalParentLookup("user", "deleting a user (SET NULL)"),
  ai_usage_model_idx: globalParentLookup("ai_model", "deleting a model"),
  ai_batch_model_idx: globalParentLookup("ai_model", "deleting a model"),
};
