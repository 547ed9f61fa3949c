import { type TokenScope, tokenScopes } from "../../schema/index.js";
import {
  createPersonalAccessToken,
  findPersonalAccessToken,
  type PersonalAccessTokenRecord,
} from "../../src/domains/tokens/token-service.js";
import type { Database } from "../../src/platform/db/index.js";

// Tokens for tests that need one to call with: made by the token service, in a transaction of the user through
// the door, as that user signed in with a session (every scope) would make it through createPersonalAccessToken.

export interface TokenForUserInput {
  userId: string;
  name: string;
  scopes: readonly TokenScope[];
  expiresAt: Date | null;
}

export async function createTokenForUser(
  deps: { database: Database },
  input: TokenForUserInput,
): Promise<{ token: string; record: PersonalAccessTokenRecord }> {
  const { userId, ...token } = input;
  return deps.database.withTenantContext({ organizationId: null, userId }, async (tx) => {
    const created = await createPersonalAccessToken(tx, { userId, scopes: tokenScopes, tokenId: null }, token);
    return { token: created.token, record: await findPersonalAccessToken(tx, created.tokenId) };
  });
}
