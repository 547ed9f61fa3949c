import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { summarizeDirectory } from "../../bench/cpu-profile.js";

// `CPU_PROFILE=1 npm run bench` summarizes the servers' V8 CPU profiles per workload: only the samples taken
// while that workload was timed count, and of a server's profiles (tsx's loader thread writes one too) the
// busiest one is the server's.

const frame = (functionName: string, url: string) => ({ functionName, url, lineNumber: 0, columnNumber: 0 });

/** Samples 10 ms apart from t = 1 000 000 µs, each on the node named for it. */
function profile(samples: string[]) {
  const names = [...new Set(samples)];
  const urls: Record<string, string> = {
    build: "file:///app/node_modules/postgres/src/connection.js",
    toSQL: "file:///app/node_modules/drizzle-orm/pg-core/dialect.js",
    route: "file:///app/src/http/app.ts",
  };
  return {
    nodes: [
      { id: 1, callFrame: frame("(root)", ""), children: names.map((_, i) => i + 2) },
      ...names.map((name, i) => ({ id: i + 2, callFrame: frame(name, urls[name] ?? "") })),
    ],
    startTime: 1_000_000,
    endTime: 1_000_000 + samples.length * 10_000,
    samples: samples.map((name) => names.indexOf(name) + 2),
    timeDeltas: samples.map(() => 10_000),
  };
}

describe("bench CPU profile summary", () => {
  it("counts only the samples inside the timed windows, by package and by function", () => {
    const directory = mkdtempSync(join(tmpdir(), "cpu-profile-"));
    // Start-up (drizzle), then the timed run (postgres twice, ours once, idle once), then shutdown (drizzle).
    writeFileSync(
      join(directory, "CPU.main.cpuprofile"),
      JSON.stringify(profile(["toSQL", "toSQL", "build", "build", "route", "(idle)", "toSQL"])),
    );
    // tsx's loader thread: idle the whole time.
    writeFileSync(
      join(directory, "CPU.loader.cpuprofile"),
      JSON.stringify(profile(["(idle)", "(idle)", "(idle)", "(idle)", "(idle)", "(idle)", "(idle)"])),
    );
    const summary = summarizeDirectory(directory, [{ startUs: 1_025_000, endUs: 1_065_000 }]);
    expect(summary?.busyMs).toBe(30);
    expect(summary?.markdown).toContain("40 ms of samples in the timed runs");
    expect(summary?.markdown).toContain("| 50.0 % | `postgres` |");
    expect(summary?.markdown).toContain("| 25.0 % | `ours:http/app.ts` |");
    expect(summary?.markdown).toContain("| 25.0 % | `(idle)` |");
    expect(summary?.markdown).not.toContain("drizzle-orm");
  });

  it("has nothing to say when no sample falls in a window", () => {
    const directory = mkdtempSync(join(tmpdir(), "cpu-profile-"));
    writeFileSync(join(directory, "CPU.main.cpuprofile"), JSON.stringify(profile(["build"])));
    expect(summarizeDirectory(directory, [{ startUs: 5_000_000, endUs: 6_000_000 }])).toBeNull();
    expect(summarizeDirectory(join(directory, "missing"), [{ startUs: 0, endUs: 1 }])).toBeNull();
  });
});
