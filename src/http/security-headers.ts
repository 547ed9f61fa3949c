// Headers every response carries (GraphQL, auth, health, errors alike). The CSP is strict: the API serves
// JSON, so nothing may load. GraphiQL (development only) is one page with its assets inlined by
// @graphql-yoga/render-graphiql: it needs inline scripts and styles, data: fonts/images and to call /graphql.

const strictCsp = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
const graphiqlCsp =
  "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; " +
  "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; " +
  "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

export interface SecurityHeaderOptions {
  /** GraphiQL is served (development): relax the CSP of HTML responses just enough for it. */
  graphiql: boolean;
}

export function applySecurityHeaders(headers: Headers, options: SecurityHeaderOptions): void {
  headers.set("x-content-type-options", "nosniff");
  headers.set("x-frame-options", "DENY");
  headers.set("referrer-policy", "no-referrer");
  headers.set("cross-origin-opener-policy", "same-origin");
  headers.set("cross-origin-resource-policy", "same-origin");
  headers.set("permissions-policy", "camera=(), microphone=(), geolocation=(), payment=()");
  const html = headers.get("content-type")?.includes("text/html") ?? false;
  if (!headers.has("content-security-policy")) {
    headers.set("content-security-policy", options.graphiql && html ? graphiqlCsp : strictCsp);
  }
}
