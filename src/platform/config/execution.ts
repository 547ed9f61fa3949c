import { reader, type Values } from "./variables.js";

// How operations execute: graphql-js (through Yoga's executor) by default, or compiled once per document by
// graphql-jit (src/pipeline/compiled-execution.ts), with graphql-js for what it cannot compile.

export type Executor = "graphql-js" | "jit";

export const executors: readonly Executor[] = ["graphql-js", "jit"];

export interface ExecutionConfig {
  executor: Executor;
  /** Compiled documents kept (least recently used first out); with `jit` only. */
  compiledDocuments: number;
}

export const defaultExecution: ExecutionConfig = { executor: "graphql-js", compiledDocuments: 1000 };

export const executionVariables = {
  ...reader.oneOf("EXECUTION", defaultExecution.executor, executors),
  ...reader.integer("EXECUTION_CACHE_SIZE", defaultExecution.compiledDocuments, 1, 100_000),
};

export function executionFrom(v: Values<typeof executionVariables>): ExecutionConfig {
  return { executor: v.EXECUTION, compiledDocuments: v.EXECUTION_CACHE_SIZE };
}
