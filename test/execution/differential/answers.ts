import { isDeepStrictEqual } from "node:util";

// What the differential test compares of an answer: `data` (and whether the key is there at all) and each
// error's message, path, locations and extensions, in order. The request id in an error's extensions names
// the request, so it is left out.

export interface AnswerError {
  message?: unknown;
  path?: unknown;
  locations?: unknown;
  extensions?: Record<string, unknown>;
}

export interface Answer {
  data?: unknown;
  errors?: AnswerError[];
}

interface Comparable {
  hasData: boolean;
  data: unknown;
  errors: { message: unknown; path: unknown; locations: unknown; extensions: Record<string, unknown> }[];
}

function comparable(answer: Answer): Comparable {
  return {
    hasData: "data" in answer,
    data: answer.data ?? null,
    errors: (answer.errors ?? []).map((error) => {
      const { requestId: _requestId, ...extensions } = error.extensions ?? {};
      return {
        message: error.message,
        path: error.path ?? null,
        locations: error.locations ?? null,
        extensions,
      };
    }),
  };
}

const uuid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
const instant = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

function decoded(text: string): string {
  return /^[A-Za-z0-9+/]+=*$/.test(text) ? Buffer.from(text, "base64").toString("utf8") : "";
}

/** A value a mutation makes anew on each run: a row's random id (raw, in a Relay id or a cursor), a time, a token. */
function isFresh(text: string): boolean {
  return uuid.test(text) || instant.test(text) || text.startsWith("trv_") || uuid.test(decoded(text));
}

export interface Leeway {
  /** Mutations: fresh ids, times and tokens may differ, consistently (see below). */
  freshValues: boolean;
  /**
   * Against plain graphql-js: Yoga executes with @graphql-tools/executor, whose variable errors print the
   * refused value one level deeper ("got invalid value [[[[Array]]]]" where graphql-js prints "[[[Array]]]",
   * `list: ["a", 1, null]` where it prints `list: [Array]`). Only that printed value may differ.
   */
  printedValueDepth: boolean;
}

const printedValue = /got invalid value [\s\S]* at "/;

/**
 * Where `actual` differs from `expected`. With `freshValues` (mutations: each executor wrote its own rows, then
 * rolled back), two different strings that are both fresh values are alike when each expected id always
 * stands for the same actual one (times and tokens need only be times and tokens on both sides).
 */
export function differences(expected: Answer, actual: Answer, leeway: Leeway): string[] {
  const freshValues = leeway.freshValues;
  const found: string[] = [];
  const ids = new Map<string, string>();
  const walk = (a: unknown, b: unknown, path: string) => {
    if (found.length >= 5) return;
    if (typeof a === "string" && typeof b === "string" && a !== b && freshValues && isFresh(a) && isFresh(b)) {
      const idLike = uuid.test(a) || uuid.test(decoded(a));
      if (!idLike) return;
      const known = ids.get(a);
      if (known === undefined) ids.set(a, b);
      else if (known !== b) found.push(`${path}: ${JSON.stringify(a)} stood for ${known} before, now for ${b}`);
      return;
    }
    if (Array.isArray(a) && Array.isArray(b)) {
      if (a.length !== b.length) found.push(`${path}: ${a.length} items expected, got ${b.length}`);
      for (let i = 0; i < Math.min(a.length, b.length); i++) walk(a[i], b[i], `${path}[${i}]`);
      return;
    }
    if (a && b && typeof a === "object" && typeof b === "object" && !Array.isArray(a) && !Array.isArray(b)) {
      const keysA = Object.keys(a);
      const keysB = Object.keys(b);
      if (!isDeepStrictEqual(keysA, keysB))
        found.push(`${path}: keys ${keysA.join(",")} expected, got ${keysB.join(",")}`);
      for (const key of keysA) {
        if (key in b) walk((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], `${path}.${key}`);
      }
      return;
    }
    const onlyElisionDiffers =
      leeway.printedValueDepth &&
      path.endsWith(".message") &&
      typeof a === "string" &&
      typeof b === "string" &&
      a.startsWith("Variable ") &&
      a.replace(printedValue, 'got invalid value … at "') === b.replace(printedValue, 'got invalid value … at "');
    if (!onlyElisionDiffers && !isDeepStrictEqual(a, b))
      found.push(`${path}: ${JSON.stringify(a)?.slice(0, 200)} expected, got ${JSON.stringify(b)?.slice(0, 200)}`);
  };
  const [left, right] = [comparable(expected), comparable(actual)];
  if (nulledByRootError(left) && nulledByRootError(right)) {
    // A non-null root field failed and nulled `data`. The spec lets an executor stop at that first error or
    // go on with the sibling fields: graphql-js stops (one error), graphql-jit reports every failing root field.
    // The answers are alike when one executor's errors are among the other's.
    const [fewer, more] = left.errors.length <= right.errors.length ? [left, right] : [right, left];
    const reported = new Set(more.errors.map((error) => JSON.stringify(error)));
    for (const error of fewer.errors) {
      if (!reported.has(JSON.stringify(error)))
        found.push(`answer.errors: ${JSON.stringify(error).slice(0, 200)} only once`);
    }
    return found;
  }
  walk(left, right, "answer");
  return found;
}

/** An answer whose `data` is null because a non-null root field failed: it has errors, each at a root field. */
function nulledByRootError(answer: Comparable): boolean {
  return (
    answer.hasData &&
    answer.data === null &&
    answer.errors.length > 0 &&
    answer.errors.every((error) => Array.isArray(error.path) && error.path.length === 1)
  );
}
