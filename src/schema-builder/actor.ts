import { GatewayError } from "../platform/errors.js";
import type { GraphQLContext } from "./context.js";

/** The signed-in user acting in a mutation (the auth scopes already require one; this narrows the type). */
export function actorId(ctx: Pick<GraphQLContext, "principal">): string {
  if (!ctx.principal) throw new GatewayError("UNAUTHENTICATED", "Sign in to make changes.");
  return ctx.principal.userId;
}
