import type { PgEnum } from "drizzle-orm/pg-core";
import { builder } from "./builder.js";

type AnyEnumRef = ReturnType<typeof builder.enumType<string, Record<string, { value: string }>>>;

/** The GraphQL enum made for each PostgreSQL enum, by its database name: generated filters find theirs here. */
const enumsByPgName = new Map<string, AnyEnumRef>();

/** The GraphQL enum enumFromPg() made for a PostgreSQL enum, if any. */
export function graphqlEnumOfPg(pgEnumName: string): AnyEnumRef | undefined {
  return enumsByPgName.get(pgEnumName);
}

/** GraphQL enum from a PostgreSQL enum: SCREAMING_CASE names, the database's values underneath. */
export function enumFromPg<const Values extends [string, ...string[]]>(
  name: string,
  pgEnum: PgEnum<Values>,
  description: string,
) {
  const values = Object.fromEntries(pgEnum.enumValues.map((value) => [value.toUpperCase(), { value }])) as {
    [V in Values[number] as Uppercase<V>]: { value: V };
  };
  const ref = builder.enumType(name, { description, values });
  enumsByPgName.set(pgEnum.enumName, ref as unknown as AnyEnumRef);
  return ref;
}

/** GraphQL enum from a TypeScript list of allowed values (columns typed with `$type<>()`). */
export function enumFromList<const Values extends readonly string[]>(name: string, list: Values, description: string) {
  const values = Object.fromEntries(list.map((value) => [value.toUpperCase(), { value }])) as {
    [V in Values[number] as Uppercase<V>]: { value: V };
  };
  return builder.enumType(name, { description, values });
}
