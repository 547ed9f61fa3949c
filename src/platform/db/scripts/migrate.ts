// npm run db:migrate — applies drizzle/ to DATABASE_URL (or the embedded PGlite data directory). In production
// this is its own one-shot command (the compose `migrate` service), run before the new version starts: it
// needs the owner's DATABASE_URL and nothing else (no auth secret, no public URL).
import { ConfigError, loadDatabaseConfig } from "../../config/index.js";
import { Database, migrate } from "../index.js";

let options: ReturnType<typeof loadDatabaseConfig>;
try {
  options = loadDatabaseConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error("Configuration error:");
  for (const problem of error.problems) console.error(`  - ${problem}`);
  process.exit(1);
}
const database = await Database.open(options);
try {
  await migrate(database, (message) => console.log(message));
} finally {
  await database.close();
}
