import {
  type FragmentDefinitionNode,
  GraphQLError,
  getArgumentValues,
  getNamedType,
  type OperationDefinitionNode,
  TypeInfo,
  visit,
  visitWithTypeInfo,
} from "graphql";
import type { Plugin } from "graphql-yoga";
import { maxPageSize, minPageSize } from "../platform/config/index.js";
import type { ErrorCode } from "../platform/errors.js";
import { type OperationAnalysis, operationAnalysisOf } from "./operation-analysis.js";
import { isConnectionType, isSkipped } from "./operation-ast.js";

const pageSizeArguments = ["first", "last"] as const;

/**
 * `first`/`last` of every Relay connection the operation selects, checked against 1..100 with the operation's
 * variables, and never both on one field. The relay and drizzle plugins would otherwise clamp 101 to 100 and answer `first: 0` with an
 * empty page: a client asking for something else than it gets should hear so. Fields under a false
 * @skip/@include are not checked, since they are not executed. Undefined when the operation cannot be
 * checked (no such operation, variables that do not coerce): execution reports those.
 */
function pageSizeErrors(analysis: OperationAnalysis): GraphQLError[] | undefined {
  const { schema, definition: operation, fragments } = analysis;
  if (!operation) return undefined; // execution reports the missing operation
  const variables = analysis.variables();
  if (!variables) return undefined; // execution reports invalid variables

  const errors: GraphQLError[] = [];
  const pending: FragmentDefinitionNode[] = [];
  const queued = new Set<string>();

  const walk = (root: OperationDefinitionNode | FragmentDefinitionNode) => {
    const typeInfo = new TypeInfo(schema);
    visit(
      root,
      visitWithTypeInfo(typeInfo, {
        InlineFragment: (node) => (isSkipped(node, variables) ? false : undefined),
        FragmentSpread: (node) => {
          if (isSkipped(node, variables)) return;
          const fragment = fragments.get(node.name.value);
          if (fragment && !queued.has(fragment.name.value)) {
            queued.add(fragment.name.value);
            pending.push(fragment);
          }
        },
        Field: (node) => {
          if (isSkipped(node, variables)) return false;
          const field = typeInfo.getFieldDef();
          if (!field || !isConnectionType(field.type)) return undefined; // only Relay connections
          const sizeArgs = field.args.filter(
            (arg) =>
              (pageSizeArguments as readonly string[]).includes(arg.name) && getNamedType(arg.type).name === "Int",
          );
          if (sizeArgs.length === 0) return undefined;
          let values: Record<string, unknown>;
          try {
            values = getArgumentValues(field, node, variables);
          } catch {
            return undefined; // execution reports arguments that do not coerce
          }
          if (typeof values.first === "number" && typeof values.last === "number") {
            // Relay allows both but no client means it: the page would be the last `last` of the first `first`.
            const lastNode = node.arguments?.find((candidate) => candidate.name.value === "last");
            errors.push(
              new GraphQLError(`Give "first" or "last" to "${field.name}", not both.`, {
                nodes: [lastNode ?? node],
                extensions: { code: "BAD_USER_INPUT" satisfies ErrorCode, argument: "last" },
              }),
            );
            return undefined;
          }
          for (const arg of sizeArgs) {
            const value = values[arg.name];
            if (typeof value !== "number") continue;
            if (value < minPageSize || value > maxPageSize) {
              const argumentNode = node.arguments?.find((candidate) => candidate.name.value === arg.name);
              errors.push(
                new GraphQLError(
                  `Argument "${arg.name}" of "${field.name}" must be between ${minPageSize} and ${maxPageSize}, got ${value}.`,
                  {
                    nodes: [argumentNode ?? node],
                    extensions: {
                      code: "BAD_USER_INPUT" satisfies ErrorCode,
                      argument: arg.name,
                      min: minPageSize,
                      max: maxPageSize,
                    },
                  },
                ),
              );
            }
          }
          return undefined;
        },
      }),
    );
  };

  walk(operation);
  for (let next = pending.shift(); next; next = pending.shift()) walk(next);
  return errors;
}

/**
 * Refuses an operation whose page sizes are outside 1..100, or that gives one connection both `first` and `last`,
 * before it runs (so before its transaction opens), with one BAD_USER_INPUT error per offending field argument.
 */
export function usePageSizeLimits(): Plugin {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const errors = operationAnalysisOf(args).remember(
        "page sizes",
        pageSizeErrors,
        // Only a clean bill is reused: errors are built per request, and undefined means "could not check".
        (answer) => answer?.length === 0,
      );
      if (errors?.length) setResultAndStopExecution({ errors });
    },
  };
}
