-- Custom migration: composite tenant foreign keys whose ON DELETE SET NULL must null only the reference
-- column, never organization_id (NOT NULL, and the tenant boundary). PostgreSQL 15+ accepts a column list
-- (`SET NULL (step_id)`); drizzle-kit cannot express it, so these constraints are re-created here.

ALTER TABLE "plan_audit_log" DROP CONSTRAINT "plan_audit_log_plan_fkey", ADD CONSTRAINT "plan_audit_log_plan_fkey" FOREIGN KEY ("organization_id", "plan_id") REFERENCES "research_plan" ("organization_id", "id") ON DELETE SET NULL ("plan_id");
--> statement-breakpoint
ALTER TABLE "research_artifact" DROP CONSTRAINT "research_artifact_step_fkey", ADD CONSTRAINT "research_artifact_step_fkey" FOREIGN KEY ("organization_id", "step_id") REFERENCES "plan_step" ("organization_id", "id") ON DELETE SET NULL ("step_id");
--> statement-breakpoint
ALTER TABLE "skill_execution" DROP CONSTRAINT "skill_execution_step_fkey", ADD CONSTRAINT "skill_execution_step_fkey" FOREIGN KEY ("organization_id", "step_id") REFERENCES "plan_step" ("organization_id", "id") ON DELETE SET NULL ("step_id");
--> statement-breakpoint
ALTER TABLE "ai_usage" DROP CONSTRAINT "ai_usage_step_fkey", ADD CONSTRAINT "ai_usage_step_fkey" FOREIGN KEY ("organization_id", "step_id") REFERENCES "plan_step" ("organization_id", "id") ON DELETE SET NULL ("step_id");
