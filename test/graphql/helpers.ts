import { expect } from "vitest";
import { decodeGlobalId, type GraphQLResponse } from "../support/gateway.js";

// Shapes and small helpers shared by the GraphQL tests.

export const acme = "demo-org-acme";
export const globex = "demo-org-globex";
export const initech = "demo-org-initech";

export interface PageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}

export interface Page<T> {
  totalCount?: number;
  nodes: T[];
  edges?: { cursor: string; node: T }[];
  pageInfo?: PageInfo;
}

export interface WithId {
  id: string;
}

/** The data of a response that must have succeeded; fails the test with the errors otherwise. */
export function dataOf<TData>(response: GraphQLResponse<TData>): TData {
  expect(response.errors, `unexpected errors: ${JSON.stringify(response.errors)}`).toBeUndefined();
  expect(response.status).toBe(200);
  const data = response.data;
  if (data === null || data === undefined) throw new Error(`no data in ${JSON.stringify(response.body)}`);
  return data;
}

/** The database id inside a Relay global id. */
export function rawId(globalId: string): string {
  return decodeGlobalId(globalId).id;
}

/** The database ids of a list of nodes. */
export function rawIds(nodes: readonly WithId[]): string[] {
  return nodes.map((node) => rawId(node.id));
}

/** Groups rows by a key, keeping their order. */
export function groupBy<T>(rows: readonly T[], key: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const k = key(row);
    const group = groups.get(k);
    if (group) group.push(row);
    else groups.set(k, [row]);
  }
  return groups;
}

/** The statements of an operation that carry its data: not the transaction's own setup. */
export function dataStatements(statements: readonly string[]): string[] {
  return statements.filter((statement) => !isTransactionSetup(statement));
}

/**
 * The access mode (`begin read only|read write` on PostgreSQL, drizzle's `set transaction …` on PGlite) and the
 * set_config call of withTenantContext().
 */
export function isTransactionSetup(statement: string): boolean {
  const text = statement.trim().toLowerCase();
  return text.startsWith("set transaction") || text.startsWith("begin") || /^select\s+set_config\('role'/.test(text);
}
