import { defaultMaxBodyBytes } from "../http/body-limit.js";
import { type BudgetConfig, defaultBudgets } from "./budgets.js";
import { defaultOperationLimits, type OperationLimits } from "./limits.js";

// Everything that guards the gateway against hostile input, in one options object (README, Hostile input).
// Read from the environment by src/platform/config.ts; tests pass their own.

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
