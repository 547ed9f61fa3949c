import { renderGraphiQL } from "@graphql-yoga/render-graphiql";
import { GraphQLError } from "graphql";
import { createYoga, type Plugin, type YogaServerInstance } from "graphql-yoga";
import { buildSchema } from "../domains/api-schema.js";
import type { Auth } from "../platform/auth/better-auth.js";
import { createOrganizationApi } from "../platform/auth/organizations.js";
import { resolvePrincipal } from "../platform/auth/principal.js";
import {
  defaultExecution,
  defaultHostileInput,
  defaultLive,
  defaultSearchConfig,
  defaultStatementTimeoutMs,
  type ExecutionConfig,
  type HostileInputConfig,
  type LiveConfig,
  type SearchConfig,
} from "../platform/config/index.js";
import type { Database } from "../platform/db/index.js";
import type { ErrorCode } from "../platform/errors.js";
import type { LiveUpdates } from "../platform/live/updates.js";
import type { Metrics } from "../platform/observability/metrics.js";
import { currentRequestContext } from "../platform/observability/request-context.js";
import type { InitialContext } from "../schema-builder/context.js";
import { type BucketStore, createBucketStore, useBudgets } from "./budgets.js";
import { CompiledDocuments, useCompiledExecution } from "./compiled-execution.js";
import { useCsrfPrevention } from "./csrf-prevention.js";
import { useProductionDisclosure } from "./disclosure.js";
import { createErrorMasker, type ErrorLogger } from "./error-masking.js";
import { graphiqlDefaults } from "./graphiql.js";
import { type ExecuteFunction, useLiveSubscriptions } from "./live-subscriptions.js";
import { useOperationAnalysis } from "./operation-analysis.js";
import { useOperationLimits } from "./operation-limits.js";
import { useOperationRecording } from "./operation-recording.js";
import { refuseUnsupportedOperations, withoutUnknownIncrementalDirectives } from "./operation-rules.js";
import { usePageSizeLimits } from "./page-size.js";
import { useRouterSecret } from "./router-secret.js";
import { useTenantTransaction } from "./tenant-transaction.js";
import {
  documentIdParams,
  loadTrustedDocuments,
  usePersistedDocumentsOff,
  useTrustedDocuments,
} from "./trusted-documents.js";

export interface GatewayOptions {
  database: Database;
  auth: Auth;
  logger: ErrorLogger;
  /** GraphiQL with the demo token and an example query (development only). */
  graphiql: boolean;
  statementTimeoutMs?: number;
  /** Limits, disclosure, CORS, trusted documents and budgets (docs/hostile-input.md); safe defaults. */
  hostileInput?: Partial<HostileInputConfig>;
  /** The budgets' token buckets (default: from hostileInput.budgets, Redis when it names a URL). */
  bucketStore?: BucketStore;
  /** Serve `_service` and `_entities` for a federated router (default true; FEDERATION=off). */
  federation?: boolean;
  /** Semantic search's tuning and embedding provider (default: the default tuning, no provider). */
  search?: SearchConfig;
  /** graphql-js (default) or compiled execution (EXECUTION=jit, src/pipeline/compiled-execution.ts). */
  execution?: ExecutionConfig;
  /** Where compiled execution reports its cache lookups, fallbacks and size. */
  metrics?: Pick<Metrics, "compiledExecution" | "watchCompiledDocuments">;
  /**
   * Live updates (subscriptions over SSE and graphql-ws): the process's listener and the settings. Without
   * it, every subscription is refused with LIVE_UPDATES_UNAVAILABLE.
   */
  live?: { updates: LiveUpdates; config?: Partial<LiveConfig> };
}

/**
 * What the gateway keeps per request beside the GraphQL context: Yoga builds that context on this same object
 * (batching is off), so the response hooks see what the context collected.
 */
interface GatewayServerContext {
  /**
   * Set-Cookie headers Better Auth emits while reading a cookie session (a refreshed expiry, or clearing a
   * stale cookie), copied onto the response. Made when the request comes in, so that they go out even when
   * reading the principal fails.
   */
  responseCookies?: Headers;
}

export type Gateway = YogaServerInstance<GatewayServerContext, InitialContext>;

const useOperationRules: Plugin = {
  onValidate({ addValidationRule }) {
    addValidationRule(refuseUnsupportedOperations);
    return ({ valid, result, setResult }) => {
      if (!valid) setResult(withoutUnknownIncrementalDirectives(result));
    };
  },
};

/** Without live updates (tests, tools that build a gateway alone): subscriptions are refused with a code. */
const useRefusedSubscriptions: Plugin = {
  onSubscribe({ setSubscribeFn }) {
    setSubscribeFn(() => ({
      errors: [
        new GraphQLError("Subscriptions are not served by this gateway.", {
          extensions: { code: "LIVE_UPDATES_UNAVAILABLE" satisfies ErrorCode },
        }),
      ],
    }));
  },
};

const useForwardedCookies: Plugin<Record<string, never>, GatewayServerContext> = {
  onRequest({ serverContext }) {
    serverContext.responseCookies = new Headers();
  },
  onResponse({ serverContext, response }) {
    for (const cookie of serverContext.responseCookies?.getSetCookie() ?? []) {
      response.headers.append("set-cookie", cookie);
    }
  },
};

