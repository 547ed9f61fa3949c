import { readFileSync } from "node:fs";
import { usePersistedOperations } from "@graphql-yoga/plugin-persisted-operations";
import type { GraphQLParams, Plugin } from "graphql-yoga";
import type { ErrorCode } from "../platform/errors.js";

// Trusted documents: with TRUSTED_DOCUMENTS on, /graphql executes only operations whose hash is in the
// allowlist that `npm run codegen` writes from test/operations/*.graphql (persisted-documents.json:
// { "<sha256>": "<document>" }). Clients send the hash as `documentId` or as Apollo's
// `extensions.persistedQuery.sha256Hash`, no query text. An unknown hash is TRUSTED_DOCUMENT_NOT_FOUND; a
// free-form query is TRUSTED_DOCUMENT_REQUIRED. Development (GraphiQL) may still allow free-form queries.

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

/** The document hash a request names: `documentId` (GraphQL over HTTP), else Apollo's persistedQuery extension. */
function documentIdOf(params: GraphQLParams): string | null {
  const documentId = (params as GraphQLParams & { documentId?: unknown }).documentId;
  if (typeof documentId === "string" && documentId !== "") return documentId;
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
