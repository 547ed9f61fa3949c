// Every table (and enum) of every domain, without relations: what drizzle-kit and the catalog tests read.
export * from "./ai.js";
export * from "./auth.js";
export * from "./enums.js";
export * from "./research.js";
export * from "./search.js";
export * from "./tokens.js";
