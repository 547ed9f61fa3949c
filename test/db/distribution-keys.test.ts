import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import * as tables from "../../schema/tables.js";
import { distributionKeyProblems, tablesAmong } from "../../src/platform/db/scripts/distribution-keys.js";
import * as undistributable from "./fixtures/undistributable-schema.js";

// The distribution rule on the Drizzle definitions, as `npm run db:check` runs it: tenant tables' primary keys
// and unique constraints include organization_id, and their indexes lead with it unless schema/distribution.ts
// gives the reason. (The RLS doctor checks the same on the catalog: test/db/rls-doctor.test.ts.)

const root = path.resolve(import.meta.dirname, "../..");
const badTableProblems = [
  "undistributable_note: primary key (id) does not include organization_id",
  "undistributable_note: unique constraint undistributable_note_title_key (title) does not include organization_id",
  "undistributable_note: index undistributable_note_title_idx (title) does not lead with organization_id and schema/distribution.ts gives no reason",
];

describe("distribution keys of the Drizzle schema", () => {
  it("finds nothing wrong with schema/tables.ts", () => {
    expect(distributionKeyProblems(tablesAmong(tables))).toEqual([]);
  });

  it("reports a tenant table keyed by id alone, a unique constraint and an index without organization_id", () => {
    expect(distributionKeyProblems(tablesAmong(undistributable))).toEqual(badTableProblems);
  });

  it("reports an allowed index that no table has any more", () => {
    const problems = distributionKeyProblems(tablesAmong(tables), {
      document_chunk_embedding_hnsw_idx: "kept",
      gone_idx: "an index someone removed",
    });
    expect(problems).toContainEqual(expect.stringMatching(/^schema\/distribution\.ts: gone_idx is allowed/));
    // Every real exception is named by the allow-list, so the shorter one reports them.
    expect(problems).toContainEqual(expect.stringMatching(/^member: index member_id_idx \(id\) does not lead/));
  });

  it("makes `npm run db:check` fail on such a table", () => {
    const scratch = mkdtempSync(path.join(tmpdir(), "trovella-distribution-"));
    try {
      const config = path.join(scratch, "drizzle.config.mjs");
      const schema = path.join(root, "test/db/fixtures/undistributable-schema.ts");
      const out = path.join(root, "drizzle");
      writeFileSync(config, `export default ${JSON.stringify({ dialect: "postgresql", schema, out })};\n`);
      const run = spawnSync(
        path.join(root, "node_modules/.bin/tsx"),
        ["src/platform/db/scripts/check-drift.ts", "--config", config],
        { cwd: root, encoding: "utf8", timeout: 60_000 },
      );
      expect(run.status).toBe(1);
      for (const problem of badTableProblems) expect(run.stderr).toContain(problem);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }, 60_000);
});
