import path from "node:path";
import ts from "typescript";

// Two import rules, both checked by test/db/boundaries.test.ts:
//
// 1. The database door: outside src/platform/db/, code reaches the database only through
//    src/platform/db/index.ts (the Database class and withTenantContext), never a raw driver or an internal
//    src/platform/db module. src/platform/auth/ may also import src/platform/db/identity.ts (Better Auth's handle).
// 2. The layers: a room imports only from itself and the rooms below it (README "Layout"):
//      schema/ (tables)  <  src/platform/  <  src/schema-builder/  <  src/domains/  <  src/pipeline/  <  src/http/
//    src/main.ts (the process entry) may import any room.

export const RAW_DRIVERS = ["postgres", "@electric-sql/pglite", "drizzle-orm/postgres-js", "drizzle-orm/pglite"];

/** The rooms, lowest first: each may import from itself and those before it. */
export const LAYERS = ["schema", "src/platform", "src/schema-builder", "src/domains", "src/pipeline", "src/http"];

export interface SourceFile {
  /** Path relative to the repository root, with forward slashes (e.g. "src/pipeline/limits.ts"). */
  path: string;
  source: string;
}

/** Every module specifier a file imports, re-exports, requires or imports dynamically. */
export function importSpecifiers(source: string): string[] {
  const info = ts.preProcessFile(source, true, true);
  return info.importedFiles.map((f) => f.fileName);
}

function isRawDriver(specifier: string): boolean {
  return RAW_DRIVERS.some((driver) => specifier === driver || specifier.startsWith(`${driver}/`));
}

/** The repository-relative module a relative specifier points at, without extension ("src/platform/db/index"). */
function resolveRelative(fromFile: string, specifier: string): string {
  const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(fromFile), specifier));
  return resolved.replace(/\.(js|ts|mjs|mts|cjs|cts)$/, "");
}

function isInside(modulePath: string, folder: string): boolean {
  return modulePath === folder || modulePath.startsWith(`${folder}/`);
}

/** The index in LAYERS of the room a module lives in, or -1 outside every room (src/main.ts, tests, bench). */
export function layerOf(modulePath: string): number {
  return LAYERS.findIndex((layer) => isInside(modulePath, layer));
}

const DB = "src/platform/db";

function databaseDoorViolation(file: SourceFile, specifier: string, target: string | null): string | null {
  if (isInside(file.path, DB)) return null;
  if (isRawDriver(specifier)) {
    return `${file.path}: imports the raw driver "${specifier}" (open the database through ${DB}/index.ts)`;
  }
  if (target === null || !isInside(target, DB)) return null;
  const inAuth = isInside(file.path, "src/platform/auth");
  if (target === DB || target === `${DB}/index` || (inAuth && target === `${DB}/identity`)) return null;
  return `${file.path}: imports "${specifier}" (${target}.ts), an internal ${DB} module; import from ${DB}/index.ts${
    inAuth ? ` or ${DB}/identity.ts` : ""
  }`;
}

function layerViolation(file: SourceFile, specifier: string, target: string): string | null {
  const from = layerOf(file.path);
  const to = layerOf(target);
  if (from === -1 || to === -1 || to <= from) return null;
  return `${file.path}: imports "${specifier}" from ${LAYERS[to]}/, a room above ${LAYERS[from]}/ (imports point down only)`;
}

export function boundaryViolations(files: SourceFile[]): string[] {
  const violations: string[] = [];
  for (const file of files) {
    for (const specifier of importSpecifiers(file.source)) {
      const target = specifier.startsWith(".") ? resolveRelative(file.path, specifier) : null;
      const door = databaseDoorViolation(file, specifier, target);
      if (door) violations.push(door);
      const layer = target === null ? null : layerViolation(file, specifier, target);
      if (layer) violations.push(layer);
    }
  }
  return violations;
}
