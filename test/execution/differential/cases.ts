import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { type DocumentNode, type GraphQLInputType, type GraphQLSchema, Kind, parse, typeFromAST, visit } from "graphql";
import type { CampaignCaller } from "../../security/campaign/callers.js";
import { positiveWholeNumber, rootFields } from "../../security/campaign/campaign.js";
import { writeOperation } from "../../security/campaign/operations.js";
import { Picker } from "../../security/campaign/picker.js";
import { type Pools, valueFor } from "../../security/campaign/values.js";

// The differential test's documents: the example frontend operations (test/operations/*.graphql) and
// documents the schema campaign's generators write (test/security/campaign/), in strict mode (every value
// within its type and the limits). Each document is used several times, each use by the next caller (another
// tenant, or anonymous) with variables drawn anew for the same document: a compiled document must answer its
// second and later uses as graphql-js answers them.

export interface DocumentUse {
  caller: CampaignCaller;
  variables: Record<string, unknown>;
}

export interface DifferentialDocument {
  /** `Query.researchPlans` (generated) or `viewer.graphql ResearchPlansPage` (frontend). */
  label: string;
  kind: "query" | "mutation";
  operationName: string;
  query: string;
  uses: DocumentUse[];
}

/** `DIFF_RUNS` (generated documents, default 40) and `DIFF_SEED` (default 18), checked as the campaign's are. */
export function differentialSettings(env: NodeJS.ProcessEnv = process.env): { runs: number; seed: number } {
  return { runs: positiveWholeNumber(env, "DIFF_RUNS", 40), seed: positiveWholeNumber(env, "DIFF_SEED", 18) };
}

/** Each variable's argument name (cursors, ids and page sizes are recognised by it), or its own name. */
function argumentNames(document: DocumentNode): Map<string, string> {
  const names = new Map<string, string>();
  visit(document, {
    Argument(node) {
      if (node.value.kind === Kind.VARIABLE) names.set(node.value.name.value, node.name.value);
    },
  });
  return names;
}

const pagingArguments = new Set(["first", "last", "after", "before"]);

/**
 * New values for the variables of `query`'s operation `operationName`. A paging argument the first use left
 * null stays null, so that a use pages in one direction as the generated one did.
 */
function variablesFor(
  schema: GraphQLSchema,
  query: string,
  operationName: string,
  picker: Picker,
  pools: Pools,
  caller: CampaignCaller,
  previous?: Record<string, unknown>,
): Record<string, unknown> {
  const document = parse(query);
  const argumentOf = argumentNames(document);
  const variables: Record<string, unknown> = {};
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION || definition.name?.value !== operationName) continue;
    for (const variable of definition.variableDefinitions ?? []) {
      const name = variable.variable.name.value;
      const argument = argumentOf.get(name) ?? name;
      if (previous && pagingArguments.has(argument) && (previous[name] ?? null) === null) {
        if (name in previous) variables[name] = null;
        continue;
      }
      const type = typeFromAST(schema, variable.type) as GraphQLInputType | undefined;
      if (!type) throw new Error(`unknown type of $${name} in ${operationName}`);
      const value = valueFor(type, argument, { picker, pools, caller: caller.label, strict: true });
      if (value !== undefined) variables[name] = value;
    }
  }
  return variables;
}

/** `uses` callers in turn from `first`, each another one than the use before. */
function callersFrom(callers: CampaignCaller[], first: number, uses: number): CampaignCaller[] {
  return Array.from({ length: uses }, (_, i) => callers[(first + i) % callers.length] as CampaignCaller);
}

/** Generated documents over every root query field and every mutation that runs in the tenant transaction. */
export function generatedDocuments(
  schema: GraphQLSchema,
  pools: Pools,
  callers: CampaignCaller[],
  settings: { runs: number; seed: number },
  usesPerDocument: number,
): DifferentialDocument[] {
  // Mutations through Better Auth commit on their own connection: a rolled-back case could not undo them.
  const fields = rootFields(schema).filter(({ field }) => field.extensions.outsideTenantTransaction !== true);
  const perField = Math.ceil(settings.runs / fields.length);
  const documents: DifferentialDocument[] = [];
  fields.forEach(({ kind, field }, fieldIndex) => {
    const arbitrary = fc.gen().map((draw): DifferentialDocument => {
      const picker = new Picker(draw);
      const order = callersFrom(callers, picker.int(0, callers.length - 1), usesPerDocument);
      const [firstCaller, ...others] = order as [CampaignCaller, ...CampaignCaller[]];
      const operation = writeOperation(schema, kind, field, { picker, pools, caller: firstCaller.label, strict: true });
      return {
        label: operation.coordinate,
        kind,
        operationName: operation.operationName,
        query: operation.query,
        uses: [
          { caller: firstCaller, variables: operation.variables },
          ...others.map((caller) => ({
            caller,
            variables: variablesFor(
              schema,
              operation.query,
              operation.operationName,
              picker,
              pools,
              caller,
              operation.variables,
            ),
          })),
        ],
      };
    });
    documents.push(...fc.sample(arbitrary, { seed: settings.seed + fieldIndex, numRuns: perField }));
  });
  return documents;
}

const operationsFolder = join(import.meta.dirname, "..", "..", "operations");

/** Every operation of test/operations/*.graphql, sent as its whole file with the operation's name. */
export function frontendDocuments(
  schema: GraphQLSchema,
  pools: Pools,
  callers: CampaignCaller[],
  seed: number,
  usesPerDocument: number,
): DifferentialDocument[] {
  const documents: DifferentialDocument[] = [];
  const files = readdirSync(operationsFolder).filter((file) => file.endsWith(".graphql"));
  let index = 0;
  for (const file of files.sort()) {
    const query = readFileSync(join(operationsFolder, file), "utf8");
    for (const definition of parse(query).definitions) {
      if (definition.kind !== Kind.OPERATION_DEFINITION || !definition.name) continue;
      const operationName = definition.name.value;
      const kind = definition.operation === "mutation" ? "mutation" : "query";
      const order = callersFrom(callers, index++, usesPerDocument);
      const [uses] = fc.sample(
        fc.gen().map((draw) => {
          const picker = new Picker(draw);
          return order.map((caller) => ({
            caller,
            variables: variablesFor(schema, query, operationName, picker, pools, caller),
          }));
        }),
        { seed: seed + index, numRuns: 1 },
      );
      documents.push({ label: `${file} ${operationName}`, kind, operationName, query, uses: uses ?? [] });
    }
  }
  return documents;
}
