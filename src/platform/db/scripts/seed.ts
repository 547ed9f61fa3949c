// npm run db:seed — migrates, then creates the demo data (idempotent: a second run changes nothing).
import { loadDatabaseConfig } from "../../config/index.js";
import { Database, migrate, seedDemoData } from "../index.js";

const options = loadDatabaseConfig();
const database = await Database.open(options);
try {
  await migrate(database, (message) => console.log(message));
  await seedDemoData(database, (message) => console.log(message));
} finally {
  await database.close();
}
