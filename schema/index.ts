// The single import point for the schema: tables, enums, typed JSONB shapes, helpers and relations.
export * from "./base.js";
export * from "./relations.js";
export * from "./roles.js";
export * from "./tables.js";
