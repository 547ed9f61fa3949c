// The hand-written baseline: node:http + postgres.js, no GraphQL. Per request: the same personal access
// token and membership check as PostGraphile's (one statement as trovella_auth), then the same kind of
// transaction as our gateway (as trovella_app: BEGIN, the one set_config statement that switches to
// `authenticated` and sets the tenant, then ONE hand-written statement that returns the response JSON built
// by PostgreSQL, COMMIT). RLS filters every row; no statement names organization_id.
//
//   POST /w1 … /w6 with a JSON body of variables. PORT, APP_DATABASE_URL, AUTH_DATABASE_URL, POOL_SIZE

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import postgres from "postgres";
import { AuthError, identify } from "./auth.js";
import { benchServerEnvironment, listenUntilSignalled } from "./environment.js";
import { runStatement, statements, type Variables } from "./statements.js";

const { port, poolSize, appDatabaseUrl, authSql } = benchServerEnvironment();
const appSql = postgres(appDatabaseUrl, { max: poolSize, onnotice: () => {} });

async function readBody(req: IncomingMessage): Promise<Variables> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > 100_000) throw new AuthError("body too large", 401);
    chunks.push(buffer);
  }
  if (size === 0) return {};
  const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  return typeof parsed === "object" && parsed !== null ? (parsed as Variables) : {};
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const statement = statements[req.url ?? ""];
  if (!statement || req.method !== "POST") {
    res.writeHead(404).end();
    return;
  }
  try {
    const variables = await readBody(req);
    const identity = await identify(authSql, req.headers.authorization, req.headers["x-organization-id"]);
    const body = await runStatement(appSql, statement, variables, identity);
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) }).end(body);
  } catch (error) {
    const status = error instanceof AuthError ? error.status : 500;
    const message = error instanceof Error ? error.message : String(error);
    const body = JSON.stringify({ errors: [{ message }] });
    res.writeHead(status, { "content-type": "application/json" }).end(body);
  }
}

const server = createServer((req, res) => {
  void handle(req, res);
});
listenUntilSignalled(server, port, () => Promise.all([appSql.end({ timeout: 2 }), authSql.end({ timeout: 2 })]));
