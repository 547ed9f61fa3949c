import { maxAliasesRule } from "@escape.tech/graphql-armor-max-aliases";
import { maxDepthRule } from "@escape.tech/graphql-armor-max-depth";
import { maxDirectivesRule } from "@escape.tech/graphql-armor-max-directives";
import { MaxTokensParserWLexer } from "@escape.tech/graphql-armor-max-tokens";
import {
  type DocumentNode,
  GraphQLError,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  getArgumentValues,
  getNamedType,
  getNullableType,
  getOperationAST,
  getVariableValues,
  isAbstractType,
  isLeafType,
  isListType,
  isObjectType,
  Kind,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from "graphql";
import type { Plugin } from "graphql-yoga";
import type { ErrorCode } from "../platform/errors.js";
import { rememberedForDocument } from "./document-memo.js";
import { fragmentsOf, isConnectionType, isSkipped } from "./operation-ast.js";

// Operation limits: refused before execution (so before the tenant transaction opens), each with the code
// LIMIT_EXCEEDED and `extensions.limit` naming the limit. The limit values and measured sizes are added only
// when `exposeLimits` is on (development and tests); production says which limit, not where it lies.

export type LimitName = "depth" | "aliases" | "tokens" | "directives" | "cost" | "requestSize";

export interface OperationLimits {
  /** Deepest field nesting (introspection fields do not count). */
  maxDepth: number;
  maxAliases: number;
  /** Lexical tokens of the document: bounds parsing work before anything else runs. */
  maxTokens: number;
  maxDirectives: number;
  /** Estimated objects an operation may return (see operationCost). */
  maxCost: number;
}

/**
 * Defaults. Cost 10 000: about the objects one operation may materialise. The repo's heaviest operation
 * (ResearchPlanDetail: 100 steps × 20 conditions) costs about 6 300; two nested full pages (100 × 100) cost
 * 10 201 and are refused, as are three nested default pages (20 × 20 × 20 ≈ 8 400 fits, 20 × 20 × 30 does not).
 */
export const defaultOperationLimits: OperationLimits = {
  maxDepth: 8,
  maxAliases: 15,
  maxTokens: 2000,
  maxDirectives: 50,
  maxCost: 10_000,
};

/** Page size assumed for a connection requested without `first`/`last` (the relay plugin's default). */
export const defaultPageSize = 20;

const descriptions: Record<LimitName, string> = {
  depth: "The operation is nested too deeply",
  aliases: "The operation uses too many aliases",
  tokens: "The operation document is too large",
  directives: "The operation uses too many directives",
  cost: "The operation asks for too much data at once",
  requestSize: "The request body is too large",
};

export function limitError(
  limit: LimitName,
  exposeLimits: boolean,
  measured?: { max: number; actual?: number },
): GraphQLError {
  const detail =
    exposeLimits && measured
      ? ` (limit ${measured.max}${measured.actual === undefined ? "" : `, found ${measured.actual}`})`
      : "";
  return new GraphQLError(`${descriptions[limit]}${detail}: ask for less.`, {
    extensions: {
      code: "LIMIT_EXCEEDED" satisfies ErrorCode,
      limit,
      ...(exposeLimits && measured ? measured : {}),
      http: { status: limit === "requestSize" ? 413 : 400 },
    },
  });
}

const measuredPattern = /found (\d+)/;

/** An armor rule whose rejection is reported as our coded error instead of armor's "Syntax Error: …". */
function armorRule(
  limit: LimitName,
  max: number,
  exposeLimits: boolean,
  factory: (options: {
    n: number;
    propagateOnRejection: boolean;
    exposeLimits: boolean;
    onReject: ((context: ValidationContext | null, error: GraphQLError) => void)[];
  }) => ValidationRule,
): ValidationRule {
  return factory({
    n: max,
    propagateOnRejection: false,
    exposeLimits: true,
    onReject: [
      (context, error) => {
        const found = measuredPattern.exec(error.message)?.[1];
        context?.reportError(
          limitError(limit, exposeLimits, { max, ...(found === undefined ? {} : { actual: Number(found) }) }),
        );
      },
    ],
  });
}

/** How many items a list field may return, from its arguments (first/last, or the list it was given). */
function listSize(field: GraphQLField<unknown, unknown>, args: Record<string, unknown>): number {
  for (const name of ["first", "last"]) {
    const value = args[name];
    if (typeof value === "number") return Math.max(0, value);
  }
  for (const name of ["representations", "ids"]) {
    const value = args[name];
    if (Array.isArray(value)) return value.length;
  }
  return isConnectionType(field.type) ? defaultPageSize : 1;
}

/**
 * The operation's cost: the objects it may return. Every object-typed field costs 1 per item, times the
 * list sizes above it; scalars are free. A connection's page size is `first`/`last` (default 20) and
 * multiplies its `edges`/`nodes`; `_entities` and `nodes(ids)` count their inputs. Introspection is free.
 * Returns undefined when the variables do not coerce (execution reports that).
 */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  rawVariables: Record<string, unknown> | null | undefined,
): number | undefined {
  const operation = getOperationAST(document, operationName);
  if (!operation) return undefined;
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], rawVariables ?? {});
  if (coerced.errors) return undefined;
  const variables = coerced.coerced;
  const fragments = fragmentsOf(document);
  const rootType =
    operation.operation === "mutation"
      ? schema.getMutationType()
      : operation.operation === "subscription"
        ? schema.getSubscriptionType()
        : schema.getQueryType();
  if (!rootType) return undefined;

  const costOf = (
    selectionSet: SelectionSetNode,
    parent: GraphQLNamedType,
    pageSize: number,
    visiting: ReadonlySet<string>,
  ): number => {
    let total = 0;
    for (const selection of selectionSet.selections) {
      if (isSkipped(selection, variables)) continue;
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const condition = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        total += costOf(selection.selectionSet, condition ?? parent, pageSize, visiting);
        continue;
      }
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (!fragment || visiting.has(name)) continue; // validation refuses cycles and unknown fragments
        const condition = schema.getType(fragment.typeCondition.name.value) ?? parent;
        total += costOf(fragment.selectionSet, condition, pageSize, new Set([...visiting, name]));
        continue;
      }
      const name = selection.name.value;
      if (name.startsWith("__")) continue;
      // On an abstract parent (Node, _Entity) without a type condition only __typename is selectable.
      if (!isObjectType(parent) || isAbstractType(parent)) continue;
      const field = parent.getFields()[name];
      if (!field) continue;
      const named = getNamedType(field.type);
      if (isLeafType(named) || !selection.selectionSet) continue;
      let args: Record<string, unknown>;
      try {
        args = getArgumentValues(field, selection, variables);
      } catch {
        args = {};
      }
      let multiplier = 1;
      let childPageSize = pageSize;
      if (isConnectionType(named)) {
        childPageSize = listSize(field, args);
      } else if ((name === "edges" || name === "nodes") && isConnectionType(parent)) {
        multiplier = pageSize;
      } else if (isListType(getNullableType(field.type))) {
        multiplier = listSize(field, args);
      }
      total += multiplier * (1 + costOf(selection.selectionSet, named, childPageSize, visiting));
    }
    return total;
  };
  return costOf(operation.selectionSet, rootType, defaultPageSize, new Set());
}

