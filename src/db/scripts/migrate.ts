// npm run db:migrate — applies drizzle/ to DATABASE_URL (or the embedded PGlite data directory).
import { loadConfig } from "../../config.js";
import { Database, migrate } from "../index.js";

const config = loadConfig();
const database = await Database.open(config.database);
try {
  await migrate(database, (message) => console.log(message));
} finally {
  await database.close();
}
