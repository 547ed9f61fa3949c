import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "./support/stack.js";

// Docker cannot run on the development machines or in CI, so the image and the compose stack are checked by
// reading them: every file they copy or mount exists, every npm script they run is defined, every file the
// server's command starts exists, and every runtime import of src/ is a production dependency (the image
// installs with --omit=dev).

const dockerfile = readFileSync(join(repoRoot, "Dockerfile"), "utf8");
const compose = readFileSync(join(repoRoot, "docker-compose.yml"), "utf8");
const packageJson = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as {
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
};

/** Dockerfile instructions with their continuation lines joined. */
function instructions(text: string): { keyword: string; args: string }[] {
  const joined = text.replace(/\\\n/g, " ");
  return joined
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => {
      const [keyword = "", ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: rest.join(" ") };
    });
}

/** `npm run X`, `npm start`, `npm test` in a command line, as script names. */
function npmScripts(command: string): string[] {
  const names = [...command.matchAll(/\bnpm"?,?\s*"?run"?,?\s*"?([\w:.-]+)/g)].map((m) => m[1] as string);
  if (/\bnpm"?,?\s*"?start\b/.test(command)) names.push("start");
  return names;
}

/** Files a `node …` command runs: the arguments that look like a path to a script. */
function nodeEntrypoints(command: string): string[] {
  return [...command.matchAll(/"?([\w./-]+\.(?:ts|js|mjs|cjs))"?/g)].map((m) => m[1] as string);
}

function ignoredByDockerignore(path: string): boolean {
  const file = join(repoRoot, ".dockerignore");
  if (!existsSync(file)) return false;
  const patterns = readFileSync(file, "utf8")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
  const top = path.split("/")[0] ?? path;
  return patterns.some((pattern) => pattern === path || pattern === top || pattern === `${top}/`);
}