// The cost of the operation being executed, for the budgets plugin (keyed by the operation's context).
const costs = new WeakMap<object, number>();

/** The cost the limits plugin computed for this operation's context (0 when it was not computed). */
export function costOfOperation(context: object): number {
  return costs.get(context) ?? 0;
}

export interface OperationLimitOptions extends OperationLimits {
  /** Include the limit values and measured sizes in errors (off in production). */
  exposeLimits: boolean;
}

/**
 * Depth, aliases and directives as validation rules (graphql-armor), tokens while parsing (graphql-armor's
 * counting parser), cost before execution (with the variables). Every refusal is LIMIT_EXCEEDED.
 */
export function useOperationLimits(options: OperationLimitOptions): Plugin {
  const { exposeLimits } = options;
  const rules: ValidationRule[] = [
    armorRule("depth", options.maxDepth, exposeLimits, (o) => maxDepthRule({ ...o, ignoreIntrospection: true })),
    armorRule("aliases", options.maxAliases, exposeLimits, (o) => maxAliasesRule(o)),
    armorRule("directives", options.maxDirectives, exposeLimits, (o) => maxDirectivesRule(o)),
  ];
  return {
    onParse({ setParseFn }) {
      setParseFn((source, parseOptions) => {
        let refused = false;
        const parser = new MaxTokensParserWLexer(source, {
          ...parseOptions,
          n: options.maxTokens,
          // armor throws at the first token over the limit: parsing stops there.
          propagateOnRejection: true,
          onReject: [
            () => {
              refused = true;
            },
          ],
        });
        try {
          return parser.parseDocument();
        } catch (error) {
          if (refused) throw limitError("tokens", exposeLimits, { max: options.maxTokens });
          throw error;
        }
      });
    },
    onValidate({ addValidationRule }) {
      for (const rule of rules) addValidationRule(rule);
    },
    onExecute({ args, setResultAndStopExecution }) {
      const cost = rememberedForDocument(
        "cost",
        args.schema,
        args.document,
        args.operationName,
        () =>
          operationCost(
            args.schema,
            args.document,
            args.operationName,
            args.variableValues as Record<string, unknown> | null | undefined,
          ),
        (answer) => answer !== undefined,
      );
      if (cost === undefined) return;
      if (typeof args.contextValue === "object" && args.contextValue !== null) costs.set(args.contextValue, cost);
      if (cost > options.maxCost) {
        setResultAndStopExecution({
          errors: [limitError("cost", exposeLimits, { max: options.maxCost, actual: cost })],
        });
      }
    },
  };
}
