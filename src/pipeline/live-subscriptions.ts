import {
  createSourceEventStream,
  type ExecutionArgs,
  type ExecutionResult,
  GraphQLError,
  execute as graphqlExecute,
} from "graphql";
import type { Plugin } from "graphql-yoga";
import type { Principal } from "../platform/auth/principal.js";
import type { LiveConfig } from "../platform/config/index.js";
import { type ErrorCode, GatewayError, isGatewayError } from "../platform/errors.js";
import type { LiveEvent, LiveUpdates } from "../platform/live/updates.js";
import type { InitialContext } from "../schema-builder/context.js";
import { operationAnalysisOf } from "./operation-analysis.js";

// Subscriptions (docs/live-updates.md). The source of a subscription is its organization's committed changes
// (src/platform/live/updates.ts: ids only). Each delivery runs the subscription's selection through the
// gateway's own execute, with the event as root value and a fresh context: so the limits, page sizes, router
// secret and budgets apply to it (each delivery costs against the tenant's budget), and the tenant-transaction
// plugin runs it in a new READ-ONLY transaction as the subscriber, with new loaders, that ends before the next
// event. Before each delivery, and at least every LIVE_RECHECK_INTERVAL_MS, the caller's credentials and
// membership are read again: a revoked token or a removed member ends the subscription with that error.

/** The graphql-ws connection a subscription arrived on (SSE: none; each SSE request is one subscription). */
export interface LiveConnection {
  id: string;
  subscriptions: number;
}

/** What the pipeline sees of a subscription's context. */
type LiveContext = InitialContext & { liveConnection?: LiveConnection };

export type ExecuteFunction = (args: ExecutionArgs) => Promise<ExecutionResult> | ExecutionResult;

export interface LiveSubscriptionOptions {
  live: LiveUpdates;
  config: LiveConfig;
  /** Reads the caller again from its request (credentials, membership): throws GatewayError when refused. */
  recheck: (context: InitialContext) => Promise<Principal | null>;
  /** The gateway's enveloped execute (every plugin's onExecute), known once the Yoga instance exists. */
  execute: () => ExecuteFunction;
}

/** The root value of the admission run: the per-operation checks, before the subscription starts. */
const admission = Object.freeze({ liveAdmission: true });

function isLiveEvent(value: unknown): value is LiveEvent {
  return typeof value === "object" && value !== null && "table" in value && "organizationId" in value;
}

function errorResult(error: GatewayError): ExecutionResult {
  return { errors: [new GraphQLError(error.message, { originalError: error })] };
}

/** A delivery whose every root field resolved to null with no error: the subscriber cannot see it. */
function isEmptyDelivery(result: ExecutionResult): boolean {
  if (result.errors?.length) return false;
  const data = result.data;
  return !data || Object.values(data).every((value) => value === null);
}

class Counter {
  private readonly counts = new Map<string, number>();
  get(key: string): number {
    return this.counts.get(key) ?? 0;
  }
  add(key: string, delta: number): void {
    const next = this.get(key) + delta;
    if (next <= 0) this.counts.delete(key);
    else this.counts.set(key, next);
  }
}

