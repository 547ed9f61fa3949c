// npm start: (migrate,) seed the demo data in development, serve GraphQL. Embedded PGlite unless DATABASE_URL.
// On SIGTERM or SIGINT: readiness goes false, new requests are refused, running ones finish (at most
// SHUTDOWN_TIMEOUT_MS), the pools close, exit 0.

import { invitationAcceptUrl } from "./domains/identity/invitation-link.js";
import { type App, createApp } from "./http/app.js";
import { type HttpServer, listen } from "./http/server.js";
import { serveWebSockets, type WebSocketEndpoint } from "./http/websocket.js";
import { type BucketStore, createBucketStore } from "./pipeline/budgets.js";
import { createAuth } from "./platform/auth/better-auth.js";
import { type Config, ConfigError, loadConfig } from "./platform/config/index.js";
import {
  Database,
  DEMO_PASSWORD,
  DEMO_TOKEN,
  demoUsers,
  findDemoData,
  migrate,
  seedDemoData,
} from "./platform/db/index.js";
import { LiveUpdates } from "./platform/live/updates.js";
import { createSmtpMailer, type Mailer } from "./platform/mail/mailer.js";
import { createLogger, guardConsole, type Logger } from "./platform/observability/logger.js";
import { createMetrics } from "./platform/observability/metrics.js";
import { countStatement } from "./platform/observability/request-context.js";
import { startTracing, type Tracing } from "./platform/observability/telemetry.js";

interface Running {
  app: App;
  http: HttpServer;
  database: Database;
  /** The budgets' buckets (a Redis connection when REDIS_URL is set), closed after the last request. */
  bucketStore: BucketStore | undefined;
  /** The SMTP transport of invitation e-mails, when SMTP_URL is set. */
  mailer: Mailer | undefined;
  /** Live updates' LISTEN and subscriptions, ended first on shutdown. */
  live: LiveUpdates;
  /** graphql-ws on the HTTP server's port and path. */
  webSockets: WebSocketEndpoint;
}

function readConfig(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error("Configuration error: the gateway cannot start.");
      for (const problem of error.problems) console.error(`  - ${problem}`);
      console.error("See the Configuration section of README.md.");
      process.exit(1);
    }
    throw error;
  }
}

async function main(): Promise<void> {
  const config = readConfig();
  const logger = createLogger({ level: config.logLevel });
  guardConsole();
  process.on("unhandledRejection", (reason) => {
    logger.error({ err: reason }, "unhandled promise rejection");
  });
  process.on("uncaughtException", (error) => {
    logger.fatal({ err: error }, "uncaught exception: exiting");
    process.exit(1);
  });

  // Signals are handled from the first moment (as PID 1 in a container, an unhandled SIGTERM is ignored).
  let running: Running | undefined;
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, "second signal during shutdown: exiting now");
      process.exit(1);
    }
    stopping = true;
    if (!running) {
      logger.info({ signal }, "signal before the server was ready: exiting");
      process.exit(0);
    }
    void shutdown(running, signal, config, logger, tracing);
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);

  const tracing = await startTracing(config.tracing, { logger });
  const embedded = !config.database.databaseUrl && !config.database.appDatabaseUrl;
  logger.info(
    embedded ? { database: "pglite", dataDir: config.database.pgliteDataDir } : { database: "postgres" },
    embedded ? "opening the embedded database (PGlite)" : "connecting to PostgreSQL",
  );
  const database = await Database.open({ ...config.database, onStatement: countStatement });
  if (config.migrateOnStart) {
    await migrate(database, (message) => logger.info(message));
  }
  if (config.environment === "development") {
    await seedDemoData(database, (message) => logger.info(message));
  }
  if (config.environment === "production") {
    await refuseDemoData(database, config, logger);
  }

  const metrics = createMetrics({ processMetrics: true });
  metrics.watchDatabase(database);
  const mailer = startMailer(config, logger);
  const auth = createAuth(database, {
    secret: config.authSecret,
    baseURL: config.publicUrl,
    logger,
    invitations: {
      mailer,
      acceptUrl: (invitationId) => invitationAcceptUrl({ ...config.mail, publicUrl: config.publicUrl }, invitationId),
      revealUnsentLinks: config.environment !== "production",
      logger,
    },
  });
  // Every replica LISTENs itself (no Redis needed for live updates); the probe decides whether it may serve them.
  const live = new LiveUpdates(database, {
    probeTimeoutMs: config.live.probeTimeoutMs,
    probeIntervalMs: config.live.recheckIntervalMs,
    logger,
  });
  await live.start();
  const budgets = config.hostileInput.budgets;
  const bucketStore = budgets.enabled ? createBucketStore(budgets) : undefined;
  const app = createApp({
    database,
    bucketStore,
    auth,
    logger,
    metrics,
    metricsEnabled: config.metricsEnabled,
    readinessTimeoutMs: config.readinessTimeoutMs,
    graphiql: config.environment !== "production",
    statementTimeoutMs: config.statementTimeoutMs,
    hostileInput: config.hostileInput,
    federation: config.federation,
    search: config.search,
    execution: config.execution,
    live: { updates: live, config: config.live },
  });
  const http = await listen(app, config.port, undefined, {
    trustedProxies: config.trustedProxies,
    maxBodyBytes: config.hostileInput.maxBodyBytes,
  });
  const webSockets = serveWebSockets(http.server, app, {
    heartbeatMs: config.live.heartbeatMs,
    trustedProxies: config.trustedProxies,
    allowedOrigins: [config.publicUrl, ...config.hostileInput.corsOrigins],
    trustedDocumentsOnly: config.hostileInput.trustedDocumentsPath !== undefined && config.environment === "production",
    logger,
  });
  metrics.watchLiveUpdates(() => ({
    subscriptions: live.subscriptions,
    listenerReady: live.state === "ready",
    webSockets: webSockets.connections,
  }));
  running = { app, http, database, bucketStore, mailer, live, webSockets };
  logger.info({ port: http.port, environment: config.environment }, "listening");

  if (config.environment === "development") {
    // Straight to stdout: the console is guarded, and it would scrub the demo token we mean to show.
    const users = Object.values(demoUsers)
      .map((u) => u.email)
      .join(", ");
    process.stdout.write(
      [
        "",
        `Trovella Gateway is listening on http://localhost:${http.port}/graphql`,
        `  GraphiQL: open http://localhost:${http.port}/graphql (the demo token is prefilled)`,
        `  Demo users (password "${DEMO_PASSWORD}"): ${users}`,
        `  Demo token (Alice): Authorization: Bearer ${DEMO_TOKEN}`,
        "  Tenants: X-Organization-Id: demo-org-acme | demo-org-globex | demo-org-initech",
        "",
      ].join("\n"),
    );
  }
}

