import { randomUUID } from "node:crypto";
import type { Database } from "../db/index.js";

// Live updates' fan-out (docs/live-updates.md). A trigger on each watched table NOTIFYs `trovella_live` with ids
// only, at commit (drizzle/…_live_update_notifications). Each gateway process LISTENs on one dedicated session
// connection (LIVE_DATABASE_URL) and hands each event to the subscriptions of its organization here: every
// replica listens itself, so a write on one reaches subscribers on all of them without Redis. An event says
// only what changed; the subscription re-reads it as its subscriber, under RLS (src/pipeline/live-subscriptions.ts).

export const liveChannel = "trovella_live";

export const watchedTables = [
  "research_plan",
  "plan_step",
  "plan_branching_condition",
  "skill_execution",
  "research_output",
] as const;
export type WatchedTable = (typeof watchedTables)[number];

export type LiveOperation = "insert" | "update" | "delete" | "status";

/** One committed change: which row of which tenant, and the plan it belongs to (the routing key). */
export interface LiveEvent {
  table: WatchedTable;
  id: string;
  organizationId: string;
  planId: string | null;
  op: LiveOperation;
}

const operations: readonly string[] = ["insert", "update", "delete", "status"];

/** The trigger's JSON, or null for anything else (a probe, a payload of another writer). */
export function parseLiveEvent(payload: string): LiveEvent | null {
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null) return null;
  const v = value as Record<string, unknown>;
  const table = v.table;
  if (typeof table !== "string" || !(watchedTables as readonly string[]).includes(table)) return null;
  if (typeof v.id !== "string" || typeof v.organization_id !== "string") return null;
  if (typeof v.op !== "string" || !operations.includes(v.op)) return null;
  return {
    table: table as WatchedTable,
    id: v.id,
    organizationId: v.organization_id,
    planId: typeof v.plan_id === "string" ? v.plan_id : null,
    op: v.op as LiveOperation,
  };
}

/** What a subscription listens for: its organization's events that `accepts`, queued once per `key`. */
export interface LiveFilter {
  organizationId: string;
  accepts(event: LiveEvent): boolean;
  /** Events with the same key waiting in the queue are delivered once (a re-read shows the latest state). */
  key(event: LiveEvent): string;
}

/** A subscription's queue of events. `close()` ends it: a pending or later `next()` is done. */
export interface LiveStream {
  next(): Promise<IteratorResult<LiveEvent, undefined>>;
  close(): void;
  readonly closed: boolean;
}

/** Events queued for one subscription at most; beyond that the oldest are dropped (the re-read catches up). */
const maxQueued = 1000;

class Subscriber implements LiveStream {
  private readonly queue = new Map<string, LiveEvent>();
  private waiter: ((result: IteratorResult<LiveEvent, undefined>) => void) | undefined;
  closed = false;

  constructor(
    readonly filter: LiveFilter,
    private readonly onClose: (subscriber: Subscriber) => void,
  ) {}

  push(event: LiveEvent): void {
    if (this.closed || !this.filter.accepts(event)) return;
    const waiter = this.waiter;
    if (waiter) {
      this.waiter = undefined;
      waiter({ done: false, value: event });
      return;
    }
    const key = this.filter.key(event);
    this.queue.delete(key);
    this.queue.set(key, event);
    if (this.queue.size > maxQueued) {
      const oldest = this.queue.keys().next();
      if (!oldest.done) this.queue.delete(oldest.value);
    }
  }

  next(): Promise<IteratorResult<LiveEvent, undefined>> {
    if (this.closed) return Promise.resolve({ done: true, value: undefined });
    const first = this.queue.entries().next();
    if (!first.done) {
      this.queue.delete(first.value[0]);
      return Promise.resolve({ done: false, value: first.value[1] });
    }
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue.clear();
    this.waiter?.({ done: true, value: undefined });
    this.waiter = undefined;
    this.onClose(this);
  }
}

export type ListenerState = "starting" | "ready" | "unavailable" | "closed";