/** The GraphQL endpoint: schema, who is calling, one tenant transaction per operation, masked errors. */
export function createGateway(options: GatewayOptions): Gateway {
  const maskError = createErrorMasker(options.logger);
  const organizations = createOrganizationApi({ auth: options.auth });
  const hostile: HostileInputConfig = {
    ...defaultHostileInput(options.hostileInput?.production ?? false),
    ...options.hostileInput,
  };
  const exposeLimits = !hostile.production;
  const search = options.search ?? defaultSearchConfig;
  const trustedDocuments = hostile.trustedDocumentsPath
    ? [
        useTrustedDocuments({
          documents: loadTrustedDocuments(hostile.trustedDocumentsPath),
          // GraphiQL and free-form queries stay possible in development only.
          allowArbitraryOperations: !hostile.production && options.graphiql,
        }),
      ]
    : [usePersistedDocumentsOff()];
  const execution = options.execution ?? defaultExecution;
  const compiledExecution: Plugin[] = [];
  if (execution.executor === "jit") {
    const documents = new CompiledDocuments(execution.compiledDocuments);
    options.metrics?.watchCompiledDocuments(() => documents.size);
    compiledExecution.push(useCompiledExecution({ documents, observer: options.metrics?.compiledExecution }));
  }
  let yoga: Gateway | undefined;
  let envelopedExecute: ExecuteFunction | undefined;
  const subscriptions = options.live
    ? [
        useLiveSubscriptions({
          live: options.live.updates,
          config: { ...defaultLive, ...options.live.config },
          recheck: (context) => resolvePrincipal(context.request, { auth: options.auth, database: options.database }),
          execute: () => {
            if (!yoga) throw new Error("the gateway is not built yet");
            envelopedExecute ??= yoga.getEnveloped({}).execute as ExecuteFunction;
            return envelopedExecute;
          },
        }),
      ]
    : [useRefusedSubscriptions];
  const budgets = hostile.budgets.enabled
    ? [useBudgets(hostile.budgets, options.bucketStore ?? createBucketStore(hostile.budgets))]
    : [];
  yoga = createYoga<GatewayServerContext, InitialContext>({
    schema: buildSchema({ federation: options.federation ?? true }),
    graphqlEndpoint: "/graphql",
    batching: false,
    // documentId and doc_id name a trusted document (src/pipeline/trusted-documents.ts); with the text beside
    // them (development), they are ignored rather than refused.
    extraParamNames: [...documentIdParams],
    logging: false,
    landingPage: false,
    // The app limits the body before Yoga sees it (src/http/body-limit.ts). Yoga's own limit would pipe every
    // body through a TransformStream, declared length or not: a measurable share of each request's CPU.
    maxRequestBodySize: false,
    // No CORS headers unless origins are configured: browsers then allow same-origin calls only.
    cors: hostile.corsOrigins.length > 0 ? { origin: [...hostile.corsOrigins], credentials: true } : false,
    context: async ({ request, responseCookies }) => {
      const requestContext = currentRequestContext();
      const requestId = requestContext?.requestId ?? "unknown";
      const clientAddress = requestContext?.clientAddress ?? "unknown";
      // Before the transaction opens: on PGlite, auth reads share the single connection.
      const principal = await resolvePrincipal(
        request,
        { auth: options.auth, database: options.database },
        { responseHeaders: responseCookies },
      );
      const live = options.live?.updates;
      return { requestId, principal, clientAddress, request, organizations, search, ...(live ? { live } : {}) };
    },
    plugins: [
      // The operation found, its variables coerced and its walks done once per request, on the context.
      useOperationAnalysis(),
      // Operation name, tenant, user and error codes for the app's log line and metrics.
      useOperationRecording(),
      // A GET or a simple (form-like) POST must carry x-graphql-csrf (or another preflight header): 403 otherwise.
      useCsrfPrevention(),
      ...trustedDocuments,
      ...(hostile.routerSecret ? [useRouterSecret(hostile.routerSecret)] : []),
      ...(hostile.production ? useProductionDisclosure() : []),
      useOperationLimits({ ...hostile.limits, exposeLimits }),
      useOperationRules,
      useForwardedCookies,
      // Before the tenant transaction: a refused operation never opens one.
      usePageSizeLimits(),
      // After the limits plugin (it computes the cost), before the transaction.
      ...budgets,
      // Subscriptions: each delivery goes through every onExecute above, then the tenant transaction below.
      ...subscriptions,
      // Before the tenant transaction, which wraps whatever execute function the plugins before it set.
      ...compiledExecution,
      useTenantTransaction(options.database, {
        // SET LOCAL statement_timeout on every operation; 5 s unless configured (STATEMENT_TIMEOUT_MS).
        statementTimeoutMs: options.statementTimeoutMs ?? defaultStatementTimeoutMs,
      }),
    ],
    maskedErrors: {
      maskError: (error) => maskError(error, currentRequestContext()?.requestId),
    },
    graphiql: options.graphiql ? graphiqlDefaults : false,
    renderGraphiQL,
  });
  return yoga;
}