describe("Dockerfile", () => {
  const steps = instructions(dockerfile);

  it("copies only files that exist, and none the .dockerignore leaves out", () => {
    const copies = steps.filter((step) => step.keyword === "COPY" || step.keyword === "ADD");
    expect(copies.length).toBeGreaterThan(3);
    const sources: string[] = [];
    for (const copy of copies) {
      const args = copy.args.split(/\s+/).filter((arg) => !arg.startsWith("--"));
      if (copy.args.includes("--from=")) continue; // from another stage
      sources.push(...args.slice(0, -1));
    }
    expect(sources).toEqual(expect.arrayContaining(["package.json", "package-lock.json", "src", "drizzle", "schema"]));
    for (const source of sources) {
      expect(existsSync(join(repoRoot, source)), `COPY ${source}`).toBe(true);
      expect(ignoredByDockerignore(source), `${source} is excluded by .dockerignore`).toBe(false);
    }
  });

  it("runs npm scripts that exist and starts a server file that exists", () => {
    const commands = steps.filter((step) => ["RUN", "CMD", "ENTRYPOINT"].includes(step.keyword));
    const header = dockerfile
      .split("\n")
      .filter((line) => line.startsWith("#"))
      .join("\n");
    for (const script of [...commands.flatMap((c) => npmScripts(c.args)), ...npmScripts(header)]) {
      expect(packageJson.scripts[script], `npm run ${script}`).toBeDefined();
    }
    const cmd = steps.find((step) => step.keyword === "CMD");
    const entrypoints = nodeEntrypoints(cmd?.args ?? "");
    expect(entrypoints).toEqual(["src/main.ts"]);
    for (const entry of entrypoints) expect(existsSync(join(repoRoot, entry)), entry).toBe(true);
  });

  it("runs as a non-root user, with a health check on a route the server serves", () => {
    const user = steps.filter((step) => step.keyword === "USER").pop();
    expect(user?.args).toBe("node");
    const healthcheck = steps.find((step) => step.keyword === "HEALTHCHECK")?.args ?? "";
    const path = /\/(healthz|readyz)\b/.exec(healthcheck)?.[0];
    expect(path).toBeDefined();
    const app = readFileSync(join(repoRoot, "src/http/app.ts"), "utf8");
    expect(app).toContain(`pathname === "${path}"`);
    expect(dockerfile).toMatch(/FROM node:24[\w.-]* AS runtime/);
  });

  it("every package src/ imports at run time is a production dependency", () => {
    const missing = new Set<string>();
    for (const file of sourceFiles(join(repoRoot, "src"))) {
      const text = readFileSync(file, "utf8");
      const specifiers = [
        // No quote or backtick before `from`: SQL in a template (`from "member"`) is not an import.
        ...text.matchAll(/^import\s+(?!type\s)[^;"`]*?from\s+"([^"]+)"/gms),
        ...text.matchAll(/^export\s+(?!type\s)[^;"`]*?from\s+"([^"]+)"/gms),
        ...text.matchAll(/\bimport\(\s*"([^"]+)"\s*\)/g),
      ].map((m) => m[1] as string);
      for (const specifier of specifiers) {
        if (specifier.startsWith(".") || specifier.startsWith("node:")) continue;
        const name = specifier.startsWith("@")
          ? specifier.split("/").slice(0, 2).join("/")
          : (specifier.split("/")[0] ?? specifier);
        if (!packageJson.dependencies[name]) missing.add(`${name} (${relative(repoRoot, file)})`);
      }
    }
    expect([...missing], "move these to dependencies, or the image cannot load them").toEqual([]);
  });
});

describe("docker-compose.yml", () => {
  it("mounts files that exist", () => {
    const mounts = [...compose.matchAll(/^\s*-\s*"?(\.\/[^:"\s]+):/gm)].map((m) => m[1] as string);
    expect(mounts.length).toBeGreaterThan(0);
    for (const mount of mounts) expect(existsSync(join(repoRoot, mount)), mount).toBe(true);
  });

  it("builds from a Dockerfile that exists, and runs npm scripts that exist", () => {
    for (const match of compose.matchAll(/^\s*build:\s*(\S+)/gm)) {
      expect(existsSync(join(repoRoot, match[1] as string, "Dockerfile"))).toBe(true);
    }
    const commands = [...compose.matchAll(/^\s*command:\s*(.+)$/gm)].map((m) => m[1] as string);
    expect(commands.flatMap(npmScripts)).toEqual(["db:migrate"]);
    for (const script of commands.flatMap(npmScripts)) {
      expect(packageJson.scripts[script], `npm run ${script}`).toBeDefined();
    }
  });

  it("sets only variables the configuration knows (documented in docs/configuration.md)", () => {
    const configuration = readFileSync(join(repoRoot, "docs/configuration.md"), "utf8");
    const gateway = /\n {2}gateway:\n([\s\S]*?)(?:\n {2}\w|\nvolumes:)/.exec(compose)?.[1] ?? "";
    const environment = /environment:\n((?: {6}.+\n)+)/.exec(`${gateway}\n`)?.[1] ?? "";
    const names = [...environment.matchAll(/^ {6}([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1] as string);
    expect(names).toEqual(expect.arrayContaining(["NODE_ENV", "APP_DATABASE_URL", "BETTER_AUTH_SECRET"]));
    for (const name of names) {
      expect(configuration.includes(`| \`${name}\``), `${name} in docs/configuration.md`).toBe(true);
    }
    // Docker's default stop timeout (10 s) would kill a draining gateway before SHUTDOWN_TIMEOUT_MS.
    const grace = /stop_grace_period:\s*(\d+)s/.exec(gateway)?.[1];
    const drain = /SHUTDOWN_TIMEOUT_MS:\s*"(\d+)"/.exec(gateway)?.[1];
    expect(Number(grace) * 1000).toBeGreaterThan(Number(drain));
  });
});

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith(".ts") ? [path] : [];
  });
}

describe("patched dependencies (patches/, applied by npm's postinstall)", () => {
  const patchDirectory = join(repoRoot, "patches");
  const patches = readdirSync(patchDirectory).filter((name) => name.endsWith(".patch"));

  it("every patch is installed: each line it adds is in the file it patches", () => {
    expect(patches.length).toBeGreaterThan(0);
    expect(packageJson.scripts.postinstall).toBe("patch-package --error-on-warn");
    expect(packageJson.dependencies["patch-package"], "the image installs without devDependencies").toBeDefined();
    for (const name of patches) {
      const text = readFileSync(join(patchDirectory, name), "utf8");
      for (const section of text.split(/^diff --git /m).slice(1)) {
        const file = /^\+\+\+ b\/(\S+)/m.exec(section)?.[1];
        expect(file, name).toBeDefined();
        const installed = readFileSync(join(repoRoot, file as string), "utf8");
        const added = section
          .split("\n")
          .filter((line) => line.startsWith("+") && !line.startsWith("+++"))
          .map((line) => line.slice(1));
        expect(added.length, `${name}: ${file}`).toBeGreaterThan(0);
        for (const line of added) expect(installed, `${file} lacks: ${line}`).toContain(line);
      }
    }
  });
});
