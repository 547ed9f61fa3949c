import { describe, expect, it } from "vitest";
import { type BenchMeasurement, renderReport } from "../../bench/report.js";
import { processMemoryMb } from "../../bench/systems.js";

// The bench's report gives each server's resident memory after its runs, and ours' plan-cache hit rate.

function measurement(
  system: BenchMeasurement["system"],
  memoryMb?: BenchMeasurement["memoryMb"],
  planCache?: BenchMeasurement["planCache"],
): BenchMeasurement {
  return {
    workload: "W6",
    title: "frontend page: one plan in full",
    rootFields: 1,
    system,
    load: {
      rps: 100,
      rpsPerRound: [100],
      p50: 10,
      p99: 20,
      p99Max: 20,
      errors: 0,
      requests: 1000,
      serverCpuMsPerRequest: 1,
      loadCpuMsPerRequest: 0.5,
      postgresCpuMsPerRequest: 0.5,
      serverCores: 0.1,
      loadCores: 0.05,
    },
    ...(memoryMb ? { memoryMb } : {}),
    ...(planCache ? { planCache } : {}),
  };
}

const runInfo = {
  label: "test",
  size: "tiny",
  organizations: 4,
  plans: 300,
  durationSeconds: 1,
  warmupSeconds: 0,
  connections: 10,
  rounds: 1,
  poolSize: 10,
  pinned: false,
  loadAverage: [0, 0],
  postgres: "17",
  serverNode: "v24",
  write: false,
  wallSeconds: 1,
} as const;

describe("bench report: server memory", () => {
  it("reads a process's resident memory and its peak from /proc, null for a process that is gone", () => {
    const memory = processMemoryMb(process.pid);
    expect(memory?.rss).toBeGreaterThan(1);
    expect(memory?.peak).toBeGreaterThanOrEqual(memory?.rss ?? Number.POSITIVE_INFINITY);
    expect(processMemoryMb(2 ** 30)).toBeNull();
  });

  it("has a column with each system's RSS after its runs (peak), a dash where it was not read", () => {
    const text = renderReport({
      ...runInfo,
      loadAverage: [0, 0],
      measurements: [measurement("ours", { rss: 312.4, peak: 390.6 }), measurement("postgraphile")],
    });
    expect(text).toContain("| server RSS MiB after runs (peak) |");
    expect(text).toMatch(/\| ours \|.*\| 312 \(391\) \| – \|\n/);
    expect(text).toMatch(/\| postgraphile \|.*\| – \| – \|\n/);
  });

  it("has a column with ours' plan-cache hits (misses, bypasses) during the timed runs, a dash for the others", () => {
    const text = renderReport({
      ...runInfo,
      loadAverage: [0, 0],
      measurements: [
        measurement("ours", undefined, { hit: 995, miss: 1, bypass: 4 }),
        measurement("ours_b", undefined, { hit: 0, miss: 0, bypass: 0 }),
        measurement("postgraphile"),
      ],
    });
    expect(text).toContain("| plan cache hits (miss, bypass) |");
    expect(text).toMatch(/\| ours \|.*\| 99\.5 % \(0\.1 %, 0\.4 %\) \|\n/);
    expect(text).toMatch(/\| ours_b \|.*\| 0 lookups \|\n/);
    expect(text).toMatch(/\| postgraphile \|.*\| – \|\n/);
  });
});
