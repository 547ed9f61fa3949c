import {
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  getOperationAST,
  getVariableValues,
  Kind,
  type OperationDefinitionNode,
  type OperationTypeNode,
  type SelectionSetNode,
} from "graphql";
import type { Plugin } from "graphql-yoga";
import type { InitialContext } from "../schema-builder/context.js";
import { rememberedForDocument } from "./document-memo.js";
import { fragmentsOf, isSkipped } from "./operation-ast.js";

// What the pipeline's plugins know about the operation of a request, worked out once per request and handed
// on through the context (`operationAnalysis`): the operation definition is found once, the variables are
// coerced at most once, and each walk over the operation (cost, page sizes) runs at most once; the walks
// whose answer does not depend on the variables are also remembered per document (document-memo.ts).

type RawVariables = Readonly<Record<string, unknown>> | null | undefined;

/** The operation of one request, with what the plugins derive from it, each worked out on first use. */
export class OperationAnalysis {
  /** The operation to execute; undefined when the document has no such operation (execution reports it). */
  readonly definition: OperationDefinitionNode | undefined;
  private fragmentsByName: Map<string, FragmentDefinitionNode> | undefined;
  private coerced: { variables: Record<string, unknown> | undefined } | undefined;
  private rootFields: string[] | undefined;
  private answers: Map<string, unknown> | undefined;

  constructor(
    readonly schema: GraphQLSchema,
    readonly document: DocumentNode,
    readonly operationName: string | null | undefined,
    readonly rawVariables: RawVariables,
  ) {
    this.definition = getOperationAST(document, operationName) ?? undefined;
  }

  /** query, mutation or subscription; undefined without a definition. */
  get type(): OperationTypeNode | undefined {
    return this.definition?.operation;
  }

  /** The document's fragment definitions by name. */
  get fragments(): Map<string, FragmentDefinitionNode> {
    this.fragmentsByName ??= fragmentsOf(this.document);
    return this.fragmentsByName;
  }

  /** The variables coerced to their declared types; undefined without a definition or when they do not coerce. */
  variables(): Record<string, unknown> | undefined {
    if (!this.coerced) {
      const coerced = this.definition
        ? getVariableValues(this.schema, this.definition.variableDefinitions ?? [], this.rawVariables ?? {})
        : undefined;
      this.coerced = { variables: coerced?.errors ? undefined : coerced?.coerced };
    }
    return this.coerced.variables;
  }

  /**
   * The root fields the operation executes (through fragments, without those under a false @skip/@include),
   * by field name. Variables that do not coerce count as none given (execution reports them).
   */
  executedRootFieldNames(): readonly string[] {
    if (!this.rootFields) {
      const variables = this.variables() ?? {};
      const fragments = this.fragments;
      const names: string[] = [];
      const visited = new Set<string>();
      const collect = (selectionSet: SelectionSetNode) => {
        for (const selection of selectionSet.selections) {
          if (isSkipped(selection, variables)) continue;
          if (selection.kind === Kind.FIELD) {
            names.push(selection.name.value);
          } else if (selection.kind === Kind.INLINE_FRAGMENT) {
            collect(selection.selectionSet);
          } else {
            const name = selection.name.value;
            const fragment = fragments.get(name);
            if (fragment && !visited.has(name)) {
              visited.add(name);
              collect(fragment.selectionSet);
            }
          }
        }
      };
      if (this.definition) collect(this.definition.selectionSet);
      this.rootFields = names;
    }
    return this.rootFields;
  }

  /**
   * `compute(this)` under `name` (the cost, the page-size check): once per request, and once per document
   * when the document's sizes ignore the variables and `keep(answer)` allows it (document-memo.ts).
   */
  remember<T>(name: string, compute: (analysis: OperationAnalysis) => T, keep: (answer: T) => boolean): T {
    this.answers ??= new Map();
    if (this.answers.has(name)) return this.answers.get(name) as T;
    const answer = rememberedForDocument(
      name,
      this.schema,
      this.document,
      this.operationName,
      () => compute(this),
      keep,
    );
    this.answers.set(name, answer);
    return answer;
  }

  /** True when this analysis is of these execution arguments. */
  describes(args: OperationInput): boolean {
    return (
      args.document === this.document &&
      args.schema === this.schema &&
      (args.operationName ?? undefined) === (this.operationName ?? undefined) &&
      args.variableValues === this.rawVariables
    );
  }
}

/** The context as the pipeline's plugins see it: the analysis rides on it from validation on. */
export interface PipelineContext extends InitialContext {
  /** Set by useOperationAnalysis() before validation (or by the first plugin that needs it). */
  operationAnalysis?: OperationAnalysis;
}

/** The parts of execution arguments an analysis is made of. */
export interface OperationInput {
  schema: GraphQLSchema;
  document: DocumentNode;
  operationName?: string | null | undefined;
  variableValues?: RawVariables;
  contextValue: unknown;
}

/**
 * The analysis of the operation being executed: the one on the context when it describes these arguments,
 * else a new one, left on the context for the plugins after this one (a plugin used without
 * useOperationAnalysis(), as in tests, still works).
 */
export function operationAnalysisOf(args: OperationInput): OperationAnalysis {
  const context = args.contextValue as Partial<PipelineContext>;
  const known = context.operationAnalysis;
  if (known?.describes(args)) return known;
  const analysis = new OperationAnalysis(args.schema, args.document, args.operationName, args.variableValues);
  context.operationAnalysis = analysis;
  return analysis;
}

/**
 * Analyses the operation of each request as it is validated (so the operation log sees its name and type
 * even when validation refuses it) and leaves the analysis on the context. First in the plugin list.
 */
export function useOperationAnalysis(): Plugin<PipelineContext> {
  return {
    onValidate({ context, extendContext, params: { schema, documentAST } }) {
      const { operationName, variables } = context.params;
      extendContext({ operationAnalysis: new OperationAnalysis(schema, documentAST, operationName, variables) });
    },
  };
}
