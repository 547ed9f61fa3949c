import { createGraphQLError, type Plugin } from "graphql-yoga";
import type { ErrorCode } from "../platform/errors.js";

// CSRF prevention, as @graphql-yoga/plugin-csrf-prevention does it, with a coded refusal. A browser sends a
// cross-site GET, or a POST with a form-like Content-Type, without a CORS preflight: the server would run it
// with the visitor's cookies before CORS is ever asked. Any other Content-Type, or any header a page cannot set
// without a preflight, proves the request was preflighted (or did not come from a browser). So a GET must carry
// one of the headers below; JSON POSTs need nothing. What each client sends: docs/clients.md.

/**
 * Headers that force a preflight and that well-known clients are told to send: ours, Yoga's default name, and
 * the two Apollo Server accepts (Apollo Kotlin and iOS send `x-apollo-operation-name` on their own). Any value.
 */
export const csrfHeaders = [
  "x-graphql-csrf",
  "x-graphql-yoga-csrf",
  "apollo-require-preflight",
  "x-apollo-operation-name",
] as const;

/** The Content-Types a page may send without a preflight (the CORS-safelisted ones). */
const simpleContentTypes = ["application/x-www-form-urlencoded", "multipart/form-data", "text/plain"];

function wasPreflighted(contentType: string | null): boolean {
  if (!contentType) return false;
  const normalized = contentType.trim().toLowerCase();
  return !simpleContentTypes.some((simple) => normalized.startsWith(simple));
}

export function useCsrfPrevention(): Plugin {
  return {
    onRequestParse({ request }) {
      if (wasPreflighted(request.headers.get("content-type"))) return;
      if (csrfHeaders.some((name) => request.headers.has(name))) return;
      throw createGraphQLError(
        "Required CSRF header not present: send `x-graphql-csrf: 1` with GET requests (docs/clients.md).",
        { extensions: { code: "CSRF_HEADER_REQUIRED" satisfies ErrorCode, http: { status: 403 } } },
      );
    },
  };
}
