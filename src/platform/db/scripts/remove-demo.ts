// npm run db:remove-demo — deletes the demo seed (organizations with their data, users, the demo token) as
// the owner (DATABASE_URL). A production gateway refuses to start on a database that still holds it.
import { loadDatabaseConfig } from "../../config/index.js";
import { Database, findDemoData, removeDemoData } from "../index.js";

const database = await Database.open(loadDatabaseConfig());
try {
  const removed = await removeDemoData(database);
  console.log(
    `removed the demo seed: ${removed.organizations} organizations (with their data), ${removed.users} users, ${removed.tokens} demo token`,
  );
  const left = await findDemoData(database);
  if (left) throw new Error(`demo data still present: ${JSON.stringify(left)}`);
} finally {
  await database.close();
}
