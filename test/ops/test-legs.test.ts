import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

// vitest.config.ts leaves the files on a throwaway PostgreSQL cluster out of the embedded leg (they do not use
// the backend under test, and the real-server leg runs them). A new such file must be listed there, or a
// newcomer's `npm test` runs it twice as long as it needs to; a listed file that no longer starts a cluster
// would be left out of the embedded leg for nothing.

const repoRoot = join(import.meta.dirname, "..", "..");

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(path);
    return entry.name.endsWith(".test.ts") ? [relative(repoRoot, path)] : [];
  });
}

describe("test legs", () => {
  it("vitest.config.ts lists exactly the test files that start a throwaway cluster", () => {
    const config = readFileSync(join(repoRoot, "vitest.config.ts"), "utf8");
    const listed = [...config.matchAll(/^\s*"(test\/[^"]+\.test\.ts)",$/gm)].map((m) => m[1]).sort();
    const startingCluster = testFiles(join(repoRoot, "test"))
      .filter((file) => /await startCluster\(/.test(readFileSync(join(repoRoot, file), "utf8")))
      .sort();
    expect(startingCluster.length).toBeGreaterThan(0);
    expect(listed).toEqual(startingCluster);
  });
});
