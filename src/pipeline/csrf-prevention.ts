import { useCSRFPrevention } from "@graphql-yoga/plugin-csrf-prevention";
import { createGraphQLError, type Plugin } from "graphql-yoga";
import type { ErrorCode } from "../platform/errors.js";

// CSRF prevention: Yoga's plugin, with a coded refusal. A browser sends a cross-site GET, or a POST with a
// form-like Content-Type, without a CORS preflight: the server would run it with the visitor's cookies before
// CORS is ever asked. Any other Content-Type, or any header a page cannot set without a preflight, proves the
// request was preflighted (or did not come from a browser). So a GET must carry one of the headers below; JSON
// POSTs need nothing. What each client sends: docs/clients.md.

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

export function useCsrfPrevention(): Plugin {
  const yogaCheck = useCSRFPrevention({ requestHeaders: [...csrfHeaders] });
  return {
    onRequestParse(payload) {
      try {
        return yogaCheck.onRequestParse?.(payload);
      } catch {
        // Its one refusal carries no code: the same refusal, with one.
        throw createGraphQLError(
          "Required CSRF header not present: send `x-graphql-csrf: 1` with GET requests (docs/clients.md).",
          { extensions: { code: "CSRF_HEADER_REQUIRED" satisfies ErrorCode, http: { status: 403 } } },
        );
      }
    },
  };
}
