import { GraphQLError } from "graphql";
import type { Plugin } from "graphql-yoga";
import { Redis } from "ioredis";
import type { Principal } from "../platform/auth/principal.js";
import type { BudgetConfig } from "../platform/config/index.js";
import type { ErrorCode } from "../platform/errors.js";
import type { InitialContext } from "../schema-builder/context.js";
import { operationAnalysisOf } from "./operation-analysis.js";
import { costOf } from "./operation-cost.js";

// Per-tenant budgets: token buckets per organization and per principal (the user), one for requests and one
// for query cost (see operation-cost.ts). A bucket holds up to a minute's allowance and refills continuously.
// An operation takes from all four buckets or from none; when one is short, the operation is refused with
// RATE_LIMITED, HTTP 429, `Retry-After` and `extensions.retryAfterSeconds`. Buckets are per key, so one
// tenant spending its budget leaves every other tenant's untouched. Anonymous operations take from one
// bucket per client address (src/http/client-address.ts: X-Forwarded-For only from trusted proxies).

export interface BucketTake {
  key: string;
  /** Most tokens the bucket holds (also its starting level). */
  capacity: number;
  refillPerSecond: number;
  amount: number;
}

export type TakeResult = { allowed: true } | { allowed: false; retryAfterSeconds: number; refusedKey: string };

/** Token buckets: `take` is all-or-nothing across the buckets it is given. */
export interface BucketStore {
  take(takes: readonly BucketTake[]): Promise<TakeResult>;
  close(): Promise<void>;
}

export class MemoryBucketStore implements BucketStore {
  private readonly buckets = new Map<string, { tokens: number; updatedAt: number }>();

  constructor(private readonly now: () => number = () => performance.now() / 1000) {}

  async take(takes: readonly BucketTake[]): Promise<TakeResult> {
    const now = this.now();
    const levels = takes.map((take) => {
      const bucket = this.buckets.get(take.key);
      if (!bucket) return take.capacity;
      return Math.min(take.capacity, bucket.tokens + Math.max(0, now - bucket.updatedAt) * take.refillPerSecond);
    });
    let wait = 0;
    let refusedKey: string | undefined;
    takes.forEach((take, index) => {
      const level = levels[index] ?? take.capacity;
      if (level < take.amount) {
        const seconds = (take.amount - level) / take.refillPerSecond;
        if (seconds >= wait) {
          wait = seconds;
          refusedKey = take.key;
        }
      }
    });
    if (refusedKey !== undefined)
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(wait)), refusedKey };
    takes.forEach((take, index) => {
      this.buckets.set(take.key, { tokens: (levels[index] ?? take.capacity) - take.amount, updatedAt: now });
    });
    // Forget full buckets now and then so the map does not grow without bound.
    if (this.buckets.size > 100_000) this.buckets.clear();
    return { allowed: true };
  }

  async close(): Promise<void> {}
}

// KEYS: the buckets; ARGV: capacity, refill per second, amount for each. Redis's clock, so every instance agrees.
const takeScript = `
local now = redis.call('TIME')
local t = tonumber(now[1]) + tonumber(now[2]) / 1000000
local levels = {}
local wait = 0
local refused = 0
for i = 1, #KEYS do
  local cap = tonumber(ARGV[(i - 1) * 3 + 1])
  local rate = tonumber(ARGV[(i - 1) * 3 + 2])
  local amount = tonumber(ARGV[(i - 1) * 3 + 3])
  local state = redis.call('HMGET', KEYS[i], 'tokens', 'ts')
  local tokens = tonumber(state[1]) or cap
  local ts = tonumber(state[2]) or t
  tokens = math.min(cap, tokens + math.max(0, t - ts) * rate)
  levels[i] = tokens
  if tokens < amount then
    local seconds = (amount - tokens) / rate
    if seconds >= wait then
      wait = seconds
      refused = i
    end
  end
end
if refused > 0 then
  return {0, tostring(wait), refused}
end
for i = 1, #KEYS do
  local cap = tonumber(ARGV[(i - 1) * 3 + 1])
  local rate = tonumber(ARGV[(i - 1) * 3 + 2])
  local amount = tonumber(ARGV[(i - 1) * 3 + 3])
  redis.call('HSET', KEYS[i], 'tokens', tostring(levels[i] - amount), 'ts', tostring(t))
  redis.call('PEXPIRE', KEYS[i], math.ceil(cap / rate * 1000) + 1000)
end
return {1, '0', 0}
`;

