import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { boundaryViolations, importSpecifiers, type SourceFile } from "../support/import-boundaries.js";

// Code outside src/db/ must not reach the database around the tenant door: no raw driver, no internal src/db
// module (src/db/internal.ts hands out the raw handles). Only src/db/index.ts, and src/db/identity.ts for src/auth/.

const root = fileURLToPath(new URL("../..", import.meta.url));

function sourceFiles(): SourceFile[] {
  const srcDir = path.join(root, "src");
  return (readdirSync(srcDir, { recursive: true, encoding: "utf8" }) as string[])
    .filter((file) => file.endsWith(".ts") && !file.endsWith(".d.ts"))
    .map((file) => {
      const relative = path.posix.join("src", file.split(path.sep).join("/"));
      return { path: relative, source: readFileSync(path.join(srcDir, file), "utf8") };
    })
    .sort((a, b) => a.path.localeCompare(b.path));
}

describe("database import boundaries", () => {
  it("no file outside src/db/ imports a raw driver or an internal src/db module", () => {
    const files = sourceFiles();
    const outside = files.filter((f) => !f.path.startsWith("src/db/"));
    expect(outside.length).toBeGreaterThan(0);
    // Not vacuous: some file outside src/db/ does reach the database, through the door.
    expect(outside.some((f) => importSpecifiers(f.source).some((s) => /\/db\/index\.js$/.test(s)))).toBe(true);
    const violations = boundaryViolations(files);
    expect(violations, `database boundary violations:\n  ${violations.join("\n  ")}`).toEqual([]);
  });

  describe("the scanner itself", () => {
    it.each([
      ["a raw driver", "src/graphql/server.ts", `import postgres from "postgres";`],
      ["PGlite", "src/server.ts", `import { PGlite } from "@electric-sql/pglite";`],
      ["drizzle's postgres-js driver", "src/server.ts", `import { drizzle } from 'drizzle-orm/postgres-js';`],
      ["drizzle's PGlite driver, re-exported", "src/server.ts", `export { drizzle } from "drizzle-orm/pglite";`],
      ["the raw handles", "src/graphql/context.ts", `import { connectionsOf } from "../db/internal.js";`],
      [
        "a type from the connection module",
        "src/graphql/context.ts",
        `import type { RawDatabase } from "../db/connection.js";`,
      ],
      [
        "a multi-line import of the tenant module",
        "src/graphql/a/b.ts",
        `import {\n  runInTenantContext,\n  type TenantContext,\n} from "../../db/tenant.js";`,
      ],
      ["a dynamic import", "src/main.ts", `const m = await import("./db/internal.js");`],
      ["identity outside src/auth/", "src/graphql/context.ts", `import { identityDatabase } from "../db/identity.js";`],
      ["a seed module", "src/main.ts", `export * from "./db/seed/index.js";`],
    ])("detects %s", (_label, filePath, source) => {
      expect(boundaryViolations([{ path: filePath, source }])).toHaveLength(1);
    });

    it.each([
      ["the door", "src/graphql/context.ts", `import { Database, type TenantTransaction } from "../db/index.js";`],
      ["identity from src/auth/", "src/auth/better-auth.ts", `import { identityDatabase } from "../db/identity.js";`],
      ["anything inside src/db/", "src/db/database.ts", `import postgres from "postgres";\nimport "./internal.js";`],
      ["drizzle itself", "src/graphql/schema.ts", `import { sql } from "drizzle-orm";\nimport "drizzle-orm/pg-core";`],
      ["a similarly named folder", "src/graphql/x.ts", `import "./db/internal.js";\nimport "../dbx/internal.js";`],
    ])("allows %s", (_label, filePath, source) => {
      expect(boundaryViolations([{ path: filePath, source }])).toEqual([]);
    });
  });
});
