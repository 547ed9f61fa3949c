import { existsSync } from "node:fs";
import { defaultMaxBodyBytes, defaultOperationLimits, type OperationLimits } from "./limits.js";
import { reader, type Values } from "./variables.js";

// Everything that guards the gateway against hostile input, in one options object (docs/hostile-input.md):
// its types, its defaults, and its variables. Tests pass their own.

export interface BudgetConfig {
  enabled: boolean;
  /** Operations per minute per organization / per principal. */
  organizationRequestsPerMinute: number;
  principalRequestsPerMinute: number;
  /** Query cost per minute per organization / per principal. */
  organizationCostPerMinute: number;
  principalCostPerMinute: number;
  /** Operations per minute per client address, for callers who are not signed in. */
  anonymousRequestsPerMinute: number;
  /** Redis URL: buckets shared by every instance. In memory (per process) when absent. */
  redisUrl?: string | undefined;
  /** Prefix of every Redis key (default "trovella:budget:"). */
  redisKeyPrefix?: string;
}

export const defaultBudgets: BudgetConfig = {
  enabled: true,
  organizationRequestsPerMinute: 1200,
  principalRequestsPerMinute: 600,
  organizationCostPerMinute: 200_000,
  principalCostPerMinute: 100_000,
  anonymousRequestsPerMinute: 120,
};

export interface HostileInputConfig {
  /** Production hardening: no introspection, no suggestions, limit values not exposed. */
  production: boolean;
  limits: OperationLimits;
  /** Largest request body, bytes (413 beyond). */
  maxBodyBytes: number;
  /** Origins allowed by CORS (credentials included). Empty: no CORS headers, same-origin only. */
  corsOrigins: readonly string[];
  /** Trusted documents: the manifest path, or undefined when off. */
  trustedDocumentsPath: string | undefined;
  budgets: BudgetConfig;
  /** When set, `_entities` and `_service` also require this secret in X-Router-Secret (federated router). */
  routerSecret: string | undefined;
}

export function defaultHostileInput(production = false): HostileInputConfig {
  return {
    production,
    limits: { ...defaultOperationLimits },
    maxBodyBytes: defaultMaxBodyBytes,
    corsOrigins: [],
    trustedDocumentsPath: undefined,
    budgets: { ...defaultBudgets },
    routerSecret: undefined,
  };
}

/** The manifest `npm run codegen` writes; TRUSTED_DOCUMENTS=1 means this one. */
export const defaultTrustedDocumentsPath = "test/operations/generated/persisted-documents.json";

const budgets = defaultBudgets;
const limits = defaultOperationLimits;

export const hostileInputVariables = {
  ...reader.list("CORS_ORIGINS", (origin, report) => {
    if (!/^https?:\/\/[^/\s]+$/.test(origin)) {
      report(`CORS_ORIGINS must list origins like https://app.example.com, got "${origin}"`);
    }
  }),
  ...reader.custom("TRUSTED_DOCUMENTS", (raw, report) => {
    const lower = raw?.toLowerCase() ?? "";
    const path =
      raw === undefined || ["0", "false", "off", "no"].includes(lower)
        ? undefined
        : ["1", "true", "on", "yes"].includes(lower)
          ? defaultTrustedDocumentsPath
          : raw;
    if (path !== undefined && !existsSync(path)) {
      // Caught here rather than as a crash at start-up; the Docker image has no test/ and so no default manifest.
      report(`TRUSTED_DOCUMENTS: no manifest at ${path} (give the path of your clients' persisted-documents.json)`);
    }
    return path;
  }),
  ...reader.custom("REDIS_URL", (raw, report) => {
    if (raw !== undefined && !/^rediss?:\/\//.test(raw)) report("REDIS_URL must start with redis:// or rediss://");
    return raw;
  }),
  ...reader.integer("MAX_DEPTH", limits.maxDepth, 1, 100),
  ...reader.integer("MAX_ALIASES", limits.maxAliases, 0, 1000),
  ...reader.integer("MAX_TOKENS", limits.maxTokens, 10, 1_000_000),
  ...reader.integer("MAX_DIRECTIVES", limits.maxDirectives, 0, 10_000),
  ...reader.integer("MAX_COST", limits.maxCost, 1, 100_000_000),
  ...reader.integer("MAX_BODY_BYTES", defaultMaxBodyBytes, 1024, 100 * 1024 * 1024),
  ...reader.optionalText("ROUTER_SECRET"),
  ...reader.boolean("RATE_LIMIT_ENABLED", budgets.enabled),
  ...reader.integer("RATE_LIMIT_ORG_REQUESTS_PER_MINUTE", budgets.organizationRequestsPerMinute, 1, 10_000_000),
  ...reader.integer("RATE_LIMIT_PRINCIPAL_REQUESTS_PER_MINUTE", budgets.principalRequestsPerMinute, 1, 10_000_000),
  ...reader.integer("COST_BUDGET_ORG_PER_MINUTE", budgets.organizationCostPerMinute, 1, 1_000_000_000),
  ...reader.integer("COST_BUDGET_PRINCIPAL_PER_MINUTE", budgets.principalCostPerMinute, 1, 1_000_000_000),
  ...reader.integer("RATE_LIMIT_ANONYMOUS_REQUESTS_PER_MINUTE", budgets.anonymousRequestsPerMinute, 1, 10_000_000),
  ...reader.text("REDIS_KEY_PREFIX", "trovella:budget:"),
};

export function hostileInputFrom(v: Values<typeof hostileInputVariables>, production: boolean): HostileInputConfig {
  return {
    production,
    limits: {
      maxDepth: v.MAX_DEPTH,
      maxAliases: v.MAX_ALIASES,
      maxTokens: v.MAX_TOKENS,
      maxDirectives: v.MAX_DIRECTIVES,
      maxCost: v.MAX_COST,
    },
    maxBodyBytes: v.MAX_BODY_BYTES,
    corsOrigins: v.CORS_ORIGINS,
    trustedDocumentsPath: v.TRUSTED_DOCUMENTS,
    routerSecret: v.ROUTER_SECRET,
    budgets: {
      enabled: v.RATE_LIMIT_ENABLED,
      organizationRequestsPerMinute: v.RATE_LIMIT_ORG_REQUESTS_PER_MINUTE,
      principalRequestsPerMinute: v.RATE_LIMIT_PRINCIPAL_REQUESTS_PER_MINUTE,
      organizationCostPerMinute: v.COST_BUDGET_ORG_PER_MINUTE,
      principalCostPerMinute: v.COST_BUDGET_PRINCIPAL_PER_MINUTE,
      anonymousRequestsPerMinute: v.RATE_LIMIT_ANONYMOUS_REQUESTS_PER_MINUTE,
      redisUrl: v.REDIS_URL,
      redisKeyPrefix: v.REDIS_KEY_PREFIX,
    },
  };
}
