// The identity slice of the schema (mirrors schema/auth.ts): the read model (types.ts, queries.ts) and the
// organization mutations Better Auth carries out (organization-mutations.ts, organization-service.ts).
import "./types.js";
import "./visibility.js";
import "./queries.js";
import "./organization-mutations.js";

export { Organization, User } from "./types.js";
export { visibleOrganizations, visibleUsers } from "./visibility.js";
