// npm start: migrate, seed the demo data on first start, serve GraphQL. Embedded PGlite unless DATABASE_URL.
import { createAuth } from "./auth/better-auth.js";
import { ConfigError, loadConfig } from "./config.js";
import { Database, DEMO_PASSWORD, DEMO_TOKEN, demoUsers, migrate, seedDemoData } from "./db/index.js";
import { createApp } from "./server/app.js";
import { listen } from "./server/http.js";
import { createLogger } from "./server/logger.js";
import { countStatement } from "./server/request-context.js";

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevel });
  const embedded = !config.database.databaseUrl;
  console.log(
    embedded
      ? `Opening the embedded database (PGlite) in ${config.database.pgliteDataDir} …`
      : "Connecting to PostgreSQL (DATABASE_URL) …",
  );
  const database = await Database.open({ ...config.database, onStatement: countStatement });
  await migrate(database, (message) => console.log(message));
  if (config.environment === "development") {
    await seedDemoData(database, (message) => console.log(message));
  }

  const auth = createAuth(database, { secret: config.authSecret, baseURL: config.publicUrl });
  const app = createApp({
    database,
    auth,
    logger,
    graphiql: config.environment !== "production",
    statementTimeoutMs: config.statementTimeoutMs,
  });
  const { server, port } = await listen(app, config.port);

  console.log(`\nTrovella Gateway is listening on http://localhost:${port}/graphql`);
  if (config.environment === "development") {
    console.log(`  GraphiQL: open http://localhost:${port}/graphql (the demo token is prefilled)`);
    console.log(
      `  Demo users (password "${DEMO_PASSWORD}"): ${Object.values(demoUsers)
        .map((u) => u.email)
        .join(", ")}`,
    );
    console.log(`  Demo token (Alice): Authorization: Bearer ${DEMO_TOKEN}`);
    console.log("  Tenants: X-Organization-Id: demo-org-acme | demo-org-globex | demo-org-initech");
  }

  const shutdown = (signal: string) => {
    console.log(`${signal}: closing`);
    server.close(() => {
      void database.close().then(() => process.exit(0));
    });
  };
  process.once("SIGINT", () => shutdown("SIGINT"));
  process.once("SIGTERM", () => shutdown("SIGTERM"));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(`Configuration error: ${error.message}`);
  } else {
    console.error(error);
  }
  process.exit(1);
});
