import { z } from "zod";

// The schema of one environment variable: a zod transform from its text to its value, reporting what is wrong
// in one sentence that names the variable. A bad value is reported and replaced by the default, so that one
// start reports every problem at once and the rules that look at several variables still see typed values.
// `reader.integer("PORT", …)` returns `{ PORT: schema }`, spread into the shape of an area's variables.

/** A variable as the schema receives it: trimmed, undefined when unset or blank. */
export type RawValue = string | undefined;

/** One variable, keyed by its name. */
export type Variable<N extends string, T> = { [K in N]: z.ZodType<T, RawValue> };

/** What the variables of an area parse to, keyed by variable name. */
export type Values<Shape extends Record<string, z.ZodType<unknown, RawValue>>> = {
  [K in keyof Shape]: z.output<Shape[K]>;
};

/** Records one problem (a sentence naming the variable; never the value of a secret). */
export type Report = (problem: string) => void;

/** The environment as the schemas read it: each variable of `names`, trimmed, undefined when blank. */
export function presentValues(env: NodeJS.ProcessEnv, names: readonly string[]): Record<string, RawValue> {
  return Object.fromEntries(names.map((name) => [name, present(env[name])]));
}

function present(value: string | undefined): RawValue {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === "" ? undefined : trimmed;
}

function variable<N extends string, T>(name: N, read: (raw: RawValue, report: Report) => T): Variable<N, T> {
  // A transform's output type is Awaited<T>: T is never a promise here.
  const schema = z
    .string()
    .optional()
    .transform((raw, ctx) => read(raw, (problem) => ctx.addIssue({ code: "custom", message: problem }))) as z.ZodType<
    T,
    RawValue
  >;
  return { [name]: schema } as Variable<N, T>;
}

/** A whole number from min to max, or undefined when `raw` is not one. */
export function wholeNumber(raw: string, min: number, max: number): number | undefined {
  const value = Number(raw);
  return /^-?\d+$/.test(raw) && Number.isSafeInteger(value) && value >= min && value <= max ? value : undefined;
}

function readInteger(name: string, raw: RawValue, report: Report, fallback: number, min: number, max: number) {
  if (raw === undefined) return fallback;
  const value = wholeNumber(raw, min, max);
  if (value === undefined) report(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  return value ?? fallback;
}

export function readNumber(name: string, raw: RawValue, report: Report, fallback: number, min: number, max: number) {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) {
    report(`${name} must be a number from ${min} to ${max}, got "${raw}"`);
    return fallback;
  }
  return value;
}

/** An absolute http(s) URL. The value is not echoed: URLs may carry credentials. */
export function readHttpUrl(name: string, raw: RawValue, report: Report, example: string): string | undefined {
  if (raw === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    report(`${name} must be an absolute URL like ${example}, got something that is not a URL`);
    return undefined;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    report(`${name} must be an http:// or https:// URL, got "${url.protocol}//…"`);
    return undefined;
  }
  return raw;
}

/** A postgres:// URL. The value is not echoed: it usually carries a password. */
function readDatabaseUrl(name: string, raw: RawValue, report: Report): string | undefined {
  if (raw === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    report(`${name} must be a postgres:// URL, got something that is not a URL`);
    return undefined;
  }
  if (url.protocol !== "postgres:" && url.protocol !== "postgresql:") {
    report(`${name} must start with postgres:// or postgresql://, got "${url.protocol}//…"`);
    return undefined;
  }
  if (url.hostname === "" && !url.searchParams.has("host")) {
    report(`${name} names no host (postgres://user@host:5432/database)`);
    return undefined;
  }
  return raw;
}

/** The schema builders, one per kind of variable. Named `reader` so each call names the variable it reads. */
export const reader = {
  integer: <N extends string>(name: N, fallback: number, min: number, max: number) =>
    variable(name, (raw, report) => readInteger(name, raw, report, fallback, min, max)),

  /** Undefined when unset. */
  optionalInteger: <N extends string>(name: N, min: number, max: number) =>
    variable(name, (raw, report): number | undefined =>
      raw === undefined ? undefined : readInteger(name, raw, report, min, min, max),
    ),

  number: <N extends string>(name: N, fallback: number, min: number, max: number) =>
    variable(name, (raw, report) => readNumber(name, raw, report, fallback, min, max)),

  boolean: <N extends string>(name: N, fallback: boolean) =>
    variable(name, (raw, report) => {
      const lower = raw?.toLowerCase();
      if (lower === undefined) return fallback;
      if (["true", "1", "yes", "on"].includes(lower)) return true;
      if (["false", "0", "no", "off"].includes(lower)) return false;
      report(`${name} must be true or false, got "${raw}"`);
      return fallback;
    }),

  oneOf: <N extends string, T extends string>(name: N, fallback: T, allowed: readonly T[]) =>
    variable(name, (raw, report): T => {
      if (raw === undefined) return fallback;
      if ((allowed as readonly string[]).includes(raw)) return raw as T;
      report(`${name} must be one of ${allowed.join(", ")}, got "${raw}"`);
      return fallback;
    }),

  /** Any text; the fallback when unset. */
  text: <N extends string>(name: N, fallback: string) => variable(name, (raw) => raw ?? fallback),

  /** Any text, undefined when unset (secrets, or values another rule checks). */
  optionalText: <N extends string>(name: N) => variable(name, (raw) => raw),

  httpUrl: <N extends string>(name: N, example: string) =>
    variable(name, (raw, report) => readHttpUrl(name, raw, report, example)),

  databaseUrl: <N extends string>(name: N) => variable(name, (raw, report) => readDatabaseUrl(name, raw, report)),

  /** Comma-separated entries; `check` reports each bad one. */
  list: <N extends string>(name: N, check: (entry: string, report: Report) => void) =>
    variable(name, (raw, report) => {
      const entries = (raw ?? "")
        .split(",")
        .map((entry) => entry.trim())
        .filter((entry) => entry !== "");
      for (const entry of entries) check(entry, report);
      return entries;
    }),

  /** A variable with a reading of its own. */
  custom: <N extends string, T>(name: N, read: (raw: RawValue, report: Report) => T) => variable(name, read),
};
