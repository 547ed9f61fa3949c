import { ConfigError, loadConfig } from "../../../src/platform/config/index.js";

/** Every problem the configuration reports for `env` (none: it loads). */
export function problemsOf(env: NodeJS.ProcessEnv): readonly string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

/** A production environment with everything production requires. */
export const productionEnvironment = {
  NODE_ENV: "production",
  BETTER_AUTH_SECRET: "a-production-secret-of-at-least-32-characters",
  PUBLIC_URL: "https://api.example.com",
  APP_DATABASE_URL: "postgres://trovella_app:pw@db/trovella",
  AUTH_DATABASE_URL: "postgres://trovella_auth:pw@db/trovella",
  ROUTER_SECRET: "a-secret-the-router-sends",
};