export function useLiveSubscriptions(options: LiveSubscriptionOptions): Plugin {
  const { live, config } = options;
  const perPrincipal = new Counter();
  const perOrganization = new Counter();

  function admit(context: LiveContext): GatewayError | null {
    if (live.state !== "ready") {
      return new GatewayError(
        "LIVE_UPDATES_UNAVAILABLE",
        live.state === "closed"
          ? "The server is shutting down: subscribe again."
          : "Live updates are unavailable on this server right now: try again later.",
      );
    }
    const principal = context.principal;
    if (!principal) return new GatewayError("UNAUTHENTICATED", "Sign in to subscribe.");
    if (!principal.organizationId) {
      return new GatewayError("FORBIDDEN", "Subscriptions need an organization: set X-Organization-Id.");
    }
    if (!principal.scopes.includes("read")) {
      return new GatewayError("FORBIDDEN", "Subscriptions need a token with the read scope.");
    }
    const limit = (name: string, max: number) =>
      new GatewayError("LIMIT_EXCEEDED", `Too many open subscriptions (${name}: at most ${max}).`, {
        limit: name,
        max,
      });
    if (perPrincipal.get(principal.userId) >= config.maxPerPrincipal) {
      return limit("subscriptionsPerPrincipal", config.maxPerPrincipal);
    }
    if (perOrganization.get(principal.organizationId) >= config.maxPerOrganization) {
      return limit("subscriptionsPerOrganization", config.maxPerOrganization);
    }
    if (context.liveConnection && context.liveConnection.subscriptions >= config.maxPerConnection) {
      return limit("subscriptionsPerConnection", config.maxPerConnection);
    }
    return null;
  }

  async function subscribe(args: ExecutionArgs): Promise<ExecutionResult | AsyncIterableIterator<ExecutionResult>> {
    const context = args.contextValue as LiveContext;
    const refused = admit(context);
    if (refused) return errorResult(refused);
    const principal = context.principal as Principal;
    const organizationId = principal.organizationId as string;
    const execute = options.execute();
    // The operation's checks (limits, page sizes, router secret, budgets) once before it starts.
    const checked = await execute({ ...args, rootValue: admission });
    if (checked.errors?.length) return checked;
    const source = await createSourceEventStream(args);
    if (!(Symbol.asyncIterator in source)) return source as ExecutionResult;
    const events = (source as AsyncIterable<unknown>)[Symbol.asyncIterator]();

    perPrincipal.add(principal.userId, 1);
    perOrganization.add(organizationId, 1);
    const connection = context.liveConnection;
    if (connection) connection.subscriptions += 1;

    let stopped = false;
    let wakeStop: () => void = () => {};
    const stopSignal = new Promise<"stop">((resolve) => {
      wakeStop = () => resolve("stop");
    });
    const stop = () => {
      if (stopped) return;
      stopped = true;
      wakeStop();
      perPrincipal.add(principal.userId, -1);
      perOrganization.add(organizationId, -1);
      if (connection) connection.subscriptions -= 1;
      void events.return?.();
    };
    let pending: Promise<IteratorResult<unknown>> | undefined;
    let lastCheck = Date.now();
    let lastDelivery = Date.now();
    let current = principal;

    /** The caller as it is now; an error result (and the end) when it may no longer subscribe. */
    const recheck = async (): Promise<ExecutionResult | null> => {
      lastCheck = Date.now();
      let fresh: Principal | null;
      try {
        fresh = await options.recheck(context);
      } catch (error) {
        if (isGatewayError(error)) return errorResult(error);
        throw error;
      }
      if (!fresh || fresh.userId !== principal.userId || fresh.organizationId !== organizationId) {
        return errorResult(new GatewayError("UNAUTHENTICATED", "The session that opened this subscription has ended."));
      }
      if (!fresh.scopes.includes("read")) {
        return errorResult(new GatewayError("FORBIDDEN", "Subscriptions need a token with the read scope."));
      }
      current = fresh;
      return null;
    };

    const step = async (): Promise<IteratorResult<ExecutionResult, undefined>> => {
      while (!stopped) {
        pending ??= events.next();
        const now = Date.now();
        const untilCheck = Math.max(0, lastCheck + config.recheckIntervalMs - now);
        const untilIdle = Math.max(0, lastDelivery + config.idleTimeoutMs - now);
        let timer: NodeJS.Timeout | undefined;
        const tick = new Promise<"check" | "idle">((resolve) => {
          timer = setTimeout(
            () => resolve(untilCheck <= untilIdle ? "check" : "idle"),
            Math.min(untilCheck, untilIdle),
          );
        });
        const outcome = await Promise.race([pending, tick, stopSignal]).finally(() => clearTimeout(timer));
        if (stopped || outcome === "stop") break;
        if (outcome === "idle") break;
        if (outcome === "check") {
          const ended = await recheck();
          if (ended) {
            stop();
            return { done: false, value: ended };
          }
          continue;
        }
        pending = undefined;
        if (outcome.done) break;
        const event = outcome.value;
        if (!isLiveEvent(event)) continue;
        const ended = await recheck();
        if (ended) {
          stop();
          return { done: false, value: ended };
        }
        if (stopped) break;
        // A fresh context per delivery: the tenant-transaction plugin opens its own read-only transaction on it.
        const { tx: _tx, loaders: _loaders, ...base } = context;
        const deliveryContext: LiveContext = { ...base, principal: current };
        const result = await execute({ ...args, contextValue: deliveryContext, rootValue: event });
        if (isEmptyDelivery(result)) continue;
        lastDelivery = Date.now();
        return { done: false, value: result };
      }
      stop();
      return { done: true, value: undefined };
    };

    const iterator: AsyncIterableIterator<ExecutionResult> = {
      next: step,
      return: () => {
        stop();
        return Promise.resolve({ done: true, value: undefined });
      },
      throw: (error: unknown) => {
        stop();
        return Promise.reject(error);
      },
      [Symbol.asyncIterator]() {
        return iterator;
      },
    };
    return iterator;
  }

  return {
    onSubscribe({ setSubscribeFn }) {
      setSubscribeFn(subscribe as Parameters<typeof setSubscribeFn>[0]);
    },
    onExecute({ args, setExecuteFn, setResultAndStopExecution }) {
      if (operationAnalysisOf(args).type !== "subscription") return;
      if (args.rootValue === admission) {
        setResultAndStopExecution({ data: null });
        return;
      }
      if (!isLiveEvent(args.rootValue)) {
        setResultAndStopExecution({
          errors: [
            new GraphQLError("A subscription is sent over SSE (Accept: text/event-stream) or graphql-ws.", {
              extensions: { code: "OPERATION_NOT_SUPPORTED" satisfies ErrorCode },
            }),
          ],
        });
        return;
      }
      // One delivery: graphql-js executes the subscription's selection once with the event as root value
      // (Yoga's executor would subscribe again). The tenant-transaction plugin, after this one, wraps it.
      setExecuteFn(graphqlExecute);
    },
  };
}
