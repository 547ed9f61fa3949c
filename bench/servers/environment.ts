import type { Server } from "node:http";
import postgres from "postgres";

// What every bench server but ours reads from its environment (PORT, POOL_SIZE, APP_DATABASE_URL,
// AUTH_DATABASE_URL, set by bench/systems.ts), and how each one listens and stops.

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

export interface BenchServerEnvironment {
  port: number;
  /** Size of the runtime (`trovella_app`) pool. */
  poolSize: number;
  /** The runtime login, `trovella_app`. */
  appDatabaseUrl: string;
  /** The token look-up's pool, as `trovella_auth`. */
  authSql: postgres.Sql;
}

export function benchServerEnvironment(): BenchServerEnvironment {
  return {
    port: Number(required("PORT")),
    poolSize: Number(process.env.POOL_SIZE || "10"),
    appDatabaseUrl: required("APP_DATABASE_URL"),
    authSql: postgres(required("AUTH_DATABASE_URL"), { max: 4, onnotice: () => {} }),
  };
}

/** Listens on 127.0.0.1 and prints the line the harness waits for; SIGTERM or SIGINT closes and releases. */
export function listenUntilSignalled(server: Server, port: number, release: () => Promise<unknown>): void {
  server.keepAliveTimeout = 65_000;
  server.listen(port, "127.0.0.1", () => console.log(`ready on ${port}`));
  const shutdown = () => {
    server.close();
    void release().then(() => process.exit(0));
  };
  process.once("SIGTERM", shutdown);
  process.once("SIGINT", shutdown);
}
