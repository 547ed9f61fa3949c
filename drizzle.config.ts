import { defineConfig } from "drizzle-kit";

// drizzle-kit only reads the schema and writes SQL into drizzle/; migrations are applied by
// `npm run db:migrate` (src/platform/db/migrate.ts), which also runs the custom security migrations.
export default defineConfig({
  dialect: "postgresql",
  schema: "./schema/tables.ts",
  out: "./drizzle",
  entities: { roles: true },
  dbCredentials: { url: process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/trovella" },
});