export interface LiveLogger {
  info(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface LiveUpdatesOptions {
  /** How long the NOTIFY probe may take (LIVE_PROBE_TIMEOUT_MS). */
  probeTimeoutMs: number;
  /** The probe is repeated this often (and after each reconnect); a failed one refuses new subscriptions. */
  probeIntervalMs: number;
  logger: LiveLogger;
}

/**
 * The process's one LISTEN and the subscriptions it feeds. `start()` listens and proves it with a NOTIFY probe
 * it must receive within probeTimeoutMs: a LISTEN through a transaction pooler never hears it, and then
 * `state` is "unavailable" (new subscriptions are refused with LIVE_UPDATES_UNAVAILABLE) rather than hanging.
 */
export class LiveUpdates {
  private readonly byOrganization = new Map<string, Set<Subscriber>>();
  private readonly probes = new Map<string, () => void>();
  private unlisten: (() => Promise<void>) | undefined;
  private listening: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private currentState: ListenerState = "starting";
  private subscriberCount = 0;

  constructor(
    private readonly database: Database,
    private readonly options: LiveUpdatesOptions,
  ) {}

  get state(): ListenerState {
    return this.currentState;
  }

  /** Open subscriptions of this process. */
  get subscriptions(): number {
    return this.subscriberCount;
  }

  /**
   * Listens and probes; resolves once the first probe came back or failed, and at the latest after the probe
   * timeout and a second (an unreachable LIVE_DATABASE_URL does not hold the server's start). Never rejects.
   */
  async start(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.options.probeTimeoutMs + 1000);
    });
    await Promise.race([this.listen(), bound]).finally(() => clearTimeout(timer));
    if (this.currentState === "starting") {
      this.setUnavailable(new Error(`LISTEN did not answer within ${this.options.probeTimeoutMs + 1000} ms`));
    }
    this.timer = setInterval(() => {
      if (this.currentState === "closed") return;
      if (this.unlisten) void this.probe();
      else void this.listen();
    }, this.options.probeIntervalMs);
    this.timer.unref();
  }

  private async listen(): Promise<void> {
    if (this.listening) return this.listening;
    this.listening = (async () => {
      try {
        let first = true;
        this.unlisten = await this.database.listen(
          liveChannel,
          (payload) => this.dispatch(payload),
          () => {
            // Called again after postgres.js re-listened on a new connection: prove that one too.
            if (!first) void this.probe();
            first = false;
          },
        );
        await this.probe();
      } catch (error) {
        this.setUnavailable(error);
      } finally {
        this.listening = undefined;
      }
    })();
    return this.listening;
  }

  private async probe(): Promise<boolean> {
    const token = randomUUID();
    let timer: NodeJS.Timeout | undefined;
    const heard = new Promise<boolean>((resolve) => {
      this.probes.set(token, () => resolve(true));
      timer = setTimeout(() => resolve(false), this.options.probeTimeoutMs);
    });
    try {
      await this.database.notify(liveChannel, JSON.stringify({ probe: token }));
    } catch (error) {
      this.probes.delete(token);
      clearTimeout(timer);
      this.setUnavailable(error);
      return false;
    }
    const ok = await heard;
    clearTimeout(timer);
    this.probes.delete(token);
    if (this.currentState === "closed") return ok;
    if (ok) {
      if (this.currentState !== "ready") this.options.logger.info({ channel: liveChannel }, "live updates: listening");
      this.currentState = "ready";
    } else {
      this.setUnavailable(new Error(`the NOTIFY probe was not heard within ${this.options.probeTimeoutMs} ms`));
    }
    return ok;
  }

  private setUnavailable(error: unknown): void {
    if (this.currentState === "closed") return;
    if (this.currentState !== "unavailable") {
      this.options.logger.error(
        { err: error, channel: liveChannel },
        "live updates unavailable: LISTEN did not work on LIVE_DATABASE_URL (it must be a direct connection or a " +
          "PgBouncer session pool, not a transaction pooler); subscriptions are refused until it does",
      );
    }
    this.currentState = "unavailable";
  }

  private dispatch(payload: string): void {
    const event = parseLiveEvent(payload);
    if (!event) {
      const probe = /^\{"probe":"([\w-]+)"\}$/.exec(payload)?.[1];
      if (probe) this.probes.get(probe)?.();
      return;
    }
    const subscribers = this.byOrganization.get(event.organizationId);
    if (!subscribers) return;
    for (const subscriber of subscribers) subscriber.push(event);
  }

  /** A new subscription's stream of its organization's events. Close it when the subscription ends. */
  subscribe(filter: LiveFilter): LiveStream {
    const subscriber = new Subscriber(filter, (s) => this.remove(s));
    let set = this.byOrganization.get(filter.organizationId);
    if (!set) {
      set = new Set();
      this.byOrganization.set(filter.organizationId, set);
    }
    set.add(subscriber);
    this.subscriberCount += 1;
    if (this.currentState === "closed") subscriber.close();
    return subscriber;
  }

  private remove(subscriber: Subscriber): void {
    const set = this.byOrganization.get(subscriber.filter.organizationId);
    if (set?.delete(subscriber)) {
      this.subscriberCount -= 1;
      if (set.size === 0) this.byOrganization.delete(subscriber.filter.organizationId);
    }
  }

  /** Ends every stream (their subscriptions complete) and stops listening. */
  async close(): Promise<void> {
    this.currentState = "closed";
    clearInterval(this.timer);
    for (const set of [...this.byOrganization.values()]) for (const subscriber of [...set]) subscriber.close();
    const unlisten = this.unlisten;
    this.unlisten = undefined;
    await unlisten?.().catch(() => {});
  }
}
