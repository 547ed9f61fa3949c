import { readFileSync } from "node:fs";
import { usePersistedOperations } from "@graphql-yoga/plugin-persisted-operations";
import { createGraphQLError, type GraphQLParams, type Plugin } from "graphql-yoga";
import type { ErrorCode } from "../platform/errors.js";

// Trusted documents: with TRUSTED_DOCUMENTS on, /graphql executes only operations whose hash is in the
// allowlist that `npm run codegen` writes from test/operations/*.graphql (persisted-documents.json:
// { "<sha256>": "<document>" }). Clients send the hash, no query text, in the format they know: `documentId`
// (GraphQL over HTTP), `doc_id` (Relay's convention), or Apollo's `extensions.persistedQuery.sha256Hash`; in a
// POST body or, for queries, the GET URL. An unknown hash is TRUSTED_DOCUMENT_NOT_FOUND (never registered:
// no automatic persisted queries); a free-form query is TRUSTED_DOCUMENT_REQUIRED. Development (GraphiQL) may
// still allow free-form queries. With TRUSTED_DOCUMENTS off, a bare hash is PERSISTED_QUERY_NOT_SUPPORTED.

/** The request parameters that name a document, beside GraphQL's own (Yoga refuses unknown ones). */
export const documentIdParams = ["documentId", "doc_id"] as const;

export interface TrustedDocumentsOptions {
  /** Hash → document text. */
  documents: ReadonlyMap<string, string>;
  /** Also accept free-form queries (development only: GraphiQL). */
  allowArbitraryOperations: boolean;
}

/** Reads a persisted-documents.json manifest (hash → document text). */
export function loadTrustedDocuments(path: string): Map<string, string> {
  const parsed = JSON.parse(readFileSync(path, "utf8")) as unknown;
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new Error(`${path} is not a persisted-documents manifest (an object of hash → document)`);
  }
  const documents = new Map<string, string>();
  for (const [hash, document] of Object.entries(parsed)) {
    if (typeof document !== "string") throw new Error(`${path}: the document of ${hash} is not a string`);
    documents.set(hash.replace(/^sha256:/, ""), document);
  }
  return documents;
}

/** The document hash a request names: `documentId` or `doc_id` (body, or a GET's URL), else Apollo's extension. */
function documentIdOf(params: GraphQLParams, request: Request): string | null {
  const named = params as GraphQLParams & Partial<Record<(typeof documentIdParams)[number], unknown>>;
  const search = request.method === "GET" ? new URL(request.url).searchParams : null;
  for (const param of documentIdParams) {
    const value = named[param] ?? search?.get(param);
    if (typeof value === "string" && value !== "") return value;
  }
  const persistedQuery = params.extensions?.persistedQuery as { sha256Hash?: unknown } | undefined;
  return typeof persistedQuery?.sha256Hash === "string" ? persistedQuery.sha256Hash : null;
}

export function useTrustedDocuments(options: TrustedDocumentsOptions): Plugin {
  return usePersistedOperations({
    extractPersistedOperationId: documentIdOf,
    getPersistedOperation: (key) => options.documents.get(key.replace(/^sha256:/, "")) ?? null,
    allowArbitraryOperations: options.allowArbitraryOperations,
    customErrors: {
      notFound: {
        message: "This operation is not a trusted document: send the hash of an operation from the allowlist.",
        extensions: { code: "TRUSTED_DOCUMENT_NOT_FOUND" satisfies ErrorCode, http: { status: 400 } },
      },
      persistedQueryOnly: {
        message: "Only trusted documents are accepted here: send a document hash (documentId), not a query.",
        extensions: { code: "TRUSTED_DOCUMENT_REQUIRED" satisfies ErrorCode, http: { status: 400 } },
      },
      keyNotFound: {
        message: "Only trusted documents are accepted here: send a document hash (documentId), not a query.",
        extensions: { code: "TRUSTED_DOCUMENT_REQUIRED" satisfies ErrorCode, http: { status: 400 } },
      },
    },
  });
}

/**
 * With trusted documents off: a request that names a hash without the query text is told so, with the code
 * Apollo's persisted-queries link understands (it then sends the text from there on). Requests with text run.
 */
export function usePersistedDocumentsOff(): Plugin {
  return {
    onParams({ params, request }) {
      if (params.query || documentIdOf(params, request) === null) return;
      throw createGraphQLError("Persisted documents are off on this server (TRUSTED_DOCUMENTS): send the query text.", {
        extensions: { code: "PERSISTED_QUERY_NOT_SUPPORTED" satisfies ErrorCode, http: { status: 400 } },
      });
    },
  };
}
