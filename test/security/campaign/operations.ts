import {
  type GraphQLArgument,
  type GraphQLField,
  GraphQLInterfaceType,
  GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
  GraphQLUnionType,
  getNamedType,
} from "graphql";
import { hostileCursor, type ValueContext, validPageSizes, valueFor } from "./values.js";

// One operation of the campaign: a root query field or mutation with generated arguments, and a selection
// that reaches into the result — nested connections included, each with its own generated paging
// arguments — so every argument at every depth gets hostile values. Every value travels as a variable.

export interface CampaignOperation {
  /** `Query.researchPlans`, `Mutation.createResearchPlan`. */
  coordinate: string;
  operationName: string;
  query: string;
  variables: Record<string, unknown>;
}

/** Selections deeper than this are not generated (the server's MAX_DEPTH is 8). */
const maxSelectionDepth = 7;

class OperationWriter {
  private readonly definitions: string[] = [];
  readonly variables: Record<string, unknown> = {};

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly context: ValueContext,
  ) {}

  variableDefinitions(): string {
    return this.definitions.length > 0 ? `(${this.definitions.join(", ")})` : "";
  }

  /** `(first: $v0, after: $v1)` with a generated value per argument; optional ones may be left out. */
  arguments(args: readonly GraphQLArgument[]): string {
    const written: string[] = [];
    const paging = this.context.strict ? this.paging(args) : undefined;
    for (const arg of args) {
      const value = paging && arg.name in paging ? paging[arg.name] : valueFor(arg.type, arg.name, this.context);
      if (value === undefined) continue;
      const variable = `v${this.definitions.length}`;
      this.definitions.push(`$${variable}: ${arg.type.toString()}`);
      this.variables[variable] = value;
      written.push(`${arg.name}: $${variable}`);
    }
    return written.length > 0 ? `(${written.join(", ")})` : "";
  }

  /**
   * A connection's paging in a strict case: one direction at a time (`first` with `after`, or `last` with
   * `before`), a page size it accepts, the cursor a harvested, foreign or forged one.
   */
  private paging(args: readonly GraphQLArgument[]): Record<string, unknown> | undefined {
    const names = new Set(args.map((arg) => arg.name));
    if (!["first", "last", "after", "before"].every((name) => names.has(name))) return undefined;
    const { picker } = this.context;
    const size = () => (picker.chance(0.3) ? undefined : picker.pick(validPageSizes));
    const cursor = () => (picker.chance(0.3) ? undefined : hostileCursor(this.context));
    return picker.chance(0.6)
      ? { first: size(), after: cursor(), last: undefined, before: undefined }
      : { last: size(), before: cursor(), first: undefined, after: undefined };
  }

  field(field: GraphQLField<unknown, unknown>, depth: number): string {
    const selection = this.selection(field.type, depth + 1);
    return `${field.name}${this.arguments(field.args)}${selection}`;
  }

  /** `{ … }` for a composite type, "" for a leaf. */
  selection(type: GraphQLOutputType, depth: number): string {
    const named = getNamedType(type);
    const { picker } = this.context;
    if (named instanceof GraphQLObjectType || named instanceof GraphQLInterfaceType) {
      const fields = Object.values(named.getFields());
      const parts = ["__typename"];
      let composites = 0;
      const isConnection = named.name.endsWith("Connection") && "edges" in named.getFields();
      for (const field of fields) {
        const leaf = getNamedType(field.type);
        const composite =
          leaf instanceof GraphQLObjectType || leaf instanceof GraphQLInterfaceType || leaf instanceof GraphQLUnionType;
        if (!composite) {
          if (field.name === "id" || field.name === "cursor" || picker.chance(0.5))
            parts.push(this.field(field, depth));
          continue;
        }
        if (depth >= maxSelectionDepth || composites >= 3) continue;
        const wanted = isConnection && field.name === "edges" ? 0.85 : depth <= 2 ? 0.6 : 0.35;
        if (!picker.chance(wanted)) continue;
        composites++;
        parts.push(this.field(field, depth));
      }
      if (named instanceof GraphQLInterfaceType) parts.push(...this.fragments(named, depth));
      return ` { ${parts.join(" ")} }`;
    }
    if (named instanceof GraphQLUnionType) {
      return ` { __typename ${this.fragments(named, depth).join(" ")} }`;
    }
    return "";
  }

  private fragments(type: GraphQLInterfaceType | GraphQLUnionType, depth: number): string[] {
    const { picker } = this.context;
    const fragments: string[] = [];
    if (depth >= maxSelectionDepth) return fragments;
    for (const member of this.schema.getPossibleTypes(type)) {
      // Two at most: a union of eight types with a connection under each is past any cost limit.
      if (fragments.length >= 2 || !picker.chance(0.3)) continue;
      // Inline fragments add no depth; their selections are at the same level as the parent's.
      fragments.push(`... on ${member.name}${this.selection(member, depth)}`);
    }
    return fragments;
  }
}

export function writeOperation(
  schema: GraphQLSchema,
  kind: "query" | "mutation",
  field: GraphQLField<unknown, unknown>,
  context: ValueContext,
): CampaignOperation {
  const writer = new OperationWriter(schema, context);
  const body = writer.field(field, 1);
  const operationName = `Campaign_${field.name}`;
  return {
    coordinate: `${kind === "query" ? "Query" : "Mutation"}.${field.name}`,
    operationName,
    query: `${kind} ${operationName}${writer.variableDefinitions()} { ${body} }`,
    variables: writer.variables,
  };
}
