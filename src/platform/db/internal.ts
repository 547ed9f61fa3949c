import type { Connections } from "./connection.js";

// Which raw connections belong to which Database. Private to src/platform/db/: a Database object handed to the rest
// of the code carries no raw handle of its own to misuse.
const connectionsByDatabase = new WeakMap<object, Connections>();

export function registerConnections(database: object, connections: Connections): void {
  connectionsByDatabase.set(database, connections);
}

export function connectionsOf(database: object): Connections {
  const connections = connectionsByDatabase.get(database);
  if (!connections) throw new Error("not a Database opened by openDatabase()");
  return connections;
}
