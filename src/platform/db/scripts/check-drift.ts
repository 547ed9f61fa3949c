// npm run db:check — fails (exit 1) when schema/ and drizzle/ disagree.
//
// 1. `drizzle-kit check`: the migrations folder is consistent (snapshots chain, no commutativity conflicts).
// 2. `drizzle-kit generate --explain --output json`: a dry run of what generate would write for the current
//    schema. Anything but "no_changes" is drift: someone changed schema/ without `npm run db:generate`, or
//    edited drizzle/ by hand. For extra safety the dry run points at a temporary copy of drizzle/ through a
//    temporary config, so nothing can ever be written into the real folder.
//
// 0. The distribution rule (./distribution-keys.ts) on the tables the config's schema exports: tenant tables'
//    primary keys and unique constraints include organization_id, and their indexes lead with it unless
//    schema/distribution.ts says why not. Checked first: it needs no drizzle-kit run.
//
// Run from the project root (npm does). `--config <file>` picks another drizzle config (default drizzle.config.ts).
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { childProcessEnvironment } from "../../config/index.js";
import { distributionKeyProblems, tablesAmong } from "./distribution-keys.js";

const root = process.cwd();
const configArg = process.argv.indexOf("--config");
const configPath = path.resolve(root, configArg >= 0 ? (process.argv[configArg + 1] ?? "") : "drizzle.config.ts");
const drizzleKit = path.join(root, "node_modules", ".bin", "drizzle-kit");
const timeoutMs = 120_000;

function fail(message: string): never {
  console.error(`db:check: ${message}`);
  process.exit(1);
}

function run(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(drizzleKit, args, {
    cwd: root,
    encoding: "utf8",
    // No terminal: drizzle-kit must never wait for an answer (renames are reported as missing hints instead).
    stdio: ["ignore", "pipe", "pipe"],
    timeout: timeoutMs,
    env: childProcessEnvironment({ FORCE_COLOR: "0" }),
  });
  const problem = result.error ? `\ncould not run drizzle-kit ${args[0]}: ${result.error.message}` : "";
  return { status: result.status, stdout: result.stdout ?? "", stderr: `${result.stderr ?? ""}${problem}` };
}

interface DrizzleConfig {
  out?: string;
  schema?: string | string[];
  [key: string]: unknown;
}

const loaded = (await import(pathToFileURL(configPath).href)) as { default?: DrizzleConfig };
const config = loaded.default;
if (!config) fail(`${configPath} has no default export`);
const migrationsDir = path.resolve(root, config.out ?? "drizzle");
const listing = () => readdirSync(migrationsDir, { recursive: true, encoding: "utf8" }).sort().join("\n");
const before = listing();

// 0. Keys and indexes a database distributed by organization_id accepts.
const schemaFiles = [config.schema ?? []].flat().map((file) => path.resolve(root, file));
if (schemaFiles.length === 0) fail(`${configPath} names no schema file`);
const tables = [];
for (const file of schemaFiles) tables.push(...tablesAmong(await import(pathToFileURL(file).href)));
const keyProblems = distributionKeyProblems(tables);
if (keyProblems.length > 0) {
  fail(
    `tenant tables a database distributed by organization_id would refuse (see docs/citus.md):\n${keyProblems
      .map((problem) => `  - ${problem}`)
      .join("\n")}`,
  );
}

// 1. Consistency of drizzle/ itself.
const check = run(["check", "--config", configPath]);
if (check.status !== 0) {
  fail(`drizzle-kit check failed (exit ${check.status}):\n${check.stdout}${check.stderr}`);
}

// 2. Would generate produce anything? Dry run against a temporary copy of drizzle/ (removed whatever happens).
const scratch = mkdtempSync(path.join(tmpdir(), "trovella-db-check-"));
let drift: string | undefined;
try {
  drift = dryRunGenerate(scratch);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
if (drift) fail(drift);

/** What is wrong, or undefined when generate would produce nothing. */
function dryRunGenerate(scratchDir: string): string | undefined {
  const scratchOut = path.join(scratchDir, "drizzle");
  cpSync(migrationsDir, scratchOut, { recursive: true });
  const scratchConfig = path.join(scratchDir, "drizzle.config.mjs");
  writeFileSync(scratchConfig, `export default ${JSON.stringify({ ...config, out: scratchOut }, null, 2)};\n`);
  const generate = run(["generate", "--config", scratchConfig, "--explain", "--output", "json"]);
  const jsonLine = generate.stdout
    .split("\n")
    .reverse()
    .find((line) => line.trim().startsWith("{"));
  let report: { status?: string; statements?: unknown[]; unresolved?: unknown[] } | undefined;
  try {
    report = jsonLine ? JSON.parse(jsonLine) : undefined;
  } catch {
    report = undefined;
  }
  if (!report) {
    return `drizzle-kit generate --explain gave no JSON report (exit ${generate.status}):\n${generate.stdout}${generate.stderr}`;
  }
  if (report.status === "no_changes") return undefined;
  const details = JSON.stringify(report.statements ?? report.unresolved ?? report, null, 2);
  return (
    `schema/ and drizzle/ have drifted: drizzle-kit generate would produce a migration (status "${report.status}").\n` +
    `Run \`npm run db:generate\` and commit the new migration in drizzle/.\nPlanned changes:\n${details}`
  );
}

if (listing() !== before) fail(`${migrationsDir} changed while checking; drizzle-kit wrote into it`);
console.log(
  "db:check: tenant tables' keys and indexes lead with organization_id; schema/ and drizzle/ are in sync (drizzle-kit check passed, generate would produce nothing)",
);
