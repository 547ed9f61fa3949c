import { anonymous, send, tenantMembers } from "./callers.js";
import { generateCases } from "./campaign.js";
import { harvest, introspect } from "./harvest.js";

const base = "http://127.0.0.1:4816";
const schema = await introspect(base);
const members = await tenantMembers(base);
const h = await harvest(base, schema, members);
console.log("ids", h.pools.ids.length, "cursors", h.pools.cursors.length);
const cases = generateCases(schema, h.pools, [anonymous, ...members], 45, Number(process.env.SEED ?? 16));
for (const c of cases.slice(0, Number(process.env.N ?? 3))) {
  const { operationName, query, variables } = c.operation;
  const r = await send(base, c.caller, { operationName, query, variables });
  console.log(
    c.operation.query.slice(0, 600),
    JSON.stringify(c.operation.variables).slice(0, 300),
    r.status,
    r.text.slice(0, 400),
  );
}
