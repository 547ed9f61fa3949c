import { format } from "node:util";
import { pino } from "pino";
import { currentRequestContext } from "./request-context.js";

export type Logger = pino.Logger;

export interface LoggerOptions {
  level: string;
  /** Where lines go (tests); stdout by default. */
  destination?: pino.DestinationStream;
}

/**
 * JSON logs, one object a line, on stdout. Every line written while a request is served carries its
 * `requestId` (and, once known, the operation, organization and user), so an error log has its context.
 *
 * Credentials never reach the output, in three layers:
 * 1. redaction of the fields that could hold one (headers, `*.password`, `*.token`, …);
 * 2. errors are serialized by `serializeError`, which drops what may carry data (SQL parameters, `detail`);
 * 3. the last step before writing removes the current request's own credentials (its bearer token and
 *    cookie values) and anything shaped like a token or a URL password, wherever it appears in the line.
 */
export function createLogger(options: LoggerOptions): Logger {
  const settings: pino.LoggerOptions = {
    level: options.level,
    base: { service: "trovella-gateway" },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    messageKey: "msg",
    redact: {
      paths: [
        "req.headers.authorization",
        "req.headers.cookie",
        'req.headers["x-router-secret"]',
        'res.headers["set-cookie"]',
        "headers.authorization",
        "headers.cookie",
        "variables",
        "*.variables",
        "*.password",
        "*.token",
        "*.secret",
        "*.apiKey",
        "*.authorization",
        "*.cookie",
      ],
      censor: "[redacted]",
    },
    serializers: { err: serializeError, error: serializeError },
    mixin: requestFields,
    hooks: { streamWrite: scrubSecrets },
  };
  return options.destination ? pino(settings, options.destination) : pino(settings);
}

/** The request's identity on every line logged while serving it (fields given to the log call win). */
function requestFields(): Record<string, unknown> {
  const context = currentRequestContext();
  if (!context) return {};
  const fields: Record<string, unknown> = { requestId: context.requestId };
  const operation = context.operation;
  if (operation) {
    fields.operationName = operation.name;
    fields.organizationId = operation.organizationId;
    fields.userId = operation.userId;
  }
  return fields;
}

const tokenShapes: [RegExp, string][] = [
  // Personal access tokens (trv_…).
  [/\btrv_[A-Za-z0-9_-]{6,}/g, "trv_[redacted]"],
  // Any bearer credential.
  [/(\bBearer\s+)[^\s"\\,;]+/gi, "$1[redacted]"],
  // Passwords in connection URLs.
  [/(\b[a-z][a-z0-9+.-]*:\/\/[^:/@\s"]+:)[^@\s"]+@/gi, "$1[redacted]@"],
];

/** Exported for tests: what the logger does to each line before it is written. */
export function scrubSecrets(line: string): string {
  let result = line;
  for (const secret of currentRequestContext()?.secrets ?? []) {
    if (result.includes(secret)) result = result.replaceAll(secret, "[redacted]");
    // The same value as it appears inside a JSON string.
    const escaped = JSON.stringify(secret).slice(1, -1);
    if (escaped !== secret && result.includes(escaped)) result = result.replaceAll(escaped, "[redacted]");
  }
  for (const [pattern, replacement] of tokenShapes) result = result.replace(pattern, replacement);
  return result;
}

/** The credentials a request presents, for scrubSecrets: the Authorization value and every cookie value. */
export function credentialsOf(headers: Headers): string[] {
  const secrets: string[] = [];
  const authorization = headers.get("authorization")?.trim();
  if (authorization) {
    secrets.push(authorization);
    const credential = authorization.split(/\s+/)[1];
    if (credential) secrets.push(credential);
  }
  for (const pair of headers.get("cookie")?.split(";") ?? []) {
    const value = pair.slice(pair.indexOf("=") + 1).trim();
    if (value.length >= 8) {
      secrets.push(value);
      try {
        const decoded = decodeURIComponent(value);
        if (decoded !== value) secrets.push(decoded);
      } catch {
        // Not URI-encoded.
      }
    }
  }
  for (const name of ["x-router-secret", "x-api-key"]) {
    const value = headers.get(name)?.trim();
    if (value) secrets.push(value);
  }
  // Longest first, so a token is not half-replaced through a shorter secret inside it.
  return secrets.filter((secret) => secret.length >= 8).sort((a, b) => b.length - a.length);
}

/** PostgreSQL error fields safe to log: they name things, never carry row values. */
const postgresFields = [
  "code",
  "severity",
  "routine",
  "schema_name",
  "table_name",
  "column_name",
  "constraint_name",
] as const;

/**
 * An error as a log may show it: type, message, stack frames, PostgreSQL's code and names, and its cause.
 * Not SQL parameters (drizzle puts them in its message), nor PostgreSQL's `detail`, `where` or `hint`,
 * which can quote row values.
 */
export function serializeError(error: unknown, depth = 0): Record<string, unknown> {
  if (!(error instanceof Error)) return { type: typeof error, message: String(error) };
  const type = error.name || error.constructor.name;
  const message = safeMessage(error);
  const frames = error.stack?.split("\n").filter((line) => /^\s+at /.test(line)) ?? [];
  const serialized: Record<string, unknown> = { type, message, stack: [`${type}: ${message}`, ...frames].join("\n") };
  const record = error as unknown as Record<string, unknown>;
  for (const field of postgresFields) {
    if (typeof record[field] === "string") serialized[field] = record[field];
  }
  if ("query" in error && typeof record.query === "string" && type === "DrizzleQueryError") {
    serialized.query = record.query;
  }
  if (error.cause !== undefined && depth < 3) serialized.cause = serializeError(error.cause, depth + 1);
  return serialized;
}

function safeMessage(error: Error): string {
  if (error.name === "DrizzleQueryError" && "query" in error && typeof error.query === "string") {
    return `Failed query: ${error.query}`;
  }
  return error.message;
}

type ConsoleMethods = Pick<Console, "log" | "info" | "debug" | "warn" | "error">;

/**
 * Libraries that print on their own (Better Auth logs a failed query with its parameters, a session token
 * among them) go through the same scrubbing as our logs: console output has the current request's
 * credentials and token shapes removed. log/info/debug stay on stdout, warn/error on stderr.
 */
export function guardConsole(
  target: ConsoleMethods = console,
  streams: { out: (text: string) => void; err: (text: string) => void } = {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
  },
): void {
  const guarded =
    (write: (text: string) => void) =>
    (...args: unknown[]) =>
      write(`${scrubSecrets(format(...args))}\n`);
  target.log = guarded(streams.out);
  target.info = guarded(streams.out);
  target.debug = guarded(streams.out);
  target.warn = guarded(streams.err);
  target.error = guarded(streams.err);
}
