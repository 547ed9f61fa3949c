import { maxAliasesRule } from "@escape.tech/graphql-armor-max-aliases";
import { maxDepthRule } from "@escape.tech/graphql-armor-max-depth";
import { maxDirectivesRule } from "@escape.tech/graphql-armor-max-directives";
import { MaxTokensParserWLexer } from "@escape.tech/graphql-armor-max-tokens";
import type { GraphQLError, ValidationContext, ValidationRule } from "graphql";
import type { Plugin } from "graphql-yoga";
import { type LimitName, limitError, type OperationLimits } from "./limits.js";
import { operationAnalysisOf } from "./operation-analysis.js";
import { costOf } from "./operation-cost.js";

// The plugin that enforces the operation limits (limits.ts): graphql-armor's rules and counting parser, and
// the cost of the request's operation analysis before execution.

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
      const cost = costOf(operationAnalysisOf(args));
      if (cost === undefined) return;
      if (cost > options.maxCost) {
        setResultAndStopExecution({
          errors: [limitError("cost", exposeLimits, { max: options.maxCost, actual: cost })],
        });
      }
    },
  };
}