export class RedisBucketStore implements BucketStore {
  private readonly redis: Redis;

  constructor(
    url: string,
    private readonly prefix = "trovella:budget:",
  ) {
    this.redis = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 2, enableOfflineQueue: true });
  }

  async take(takes: readonly BucketTake[]): Promise<TakeResult> {
    const keys = takes.map((take) => `${this.prefix}${take.key}`);
    const args = takes.flatMap((take) => [take.capacity, take.refillPerSecond, take.amount].map(String));
    const reply = (await this.redis.eval(takeScript, keys.length, ...keys, ...args)) as [number, string, number];
    if (reply[0] === 1) return { allowed: true };
    const refused = takes[reply[2] - 1];
    return {
      allowed: false,
      retryAfterSeconds: Math.max(1, Math.ceil(Number(reply[1]))),
      refusedKey: refused?.key ?? "",
    };
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => {});
  }
}

export function createBucketStore(config: BudgetConfig): BucketStore {
  return config.redisUrl ? new RedisBucketStore(config.redisUrl, config.redisKeyPrefix) : new MemoryBucketStore();
}

const scopeWords: Record<string, string> = {
  org: "this organization",
  principal: "this caller",
  address: "this address",
};

const budgetScopes: Record<string, string> = { org: "organization", principal: "principal", address: "anonymous" };

/**
 * Takes one request and the operation's cost from the organization's and the principal's buckets before the
 * operation runs (the cost of the request's operation analysis, which the limits plugin worked out first).
 * An anonymous operation takes one request from its client address's bucket.
 */
export function useBudgets(config: BudgetConfig, store: BucketStore): Plugin<InitialContext> {
  const perMinute = (amount: number) => ({ capacity: amount, refillPerSecond: amount / 60 });
  const principalTakes = (principal: Principal, cost: number): BucketTake[] => {
    const takes: BucketTake[] = [
      { key: `principal:${principal.userId}:requests`, amount: 1, ...perMinute(config.principalRequestsPerMinute) },
      { key: `principal:${principal.userId}:cost`, amount: cost, ...perMinute(config.principalCostPerMinute) },
    ];
    if (principal.organizationId) {
      const org = principal.organizationId;
      takes.push(
        { key: `org:${org}:requests`, amount: 1, ...perMinute(config.organizationRequestsPerMinute) },
        { key: `org:${org}:cost`, amount: cost, ...perMinute(config.organizationCostPerMinute) },
      );
    }
    return takes;
  };
  return {
    async onExecute({ args, setResultAndStopExecution }) {
      if (!config.enabled) return;
      const context = args.contextValue;
      const principal = context.principal;
      const takes: BucketTake[] = principal
        ? principalTakes(principal, costOf(operationAnalysisOf(args)) ?? 0)
        : [
            {
              key: `address:${context.clientAddress}:requests`,
              amount: 1,
              ...perMinute(config.anonymousRequestsPerMinute),
            },
          ];
      const result = await store.take(takes.filter((take) => take.amount > 0));
      if (result.allowed) return;
      // Keys are scope:id:kind; an IPv6 address in the middle has colons of its own.
      const parts = result.refusedKey.split(":");
      const scope = parts[0] ?? "org";
      const kind = parts.at(-1) ?? "requests";
      const seconds = result.retryAfterSeconds;
      setResultAndStopExecution({
        errors: [
          new GraphQLError(
            `Too many ${kind === "cost" ? "expensive operations" : "requests"} for ${scopeWords[scope] ?? "this caller"}: try again in ${seconds} s.`,
            {
              extensions: {
                code: "RATE_LIMITED" satisfies ErrorCode,
                retryAfterSeconds: seconds,
                budget: `${budgetScopes[scope] ?? "principal"}-${kind}`,
                http: { status: 429, headers: { "retry-after": String(seconds) } },
              },
            },
          ),
        ],
      });
    },
  };
}
