// The pieces every workload is written with: how a request is sent to each API flavor, and how an answer is
// taken apart and normalized (raw row ids, ISO instants, lower-case enum values) so that systems compare.

/** Which API a system speaks: ours_b and ours_pgbouncer speak ours; yoga_floor speaks ours' documents with raw row ids. */
export type Flavor = "ours" | "postgraphile" | "baseline" | "yoga_floor";

export interface RequestBody {
  path: string;
  body: string;
}

export type Json = Record<string, unknown>;

export function graphql(query: string, variables: Json = {}): RequestBody {
  return { path: "/graphql", body: JSON.stringify({ query, variables }) };
}

export function baseline(path: string, variables: Json = {}): RequestBody {
  return { path, body: JSON.stringify(variables) };
}

export function globalId(type: string, id: string): string {
  return Buffer.from(`${type}:${id}`, "utf8").toString("base64");
}

export function rawId(system: Flavor, id: unknown): string {
  if (typeof id !== "string") throw new Error(`${system}: id is not a string: ${JSON.stringify(id)}`);
  if (system !== "ours") return id;
  const decoded = Buffer.from(id, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) throw new Error(`ours: "${id}" is not a global id`);
  return decoded.slice(colon + 1);
}

export function obj(value: unknown, what: string): Json {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new Error(`expected an object for ${what}, got ${JSON.stringify(value)?.slice(0, 300)}`);
  }
  return value as Json;
}

export function list(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value))
    throw new Error(`expected a list for ${what}, got ${JSON.stringify(value)?.slice(0, 300)}`);
  return value;
}

export function instant(value: unknown): string {
  return new Date(String(value)).toISOString();
}

export function lower(value: unknown): string {
  return String(value).toLowerCase();
}

/** `data` of a response, or an error naming the response's errors. */
export function dataOf(system: Flavor, response: unknown): Json {
  const body = obj(response, `${system} response`);
  if (body.errors !== undefined) throw new Error(`${system} answered errors: ${JSON.stringify(body.errors)}`);
  return obj(body.data, `${system} data`);
}

export const idField = (system: Flavor) => (system === "postgraphile" ? "rowId" : "id");
