import { createServer, type Server } from "node:http";
import { createServerAdapter } from "@whatwg-node/server";
import type { App } from "./app.js";

/** Serves the app on node:http. Resolves once listening; `port` 0 picks a free port. */
export async function listen(app: App, port: number): Promise<{ server: Server; port: number }> {
  const adapter = createServerAdapter((request: Request) => app.fetch(request));
  const server = createServer(adapter);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, () => resolve());
  });
  const address = server.address();
  return { server, port: typeof address === "object" && address ? address.port : port };
}
