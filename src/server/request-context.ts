import { AsyncLocalStorage } from "node:async_hooks";

/** What we know about the request being served, wherever in its async call tree we are. */
export interface RequestContext {
  requestId: string;
  /** Statements the runtime database handle sent for this request (logs, tests). */
  statements: number;
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
