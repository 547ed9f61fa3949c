// The research slice of the schema (mirrors schema/research.ts): types, then root queries.
import "./types.js";
import "./queries.js";
import "./plan-mutations.js";
import "./step-mutations.js";
import "./record-mutations.js";
