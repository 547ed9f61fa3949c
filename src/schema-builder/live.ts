import { GatewayError } from "../platform/errors.js";
import type { LiveEvent, LiveFilter } from "../platform/live/updates.js";
import type { RequestContext } from "./context.js";

/**
 * A subscription field's source: its organization's committed changes that `accepts`, as an async iterable
 * (the `subscribe` of a root Subscription field). The events carry ids only; the field's `resolve` re-reads
 * the row in the delivery's own read-only tenant transaction (src/pipeline/live-subscriptions.ts), so RLS
 * decides what the subscriber sees, and a row it cannot see resolves to null: nothing is delivered.
 */
export function liveEvents(
  context: RequestContext,
  accepts: (event: LiveEvent) => boolean,
  key: (event: LiveEvent) => string = (event) => `${event.table}:${event.id}:${event.op}`,
): AsyncIterable<LiveEvent> {
  const live = context.live;
  if (!live) throw new GatewayError("OPERATION_NOT_SUPPORTED", "Subscriptions are not served here.");
  const organizationId = context.principal?.organizationId;
  if (!organizationId) {
    throw new GatewayError(
      context.principal ? "FORBIDDEN" : "UNAUTHENTICATED",
      context.principal
        ? "This subscription needs an organization: set X-Organization-Id."
        : "Sign in to use this subscription.",
    );
  }
  const filter: LiveFilter = { organizationId, accepts, key };
  return {
    [Symbol.asyncIterator]() {
      const stream = live.subscribe(filter);
      return {
        next: () => stream.next(),
        return: () => {
          stream.close();
          return Promise.resolve({ done: true, value: undefined });
        },
      };
    },
  };
}
