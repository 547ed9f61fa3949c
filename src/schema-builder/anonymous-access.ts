import type { GraphQLContext } from "./context.js";

/**
 * The types whose tables the `anonymous` role may read: the global reference data granted to it in
 * drizzle/20261128083644_tenant_security (`GRANT SELECT ON ai_model, ai_model_pricing TO … anonymous`).
 * Every other table refuses it with "permission denied", which is an internal error, not an answer.
 */
const readableByAnonymous: ReadonlySet<string> = new Set(["AiModel", "AiModelPricing"]);

/**
 * Whether the operation's database role can read rows of `typeName`. Node and entity resolution asks
 * first and answers null when it cannot: an anonymous caller sees no tenant or identity rows, so "not
 * visible" is the whole answer, and no statement that PostgreSQL must refuse is sent. (On PostgreSQL that
 * refusal also aborted the transaction, nulling the public references resolved in the same call.)
 */
export function operationCanRead(ctx: GraphQLContext, typeName: string): boolean {
  return ctx.principal?.userId != null || readableByAnonymous.has(typeName);
}
