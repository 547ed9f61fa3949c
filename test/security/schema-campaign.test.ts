import { mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { GraphQLSchema } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { delay } from "../ops/support/stack.js";
import { backendName } from "../support/database.js";
import { anonymous, asCurl, type CampaignCaller, tenantMembers } from "./campaign/callers.js";
import { type CaseOutcome, campaignSettings, generateCases, rootFields, runCases } from "./campaign/campaign.js";
import { type Harvest, harvest, introspect } from "./campaign/harvest.js";
import { replyViolations, tenantRows } from "./campaign/invariants.js";
import { type CampaignServer, startCampaignServer } from "./campaign/server.js";

// The schema-wide campaign (issue 16): the real server process over a real socket, on this run's backend
// (PGlite embedded in the server; the PostgreSQL server with TEST_DATABASE_URL). It introspects the schema
// and, for every root query field and mutation, generates arguments — nested inputs and the paging arguments
// of connections at every depth of the selection included — with hostile values (see campaign/values.ts),
// sent as anonymous, as a member (Alice in Acme) and as the member of another tenant (Dave in Initech).
//
// Invariants: an answer every time and never a 5xx; every error has extensions.code and none is
// INTERNAL_SERVER_ERROR; no error-level line in the server's log for any case; no row of another tenant.
// CI: FUZZ_SEED 16, FUZZ_RUNS 2100. By hand: FUZZ_RUNS=20000 FUZZ_SEED=7 npx vitest run test/security/schema-campaign.test.ts
// A failing case prints as a curl command line (replay it against `npm start`: the demo token is Alice's;
// Dave's session comes from POST /api/auth/sign-in/email).

let server: CampaignServer;
let schema: GraphQLSchema;
let members: CampaignCaller[];
let harvested: Harvest;

beforeAll(async () => {
  server = await startCampaignServer();
  schema = await introspect(server.baseUrl);
  members = await tenantMembers(server.baseUrl);
  harvested = await harvest(server.baseUrl, schema, members);
}, 300_000);

afterAll(async () => {
  await server?.stop();
});

interface Failure {
  outcome: CaseOutcome;
  problem: string;
}

/**
 * Failures grouped by kind of problem (numbers and ids blanked), with the fields and callers it hit and one
 * replayable request per group; every failure, in full, goes to a JSON file beside the curl bodies.
 */
function report(failures: Failure[], total: number): string {
  const groups = new Map<string, Failure[]>();
  for (const failure of failures) {
    const kind = failure.problem.replace(/[0-9a-f-]{8,}|\d+/gi, "#").slice(0, 100);
    groups.set(kind, [...(groups.get(kind) ?? []), failure]);
  }
  const folder = join(tmpdir(), "trovella-schema-campaign");
  mkdirSync(folder, { recursive: true });
  const file = join(folder, `${backendName}-failures.json`);
  writeFileSync(
    file,
    JSON.stringify(
      failures.map(({ outcome, problem }) => ({
        problem,
        requestId: outcome.requestId,
        caller: outcome.case.caller.label,
        coordinate: outcome.case.operation.coordinate,
        status: outcome.reply.status,
        request: outcome.reply.request.body.slice(0, 4000),
        response: outcome.reply.text.slice(0, 4000),
      })),
      null,
      2,
    ),
  );
  const lines = [
    `${failures.length} violations in ${total} cases on ${backendName}, ${groups.size} kinds (all: ${file}):`,
  ];
  for (const group of groups.values()) {
    const first = group[0] as Failure;
    const where = [
      ...new Set(group.map((f) => `${f.outcome.case.operation.coordinate} (${f.outcome.case.caller.label})`)),
    ];
    lines.push(
      `- ${first.problem} — ${group.length}×, in ${where.slice(0, 6).join(", ")}${where.length > 6 ? ", …" : ""}`,
      `  ${asCurl(first.outcome.reply.request, `${backendName}-${first.outcome.requestId}`)}`,
    );
  }
  return lines.join("\n");
}

describe(`schema-wide campaign on ${backendName} (real server process, over HTTP)`, () => {
  it("every root field, mutation and argument with hostile values, as three callers: no internal error, no 5xx, no error log, no foreign row", async () => {
    const { runs, seed } = campaignSettings();
    const owners = tenantRows(harvested.seenBy);
    const owned = (label: string) => [...owners.values()].filter((owner) => owner === label).length;
    // The campaign can only find a leak if it knows each tenant's rows, and can only reuse cursors it has.
    for (const member of members) expect(owned(member.label), `rows harvested as ${member.label}`).toBeGreaterThan(20);
    expect(harvested.pools.cursors.length).toBeGreaterThan(20);

    const callers = [anonymous, ...members];
    const cases = generateCases(schema, harvested.pools, callers, runs, seed);
    expect(cases.length).toBeGreaterThanOrEqual(runs);
    const covered = new Set(cases.map((c) => c.operation.coordinate));
    for (const { kind, field } of rootFields(schema)) {
      expect(covered, "every root field has cases").toContain(
        `${kind === "query" ? "Query" : "Mutation"}.${field.name}`,
      );
    }

    const logsBefore = server.process.logs.length;
    const started = Date.now();
    const outcomes = await runCases(server.baseUrl, cases, { concurrency: 6, requestIdPrefix: `campaign-${seed}` });
    const seconds = (Date.now() - started) / 1000;
    await delay(500);

    const failures: Failure[] = [];
    const byRequestId = new Map(outcomes.map((outcome) => [outcome.requestId, outcome]));
    for (const outcome of outcomes) {
      for (const problem of replyViolations(outcome.reply, outcome.case.caller, owners))
        failures.push({ outcome, problem });
    }
    const strayErrorLogs: string[] = [];
    for (const line of server.process.logs.slice(logsBefore)) {
      if (line.level !== "error" && line.level !== "fatal") continue;
      const outcome = byRequestId.get(String(line.requestId));
      const err = line.err as { message?: string; cause?: { message?: string } } | undefined;
      const detail = [err?.message?.slice(0, 300), err?.cause?.message?.slice(0, 300)].filter(Boolean).join(" — ");
      const problem = `error-level log line: ${String(line.msg)}${detail ? ` (${detail})` : ""}`;
      if (outcome) failures.push({ outcome, problem });
      else strayErrorLogs.push(JSON.stringify(line).slice(0, 400));
    }

    const statuses = new Map<string, number>();
    const codes = new Map<string, number>();
    for (const { reply } of outcomes) {
      const status = String(reply.networkError ?? reply.status);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      for (const error of reply.body?.errors ?? []) {
        const code = String(error.extensions?.code ?? "none");
        codes.set(code, (codes.get(code) ?? 0) + 1);
      }
    }
    console.info(
      `schema campaign on ${backendName}: ${outcomes.length} cases (seed ${seed}) over ${covered.size} root fields ` +
        `in ${seconds.toFixed(1)} s; statuses ${JSON.stringify(Object.fromEntries(statuses))}; ` +
        `error codes ${JSON.stringify(Object.fromEntries(codes))}; ${failures.length} violations`,
    );

    expect(strayErrorLogs, "error-level log lines outside any case").toEqual([]);
    expect(failures.length, report(failures, outcomes.length)).toBe(0);
  }, 900_000);
});
