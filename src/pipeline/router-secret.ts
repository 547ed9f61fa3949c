import { timingSafeEqual } from "node:crypto";
import { Kind } from "graphql";
import type { Plugin } from "graphql-yoga";
import { GatewayError } from "../platform/errors.js";
import { operationAnalysisOf } from "./operation-analysis.js";

/** The header a federated router sends with its shared secret. */
export const routerSecretHeader = "x-router-secret";

const routerOnlyFields = new Set(["_entities", "_service"]);

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * When a router secret is configured, `_entities` and `_service` also require it: they are how a router
 * talks to a subgraph, not how clients query. They keep the caller's authentication and tenant either way.
 */
export function useRouterSecret(secret: string): Plugin {
  return {
    onExecute({ args }) {
      const operation = operationAnalysisOf(args).definition;
      const asksRouterFields = operation?.selectionSet.selections.some(
        (selection) => selection.kind === Kind.FIELD && routerOnlyFields.has(selection.name.value),
      );
      if (!asksRouterFields) return;
      const request = (args.contextValue as { request?: Request }).request;
      const given = request?.headers.get(routerSecretHeader) ?? "";
      if (!sameSecret(given, secret)) {
        throw new GatewayError("FORBIDDEN", "_entities and _service are for the federated router.");
      }
    },
  };
}
