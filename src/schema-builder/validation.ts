import { z } from "zod";
import { GatewayError } from "../platform/errors.js";

// Input validation before any write: one schema per input, failures become BAD_USER_INPUT naming the field.

export function parseInput<Schema extends z.ZodType>(schema: Schema, value: unknown): z.output<Schema> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue?.path.map(String).join(".") || undefined;
  throw new GatewayError(
    "BAD_USER_INPUT",
    field ? `${field}: ${issue?.message}` : (issue?.message ?? "Invalid input."),
    {
      ...(field ? { field } : {}),
      issues: result.error.issues.map((i) => ({ field: i.path.map(String).join("."), message: i.message })),
    },
  );
}

/** C0 controls and DEL, except tab, newline and carriage return. */
function hasControlCharacters(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if ((code < 32 && code !== 9 && code !== 10 && code !== 13) || code === 127) return true;
  }
  return false;
}

/** Trimmed text of 1..max characters, no control characters except newlines and tabs. */
export function text(max: number) {
  return z
    .string()
    .trim()
    .min(1, "must not be empty")
    .max(max, `must be at most ${max} characters`)
    .refine((value) => !hasControlCharacters(value), "must not contain control characters");
}

/** Optional long text: null clears it. */
export function optionalText(max: number) {
  return text(max).nullish();
}

/** An optional field of a JSONB shape that omits what is not given: null is taken as absent (undefined). */
export function optional<T extends z.ZodType>(schema: T) {
  return schema.nullish().transform((value: z.output<T> | null | undefined) => value ?? undefined);
}

/** A finite number (GraphQL Float already refuses NaN; this also bounds it). */
export function finite(min: number, max: number) {
  return z.number().finite().min(min).max(max);
}

/** A JSON object of bounded size (free-form payloads such as skill inputs). */
export function jsonObject(maxBytes: number) {
  return z
    .record(z.string(), z.unknown())
    .refine((value) => JSON.stringify(value).length <= maxBytes, `must be at most ${maxBytes} bytes of JSON`);
}
