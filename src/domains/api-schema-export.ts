// For graphql-codegen (codegen.ts): the schema as a named export of a module.
import { buildSchema } from "./api-schema.js";

export const schema = buildSchema();
