import { createHash, randomBytes } from "node:crypto";

/** Personal access tokens look like `trv_<43 url-safe characters>`; the prefix makes them greppable in leaks. */
export const TOKEN_PREFIX = "trv_";

export function generateTokenSecret(): string {
  return `${TOKEN_PREFIX}${randomBytes(32).toString("base64url")}`;
}

/** What is stored: SHA-256 of the secret. The secret has 256 bits of entropy, so no salt or slow hash is needed. */
export function hashTokenSecret(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

/** What is shown in lists: enough to recognise a token, far too little to use it. */
export function displayPrefix(secret: string): string {
  return secret.slice(0, TOKEN_PREFIX.length + 6);
}

export function looksLikeTokenSecret(value: string): boolean {
  return value.startsWith(TOKEN_PREFIX);
}
