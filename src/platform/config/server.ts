import proxyaddr from "proxy-addr";
import { defaultStatementTimeoutMs } from "./limits.js";
import { reader, readHttpUrl } from "./variables.js";

// The process: environment, port, auth secret, public URL, logs, timeouts, metrics; and how the deployment is
// reached (federation, trusted proxies, demo data).

export type Environment = "development" | "production" | "test";

/** /readyz answers 503 when the database does not answer within this time (READINESS_TIMEOUT_MS). */
export const defaultReadinessTimeoutMs = 2000;

/** Development only: a fixed secret so sessions survive restarts. Production refuses to start without one. */
const developmentAuthSecret = "trovella-development-secret-not-for-production-use";
const logLevels = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

const environments: readonly Environment[] = ["development", "production", "test"];

/** NODE_ENV: read first, since other variables' defaults and rules depend on it. */
export const environmentVariable = reader.oneOf("NODE_ENV", "development", environments);

export function serverVariables(environment: Environment) {
  const production = environment === "production";
  return {
    ...environmentVariable,
    ...reader.integer("PORT", 4000, 0, 65535),
    ...reader.custom("BETTER_AUTH_SECRET", (raw, report) => {
      const secret = raw ?? (production ? "" : developmentAuthSecret);
      if (secret === "") {
        report("BETTER_AUTH_SECRET must be set in production (at least 32 random characters)");
      } else if (secret.length < 32) {
        report(`BETTER_AUTH_SECRET must be at least 32 characters, got ${secret.length}`);
      } else if (production && secret === developmentAuthSecret) {
        report("BETTER_AUTH_SECRET is the development secret: set a random one in production");
      }
      return secret;
    }),
    ...reader.oneOf("LOG_LEVEL", environment === "test" ? "silent" : "info", logLevels),
    ...reader.custom("PUBLIC_URL", (raw, report) => {
      const url = readHttpUrl("PUBLIC_URL", raw, report, "https://api.example.com");
      if (production && raw === undefined) {
        report(
          "PUBLIC_URL must be set in production: the URL clients use (auth cookies and origin checks depend on it)",
        );
      }
      return url;
    }),
    ...reader.integer("STATEMENT_TIMEOUT_MS", defaultStatementTimeoutMs, 100, 600_000),
    ...reader.boolean("MIGRATE_ON_START", !production),
    ...reader.integer("SHUTDOWN_TIMEOUT_MS", 15_000, 0, 600_000),
    ...reader.integer("READINESS_TIMEOUT_MS", defaultReadinessTimeoutMs, 100, 60_000),
    ...reader.boolean("METRICS_ENABLED", true),
  };
}

export const deploymentVariables = {
  ...reader.boolean("FEDERATION", true),
  // Comma-separated addresses, CIDR ranges or proxy-addr's names (loopback, uniquelocal …).
  ...reader.list("TRUSTED_PROXIES", (proxy, report) => {
    try {
      proxyaddr.compile(proxy);
    } catch {
      report(
        `TRUSTED_PROXIES must list IP addresses or CIDR ranges (or loopback, linklocal, uniquelocal), got "${proxy}"`,
      );
    }
  }),
  ...reader.boolean("ALLOW_DEMO_DATA", false),
};
