// Authorization as a phrase at the field: `authScopes: tenantRead`. RLS filters rows whatever happens;
// these make the answer an explicit error instead of an empty result, and enforce token scopes.

/** Signed in, an organization selected (and membership checked), token with `read`. */
export const tenantRead = { $all: { tenant: true, scope: "read" } } as const;
/** Signed in, an organization selected, token with `write`. */
export const tenantWrite = { $all: { tenant: true, scope: "write" } } as const;
/** Signed in, an organization selected, token with `agent` (what agents record about their runs). */
export const tenantAgent = { $all: { tenant: true, scope: "agent" } } as const;
/** Signed in, token with `read`; no organization needed (viewer and global data). */
export const viewerRead = { $all: { signedIn: true, scope: "read" } } as const;
/** Signed in, token with `write`; no organization needed (the viewer's own tokens, organizations). */
export const viewerWrite = { $all: { signedIn: true, scope: "write" } } as const;
