import { reader, type Values } from "./variables.js";

// Live updates (GraphQL subscriptions, docs/live-updates.md): the LISTEN connection, the re-checks and the limits.
// LIVE_DATABASE_URL is read with the database settings (database.ts): it is a connection option.

export interface LiveConfig {
  /** Membership and token validity are re-checked on each delivery and at least this often, milliseconds. */
  recheckIntervalMs: number;
  /** How long the listener's start-up NOTIFY probe may take before subscriptions are refused, milliseconds. */
  probeTimeoutMs: number;
  /** A subscription that delivered nothing for this long completes (the client may subscribe again), milliseconds. */
  idleTimeoutMs: number;
  /** graphql-ws: WebSocket ping interval; a connection that missed a pong is closed, milliseconds. */
  heartbeatMs: number;
  /** Open subscriptions per principal (user), per organization, per connection (graphql-ws; SSE: one each). */
  maxPerPrincipal: number;
  maxPerOrganization: number;
  maxPerConnection: number;
}

export const defaultLive: LiveConfig = {
  recheckIntervalMs: 30_000,
  probeTimeoutMs: 5000,
  idleTimeoutMs: 3_600_000,
  heartbeatMs: 15_000,
  maxPerPrincipal: 25,
  maxPerOrganization: 1000,
  maxPerConnection: 25,
};

export const liveVariables = {
  ...reader.integer("LIVE_RECHECK_INTERVAL_MS", defaultLive.recheckIntervalMs, 100, 30_000),
  ...reader.integer("LIVE_PROBE_TIMEOUT_MS", defaultLive.probeTimeoutMs, 100, 60_000),
  ...reader.integer("LIVE_IDLE_TIMEOUT_MS", defaultLive.idleTimeoutMs, 1000, 86_400_000),
  ...reader.integer("LIVE_HEARTBEAT_MS", defaultLive.heartbeatMs, 100, 300_000),
  ...reader.integer("LIVE_MAX_SUBSCRIPTIONS_PER_PRINCIPAL", defaultLive.maxPerPrincipal, 1, 100_000),
  ...reader.integer("LIVE_MAX_SUBSCRIPTIONS_PER_ORGANIZATION", defaultLive.maxPerOrganization, 1, 1_000_000),
  ...reader.integer("LIVE_MAX_SUBSCRIPTIONS_PER_CONNECTION", defaultLive.maxPerConnection, 1, 10_000),
};

export function liveFrom(v: Values<typeof liveVariables>): LiveConfig {
  return {
    recheckIntervalMs: v.LIVE_RECHECK_INTERVAL_MS,
    probeTimeoutMs: v.LIVE_PROBE_TIMEOUT_MS,
    idleTimeoutMs: v.LIVE_IDLE_TIMEOUT_MS,
    heartbeatMs: v.LIVE_HEARTBEAT_MS,
    maxPerPrincipal: v.LIVE_MAX_SUBSCRIPTIONS_PER_PRINCIPAL,
    maxPerOrganization: v.LIVE_MAX_SUBSCRIPTIONS_PER_ORGANIZATION,
    maxPerConnection: v.LIVE_MAX_SUBSCRIPTIONS_PER_CONNECTION,
  };
}
