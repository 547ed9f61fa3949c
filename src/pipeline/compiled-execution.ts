import {
  type ASTNode,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  GraphQLError,
  type GraphQLSchema,
  visit,
} from "graphql";
import { type CompiledQuery, compileQuery, isCompiledQuery } from "graphql-jit";
import type { Plugin } from "graphql-yoga";
import type { CompiledExecutionObserver } from "../platform/observability/metrics.js";
import { operationAnalysisOf } from "./operation-analysis.js";

// Compiled execution (EXECUTION=jit): graphql-jit turns an operation into a function once per document, and
// each request only runs it with its own variables, root and context — the same resolvers (Pothos's auth
// scopes, plugin-drizzle's planned queries, coded errors, Relay ids and cursors), without graphql-js walking
// the selection again. graphql-jit directly rather than @envelop/graphql-jit: that plugin answers a document
// it cannot compile with the compiler's errors instead of executing it, and keeps its cache in a WeakMap
// (plus an optional string cache) whose size cannot be bounded or observed.
//
// graphql-jit is patched (patches/graphql-jit+0.8.9.patch): info.path links are shared as graphql-js shares
// them (plugin-drizzle finds the relations the parent's query loaded by them), and a failed list item is null
// in its own place. test/execution/differential.test.ts holds both executors to plain graphql-js.
//
// Order: this plugin must come before useTenantTransaction(). Each onExecute sees the execute function the
// plugins before it set; the tenant transaction wraps the one it is given, so it wraps the compiled query.

/** What graphql-jit refused to compile: the operation runs on graphql-js. */
const notCompiled = Symbol("not compiled");

type Compilation = CompiledQuery | typeof notCompiled;

interface DocumentEntry {
  schema: GraphQLSchema;
  /** By operation name ("" for the document's only operation). */
  operations: Map<string, Compilation>;
}

/**
 * The compiled operations, per parsed document (Yoga's parser cache hands back the same DocumentNode for the
 * same text), least recently used out first once `capacity` documents are held.
 */
export class CompiledDocuments {
  private readonly documents = new Map<DocumentNode, DocumentEntry>();

  /** `compile`: graphql-jit's compileQuery (a test may hand in one that refuses). */
  constructor(
    readonly capacity: number,
    private readonly compile: typeof compileQuery = compileQuery,
  ) {
    if (!Number.isSafeInteger(capacity) || capacity < 1)
      throw new Error(`capacity must be at least 1, got ${capacity}`);
  }

  /** Documents held. */
  get size(): number {
    return this.documents.size;
  }

  /** The compiled operation, compiling it on first use; undefined when graphql-jit cannot compile it. */
  compiled(
    schema: GraphQLSchema,
    document: DocumentNode,
    operationName: string | null | undefined,
    observer?: CompiledExecutionObserver,
  ): CompiledQuery | undefined {
    let entry = this.documents.get(document);
    if (entry && entry.schema !== schema) entry = undefined;
    if (entry) {
      // Most recently used: last in the Map's order.
      this.documents.delete(document);
      this.documents.set(document, entry);
    } else {
      entry = { schema, operations: new Map() };
      this.documents.set(document, entry);
      if (this.documents.size > this.capacity) {
        const oldest = this.documents.keys().next().value;
        if (oldest) this.documents.delete(oldest);
      }
    }
    const key = operationName ?? "";
    let compilation = entry.operations.get(key);
    observer?.lookup(compilation !== undefined);
    if (compilation === undefined) {
      const result = this.compile(schema, document, operationName ?? undefined);
      compilation = isCompiledQuery(result) ? result : notCompiled;
      entry.operations.set(key, compilation);
    }
    return compilation === notCompiled ? undefined : compilation;
  }
}

const nodesByPosition = new WeakMap<DocumentNode, Map<string, ASTNode>>();

/** The document's nodes by where they start ("line:column"), the outermost first. */
function nodeAt(document: DocumentNode, line: number, column: number): ASTNode | undefined {
  let index = nodesByPosition.get(document);
  if (!index) {
    const nodes = new Map<string, ASTNode>();
    visit(document, {
      enter(node) {
        const start = node.loc?.startToken;
        if (start && !nodes.has(`${start.line}:${start.column}`)) nodes.set(`${start.line}:${start.column}`, node);
      },
    });
    index = nodes;
    nodesByPosition.set(document, index);
  }
  return index.get(`${line}:${column}`);
}

/**
 * graphql-jit's errors carry their locations but not their AST nodes, and Yoga rebuilds every error of a
 * response from its nodes: they would lose their locations. Each gets its nodes back, as graphql-js's
 * locatedError() gives them (same message, path, original error and extensions).
 */
function withNodes(document: DocumentNode, result: ExecutionResult): ExecutionResult {
  if (!result.errors?.some((error) => !error.nodes && error.locations)) return result;
  const errors = result.errors.map((error) => {
    if (error.nodes || !error.locations) return error;
    const nodes = error.locations
      .map(({ line, column }) => nodeAt(document, line, column))
      .filter((node): node is ASTNode => node !== undefined);
    return new GraphQLError(error.message, {
      nodes,
      path: error.path,
      originalError: error.originalError,
      extensions: error.extensions,
    });
  });
  return { ...result, errors };
}

export interface CompiledExecutionOptions {
  documents: CompiledDocuments;
  observer?: CompiledExecutionObserver;
}

/**
 * Executes each operation with its compiled query. graphql-js executes instead (counted as a fallback) when
 * graphql-jit cannot compile the document, and when the variables do not coerce: graphql-js's own messages
 * then report them, as without this plugin. Subscriptions are not served.
 */
export function useCompiledExecution({ documents, observer }: CompiledExecutionOptions): Plugin {
  return {
    onExecute({ args, setExecuteFn }) {
      const analysis = operationAnalysisOf(args);
      // No such operation, or one graphql-js refuses: its own errors answer.
      if (!analysis.definition || analysis.type === "subscription") return;
      if (analysis.variables() === undefined) {
        observer?.fallback("variables");
        return;
      }
      const compiled = documents.compiled(args.schema, args.document, args.operationName, observer);
      if (!compiled) {
        observer?.fallback("not_compiled");
        return;
      }
      setExecuteFn((executionArgs: ExecutionArgs) => {
        const result = compiled.query(
          executionArgs.rootValue,
          executionArgs.contextValue,
          executionArgs.variableValues ?? {},
        ) as ExecutionResult | PromiseLike<ExecutionResult>;
        return "then" in result
          ? Promise.resolve(result).then((settled) => withNodes(executionArgs.document, settled))
          : withNodes(executionArgs.document, result);
      });
    },
  };
}
