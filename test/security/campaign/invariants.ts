import type { CampaignCaller, Reply } from "./callers.js";

// What every answer to the campaign must satisfy, whatever it was sent: an answer (never a reset connection),
// never a 5xx, a JSON body, every error with a code and none INTERNAL_SERVER_ERROR, and no row of a tenant the
// caller is not a member of. (The fourth invariant, no error-level log line, is checked against the
// server's log by request id: see schema-campaign.test.ts.)

/**
 * The ids each tenant's member alone saw while harvesting: a row of that tenant. Ids both members saw (the
 * public models, say) are nobody's.
 */
export function tenantRows(seenBy: Map<string, Set<string>>): Map<string, string> {
  const owners = new Map<string, string>();
  for (const [id, callers] of seenBy) {
    if (callers.size === 1) owners.set(id, [...callers][0] as string);
  }
  return owners;
}

export function replyViolations(reply: Reply, caller: CampaignCaller, owners: Map<string, string>): string[] {
  if (reply.networkError) {
    const bytes = Buffer.byteLength(reply.request.body);
    return [`no response: ${reply.networkError} (a body of ${bytes > 1024 * 1024 ? "over" : "at most"} 1 MiB)`];
  }
  const problems: string[] = [];
  if (reply.status >= 500) problems.push(`HTTP ${reply.status}`);
  if (!reply.body) {
    problems.push(`HTTP ${reply.status} with a body that is not JSON: ${reply.text.slice(0, 120)}`);
    return problems;
  }
  for (const error of reply.body.errors ?? []) {
    const code = error.extensions?.code;
    const message = String(error.message).slice(0, 160);
    if (typeof code !== "string") problems.push(`error without extensions.code: ${message}`);
    else if (code === "INTERNAL_SERVER_ERROR") problems.push(`INTERNAL_SERVER_ERROR: ${message}`);
  }
  if (reply.body.data) {
    const text = JSON.stringify(reply.body.data);
    for (const [id, owner] of owners) {
      if (owner !== caller.label && text.includes(id)) {
        problems.push(`foreign row: ${id} (a row of ${owner}'s tenant) in a response to ${caller.label}`);
      }
    }
  }
  return problems;
}
