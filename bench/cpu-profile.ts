// CPU profiles of the servers during the timed runs (CPU_PROFILE=1): each server runs with `--cpu-prof`, and
// what it spent is summarized here for the windows in which one workload was timed against it: the samples
// outside (start-up, warm-up, the other workloads) are left out. V8 stamps samples with the same monotonic
// clock as process.hrtime, so the windows the load generator records line up with them.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** A timed run, in microseconds of the monotonic clock. */
export interface ProfileWindow {
  startUs: number;
  endUs: number;
}

export function monotonicMicros(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/** The `.cpuprofile` files V8 wrote into `directory` (one per process; a server writes one at exit). */
function profileFiles(directory: string): string[] {
  try {
    return readdirSync(directory)
      .filter((name) => name.endsWith(".cpuprofile"))
      .map((name) => join(directory, name));
  } catch {
    return [];
  }
}

/** Where a frame's time is counted: its npm package, `ours:<dir>/<file>` for the repository, or V8's own label. */
function owner(frame: ProfileNode["callFrame"]): string {
  const { url, functionName } = frame;
  const inModules = url.split("node_modules/").at(-1) ?? "";
  if (url.includes("node_modules/")) {
    const parts = inModules.split("/");
    return parts[0]?.startsWith("@") ? `${parts[0]}/${parts[1] ?? ""}` : (parts[0] ?? url);
  }
  if (url.startsWith("node:")) return url;
  if (url.startsWith("file://")) return `ours:${url.split("/").slice(-2).join("/")}`;
  return functionName ? `(${functionName.replace(/^\(|\)$/g, "")})` : "(native)";
}

/** The coarse groups the plan-cache measurement (bench/results/2026-12-05-profile.md) reads. */
function group(ownerName: string): string {
  if (ownerName === "(idle)") return "idle";
  if (ownerName === "(garbage collector)") return "garbage collector";
  if (ownerName === "graphql" || ownerName.startsWith("@graphql-tools/") || ownerName === "graphql-jit") {
    return "graphql execution (graphql, @graphql-tools, graphql-jit)";
  }
  if (ownerName.startsWith("@pothos/")) return "Pothos (@pothos/*)";
  if (ownerName === "drizzle-orm") return "drizzle-orm";
  if (ownerName === "postgres") return "postgres.js";
  if (
    ownerName.startsWith("graphql-yoga") ||
    ownerName.startsWith("@graphql-yoga/") ||
    ownerName.startsWith("@envelop/") ||
    ownerName.startsWith("@whatwg-node/")
  ) {
    return "Yoga, envelop, @whatwg-node";
  }
  if (ownerName.startsWith("ours:")) return "ours (src/)";
  if (ownerName.startsWith("node:")) return "Node.js (node:*)";
  if (ownerName.startsWith("(")) return "V8 and native (writev, microtasks, …)";
  return "other packages";
}

function frameName(frame: ProfileNode["callFrame"]): string {
  const file = frame.url.split("/").slice(-2).join("/");
  return `${frame.functionName || "(anonymous)"} ${file}:${frame.lineNumber + 1}`;
}

function top(totals: Map<string, number>, all: number, count: number): string[] {
  return [...totals]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, us]) => `| ${((100 * us) / all).toFixed(1)} % | \`${name}\` |`);
}

export interface ProfileSummary {
  /** Sampled time inside the windows that the thread was not idle. */
  busyMs: number;
  markdown: string;
}

/**
 * Self time by owner (package) and by function, over the samples inside `windows`, as Markdown. Null when no
 * sample falls inside them (a profile of another thread, say: tsx's loader has one of its own).
 */
export function summarizeProfile(file: string, windows: readonly ProfileWindow[], rows = 15): ProfileSummary | null {
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const byOwner = new Map<string, number>();
  const byGroup = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let total = 0;
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    if (!windows.some((w) => at >= w.startUs && at <= w.endUs)) return;
    const node = nodes.get(id);
    if (!node) return;
    total += delta;
    const ownerName = owner(node.callFrame);
    byOwner.set(ownerName, (byOwner.get(ownerName) ?? 0) + delta);
    const groupName = group(ownerName);
    byGroup.set(groupName, (byGroup.get(groupName) ?? 0) + delta);
    const name = frameName(node.callFrame);
    byFunction.set(name, (byFunction.get(name) ?? 0) + delta);
  });
  if (total === 0) return null;
  const markdown = [
    `${(total / 1000).toFixed(0)} ms of samples in the timed runs. Self time:`,
    "",
    "| share | group |",
    "|---|---|",
    ...top(byGroup, total, byGroup.size),
    "",
    "| share | package or file |",
    "|---|---|",
    ...top(byOwner, total, rows),
    "",
    "| share | function |",
    "|---|---|",
    ...top(byFunction, total, rows),
  ].join("\n");
  return { busyMs: (total - (byOwner.get("(idle)") ?? 0)) / 1000, markdown };
}

/** The summary of the profile in `directory` busiest inside `windows`: the server's main thread, not tsx's loader. */
export function summarizeDirectory(directory: string, windows: readonly ProfileWindow[]): ProfileSummary | null {
  let best: ProfileSummary | null = null;
  for (const file of profileFiles(directory)) {
    const summary = summarizeProfile(file, windows);
    if (summary && (!best || summary.busyMs > best.busyMs)) best = summary;
  }
  return best;
}