/**
 * The SMTP transport, or none: then invitations are created but not e-mailed. Not a refusal in production
 * (a gateway whose organizations are managed by an operator needs no SMTP server), but said at start.
 */
function startMailer(config: Config, logger: Logger): Mailer | undefined {
  const { smtpUrl, from } = config.mail;
  if (smtpUrl && from) return createSmtpMailer({ url: smtpUrl, from });
  if (config.environment === "production") {
    logger.warn("no SMTP_URL: invitations are created but not e-mailed, and their links are not shown to anyone");
  } else {
    logger.info("no SMTP_URL: invitations are not e-mailed; their links are logged and returned to the inviter");
  }
  return undefined;
}

/**
 * Production must not serve the demo seed: its token and password are public. Exits 1 with the way out,
 * unless ALLOW_DEMO_DATA says this is a test rig.
 */
async function refuseDemoData(database: Database, config: Config, logger: Logger): Promise<void> {
  const found = await findDemoData(database);
  if (!found) return;
  if (config.allowDemoData) {
    logger.warn({ demoData: found }, "the database holds the demo seed (ALLOW_DEMO_DATA=true): its token works here");
    return;
  }
  console.error("Start refused: the database holds the demo seed, whose token and password are public.");
  console.error(
    `  Found ${found.organizations} demo organizations, ${found.users} demo users, ${found.tokens} demo token.`,
  );
  console.error("  Remove it as the owner: DATABASE_URL=postgres://owner@host/db npm run db:remove-demo");
  console.error("  (docs/production.md, Demo data).");
  await database.close();
  process.exit(1);
}

async function shutdown(
  { app, http, database, bucketStore, mailer, live, webSockets }: Running,
  signal: string,
  config: Config,
  logger: Logger,
  tracing: Tracing | undefined,
): Promise<void> {
  logger.info(
    { signal, inFlight: http.inFlight, timeoutMs: config.shutdownTimeoutMs },
    "shutting down: not ready, refusing new requests, finishing running ones",
  );
  app.startDraining();
  let exitCode = 0;
  try {
    // Subscriptions end first (SSE: a `complete` event; graphql-ws: `complete`, then close code 1001), so their
    // long-lived requests do not hold the drain open.
    logger.info({ subscriptions: live.subscriptions }, "shutting down: ending subscriptions");
    await live.close();
    await webSockets.close();
    const { drained, abandoned } = await http.close(config.shutdownTimeoutMs);
    if (!drained) {
      logger.warn({ abandoned }, "shutdown timeout: closed the connections of requests still running");
    }
    await bucketStore?.close();
    mailer?.close();
    await database.close();
    await tracing?.shutdown();
  } catch (error) {
    logger.error({ err: error }, "shutdown failed");
    exitCode = 1;
  }
  logger.info({ exitCode }, "shutdown complete");
  process.exit(exitCode);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
