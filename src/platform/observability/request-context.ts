import { AsyncLocalStorage } from "node:async_hooks";

/** What the gateway learned about the GraphQL operation of a request (logs, metrics). */
export interface OperationRecord {
  /** The operation's name as the document gives it; null for an anonymous or unparsable operation. */
  name: string | null;
  /** query, mutation or subscription; null when the document did not parse or name a known operation. */
  type: string | null;
  organizationId: string | null;
  userId: string | null;
  /** `extensions.code` of each error of the result (already masked), in order. */
  errorCodes: string[];
}

/** What we know about the request being served, wherever in its async call tree we are. */
export interface RequestContext {
  requestId: string;
  /** Statements the runtime database handle sent for this request (logs, tests). */
  statements: number;
  /** Where the request came from (src/http/client-address.ts); absent when not served over a socket. */
  clientAddress?: string;
  /** performance.now() when the request arrived. */
  startedAt?: number;
  /** Filled by the operation-recording plugin once the request turns out to be a GraphQL operation. */
  operation?: OperationRecord;
  /**
   * Credentials this request presented (bearer token, cookie values). The logger removes them from any line
   * written while serving the request, wherever they might have ended up (an error message, a SQL parameter).
   */
  secrets?: string[];
}

const storage = new AsyncLocalStorage<RequestContext>();

export function runWithRequestContext<T>(context: RequestContext, fn: () => T): T {
  return storage.run(context, fn);
}

export function currentRequestContext(): RequestContext | undefined {
  return storage.getStore();
}

/** The database's onStatement hook: counts against the current request, if any. */
export function countStatement(): void {
  const context = storage.getStore();
  if (context) context.statements += 1;
}
