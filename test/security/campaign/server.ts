import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { type ServerProcess, spawnServer } from "../../ops/support/stack.js";
import { backendName, serverUrl } from "../../support/database.js";

// The real server process (`node --import tsx src/main.ts`) for the schema campaign, on this run's backend:
// the embedded PGlite (no DATABASE_URL) by default, or a fresh database on TEST_DATABASE_URL's server. It runs
// in development mode: that is what migrates, seeds the demo tenants and answers introspection (production
// refuses it). The budgets stay on, sized so a campaign of a few thousand operations from three callers
// within a minute is not merely rate-limited.

/** Budgets and limits of the campaign's server: every limit active, the per-minute allowances raised. */
export const campaignBudgets: Record<string, string> = {
  RATE_LIMIT_ENABLED: "true",
  RATE_LIMIT_ORG_REQUESTS_PER_MINUTE: "1000000",
  RATE_LIMIT_PRINCIPAL_REQUESTS_PER_MINUTE: "1000000",
  RATE_LIMIT_ANONYMOUS_REQUESTS_PER_MINUTE: "1000000",
  COST_BUDGET_ORG_PER_MINUTE: "1000000000",
  COST_BUDGET_PRINCIPAL_PER_MINUTE: "1000000000",
};

export interface CampaignServer {
  backend: string;
  process: ServerProcess;
  baseUrl: string;
  stop(): Promise<void>;
}

export async function startCampaignServer(): Promise<CampaignServer> {
  let databaseUrl: string | undefined;
  let dropDatabase = async () => {};
  const adminUrl = serverUrl;
  if (adminUrl) {
    const name = `trovella_campaign_${process.pid}_${randomBytes(4).toString("hex")}`;
    const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database "${name}"`);
    await admin.end();
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    databaseUrl = url.toString();
    dropDatabase = async () => {
      const dropper = postgres(adminUrl, { max: 1, onnotice: () => {} });
      await dropper.unsafe(`drop database if exists "${name}" with (force)`);
      await dropper.end();
    };
  }
  const environment: Record<string, string> = {
    ...campaignBudgets,
    NODE_ENV: "development",
    PUBLIC_URL: "http://127.0.0.1",
    DATABASE_POOL_SIZE: "6",
    // The owner migrates and seeds on the server; the runtime logins are derived from it.
    DATABASE_URL: databaseUrl ?? "",
    APP_DATABASE_URL: "",
    AUTH_DATABASE_URL: "",
    PGLITE_DATA_DIR: "memory://",
  };
  let running: ServerProcess;
  try {
    // spawnServer's first argument only derives the runtime logins, which the blanks above replace.
    // Development migrates and seeds before listening: PGlite on a busy machine takes a while.
    running = await spawnServer(databaseUrl ?? "postgres://unused@127.0.0.1/unused", environment, {
      listenTimeoutMs: 240_000,
    });
  } catch (error) {
    await dropDatabase();
    throw error;
  }
  return {
    backend: backendName,
    process: running,
    baseUrl: running.baseUrl,
    stop: async () => {
      running.child.kill("SIGTERM");
      const exited = await Promise.race([
        running.exited.then(() => true),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 20_000)),
      ]);
      if (!exited) running.kill();
      await dropDatabase();
    },
  };
}
