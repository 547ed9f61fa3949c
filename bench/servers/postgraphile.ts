// PostGraphile v5 (Amber preset, library mode on node:http) over the bench database, for comparison.
//
// It connects as trovella_app, the same login as our gateway, and switches to `authenticated` per request
// through pgSettings (PostGraphile opens a transaction and sends
// `select set_config(el->>0, el->>1, true) from json_array_elements($1::json) el`), so the same forced RLS
// policies filter every row. The tenant and user come from the same personal access token and membership
// check as ours (bench/servers/auth.ts), made in grafast's context callback before the transaction.
//
//   PORT, APP_DATABASE_URL (trovella_app), AUTH_DATABASE_URL (trovella_auth), POOL_SIZE

import "./node20-shims.js";
import { createServer } from "node:http";
import { postgraphile } from "postgraphile";
import { makePgService } from "postgraphile/adaptors/pg";
import { grafserv } from "postgraphile/grafserv/node";
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { jsonPgSmartTags } from "postgraphile/utils";
import { identify } from "./auth.js";
import { benchServerEnvironment, listenUntilSignalled } from "./environment.js";

const { port, poolSize, appDatabaseUrl, authSql } = benchServerEnvironment();

const preset: GraphileConfig.Preset = {
  extends: [PostGraphileAmberPreset],
  // Tenant tables are keyed by (organization_id, id) (docs/citus.md), so PostGraphile's lookup by primary key
  // would take both. Ids are unique in practice and a request sees one tenant (RLS): declaring id unique keeps
  // the lookup by id alone that W1 compares (`researchPlanByRowId`), as our gateway does (src/schema-builder/table-config.ts).
  plugins: [jsonPgSmartTags({ version: 1, config: { class: { research_plan: { tags: { unique: "id" } } } } })],
  pgServices: [
    makePgService({
      connectionString: appDatabaseUrl,
      schemas: ["public", "bench_pg"],
      poolConfig: { max: poolSize },
    }),
  ],
  grafast: {
    explain: false,
    context: async (requestContext) => {
      const req = requestContext.node?.req;
      const identity = await identify(authSql, req?.headers.authorization, req?.headers["x-organization-id"]);
      return {
        pgSettings: {
          role: "authenticated",
          "app.organization_id": identity.organizationId,
          "app.user_id": identity.userId,
        },
      };
    },
  },
  grafserv: { graphqlPath: "/graphql", graphiql: false, watch: false },
};

const pgl = postgraphile(preset);
const serv = pgl.createServ(grafserv);
const server = createServer();
server.on("error", (error) => {
  console.error(error);
  process.exit(1);
});
await serv.addTo(server);
await pgl.getSchema(); // introspect before reporting ready
listenUntilSignalled(server, port, () => Promise.all([pgl.release(), authSql.end({ timeout: 2 })]));
