// The research slice of the schema (mirrors schema/research.ts): types, then root queries.
import "./types.js";
import "./queries.js";
