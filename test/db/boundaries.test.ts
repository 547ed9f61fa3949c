import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { boundaryViolations, importSpecifiers, type SourceFile } from "../support/import-boundaries.js";

// The import rules of test/support/import-boundaries.ts: the database door, and rooms that import downwards only.

const root = fileURLToPath(new URL("../..", import.meta.url));

function sourceFiles(): SourceFile[] {
  return ["src", "schema"]
    .flatMap((dir) =>
      (readdirSync(path.join(root, dir), { recursive: true, encoding: "utf8" }) as string[])
        .filter((file) => file.endsWith(".ts") && !file.endsWith(".d.ts"))
        .map((file) => {
          const relative = path.posix.join(dir, file.split(path.sep).join("/"));
          return { path: relative, source: readFileSync(path.join(root, dir, file), "utf8") };
        }),
    )
    .sort((a, b) => a.path.localeCompare(b.path));
}

describe("import boundaries", () => {
  it("no file imports around the database door or up a room", () => {
    const files = sourceFiles();
    const outside = files.filter((f) => !f.path.startsWith("src/platform/db/"));
    expect(outside.length).toBeGreaterThan(0);
    // Not vacuous: some file outside src/platform/db/ does reach the database, through the door.
    expect(outside.some((f) => importSpecifiers(f.source).some((s) => /\/db\/index\.js$/.test(s)))).toBe(true);
    const violations = boundaryViolations(files);
    expect(violations, `import boundary violations:\n  ${violations.join("\n  ")}`).toEqual([]);
  });

  describe("the scanner itself", () => {
    it.each([
      ["a raw driver", "src/pipeline/gateway.ts", `import postgres from "postgres";`],
      ["PGlite", "src/main.ts", `import { PGlite } from "@electric-sql/pglite";`],
      ["drizzle's postgres-js driver", "src/main.ts", `import { drizzle } from 'drizzle-orm/postgres-js';`],
      ["drizzle's PGlite driver, re-exported", "src/main.ts", `export { drizzle } from "drizzle-orm/pglite";`],
      [
        "the raw handles",
        "src/schema-builder/context.ts",
        `import { connectionsOf } from "../platform/db/internal.js";`,
      ],
      [
        "a type from the connection module",
        "src/schema-builder/loaders.ts",
        `import type { RawDatabase } from "../platform/db/connection.js";`,
      ],
      [
        "a multi-line import of the tenant module",
        "src/domains/research/queries.ts",
        `import {\n  runInTenantContext,\n  type TenantContext,\n} from "../../platform/db/tenant.js";`,
      ],
      ["a dynamic import", "src/main.ts", `const m = await import("./platform/db/internal.js");`],
      [
        "identity outside src/platform/auth/",
        "src/domains/tokens/graphql.ts",
        `import { identityDatabase } from "../../platform/db/identity.js";`,
      ],
      ["a seed module", "src/main.ts", `export * from "./platform/db/seed/index.js";`],
      ["the platform importing the pipeline", "src/platform/config/index.ts", `import "../../pipeline/limits.js";`],
      ["the schema builder importing a domain", "src/schema-builder/builder.ts", `import "../domains/ai/types.js";`],
      ["a domain importing the pipeline", "src/domains/ai/types.ts", `import "../../pipeline/budgets.js";`],
      ["the pipeline importing http", "src/pipeline/gateway.ts", `export { x } from "../http/app.js";`],
      ["tables importing the source tree", "schema/tables.ts", `import "../src/platform/errors.js";`],
    ])("detects %s", (_label, filePath, source) => {
      expect(boundaryViolations([{ path: filePath, source }])).toHaveLength(1);
    });

    it.each([
      ["the door", "src/schema-builder/context.ts", `import { Database } from "../platform/db/index.js";`],
      [
        "identity from src/platform/auth/",
        "src/platform/auth/better-auth.ts",
        `import { identityDatabase } from "../db/identity.js";`,
      ],
      [
        "anything inside src/platform/db/",
        "src/platform/db/database.ts",
        `import postgres from "postgres";\nimport "./internal.js";`,
      ],
      [
        "drizzle itself",
        "src/domains/api-schema.ts",
        `import { sql } from "drizzle-orm";\nimport "drizzle-orm/pg-core";`,
      ],
      [
        "a similarly named folder",
        "src/pipeline/x.ts",
        `import "./platform/db/internal.js";\nimport "../platform/dbx/a.js";`,
      ],
      [
        "a room importing itself and those below",
        "src/pipeline/gateway.ts",
        `import "./limits.js";\nimport "../domains/api-schema.js";\nimport "../schema-builder/builder.js";\nimport "../platform/errors.js";\nimport "../../schema/index.js";`,
      ],
      [
        "the process entry importing every room",
        "src/main.ts",
        `import "./http/server.js";\nimport "./platform/config/index.js";`,
      ],
    ])("allows %s", (_label, filePath, source) => {
      expect(boundaryViolations([{ path: filePath, source }])).toEqual([]);
    });
  });
});
