import path from "node:path";
import ts from "typescript";

// The import boundary around the database: outside src/db/, code reaches the database only through
// src/db/index.ts (the Database class and withTenantContext), never a raw driver or an internal src/db module.
// src/auth/ may also import src/db/identity.ts (Better Auth's own handle).

export const RAW_DRIVERS = ["postgres", "@electric-sql/pglite", "drizzle-orm/postgres-js", "drizzle-orm/pglite"];

export interface SourceFile {
  /** Path relative to the repository root, with forward slashes (e.g. "src/graphql/server.ts"). */
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

/** The repository-relative module a relative specifier points at, without extension ("src/db/index"). */
function resolveRelative(fromFile: string, specifier: string): string {
  const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(fromFile), specifier));
  return resolved.replace(/\.(js|ts|mjs|mts|cjs|cts)$/, "");
}

export function boundaryViolations(files: SourceFile[]): string[] {
  const violations: string[] = [];
  for (const file of files) {
    if (file.path.startsWith("src/db/")) continue;
    const inAuth = file.path.startsWith("src/auth/");
    for (const specifier of importSpecifiers(file.source)) {
      if (isRawDriver(specifier)) {
        violations.push(
          `${file.path}: imports the raw driver "${specifier}" (open the database through src/db/index.ts)`,
        );
        continue;
      }
      if (!specifier.startsWith(".")) continue;
      const target = resolveRelative(file.path, specifier);
      if (target !== "src/db" && !target.startsWith("src/db/")) continue;
      const allowed = target === "src/db" || target === "src/db/index" || (inAuth && target === "src/db/identity");
      if (!allowed) {
        violations.push(
          `${file.path}: imports "${specifier}" (${target}.ts), an internal src/db module; import from src/db/index.ts${
            inAuth ? " or src/db/identity.ts" : ""
          }`,
        );
      }
    }
  }
  return violations;
}
