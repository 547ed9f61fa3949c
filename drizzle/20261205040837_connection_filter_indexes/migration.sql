CREATE INDEX "mcp_tool_call_log_org_created_idx" ON "mcp_tool_call_log" ("organization_id","created_at","id");--> statement-breakpoint
CREATE INDEX "research_artifact_org_created_idx" ON "research_artifact" ("organization_id","created_at","id");--> statement-breakpoint
CREATE INDEX "research_feedback_org_created_idx" ON "research_feedback" ("organization_id","created_at","id");--> statement-breakpoint
CREATE INDEX "research_output_org_created_idx" ON "research_output" ("organization_id","created_at","id");--> statement-breakpoint
CREATE INDEX "research_plan_org_title_c_idx" ON "research_plan" ("organization_id","title" collate "C");--> statement-breakpoint
CREATE INDEX "skill_execution_org_started_idx" ON "skill_execution" ("organization_id","started_at","id");