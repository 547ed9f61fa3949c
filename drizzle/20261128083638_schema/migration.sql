CREATE TYPE "ai_batch_status" AS ENUM('pending', 'in_progress', 'completed', 'failed', 'cancelled');--> statement-breakpoint
CREATE TYPE "ai_model_kind" AS ENUM('chat', 'embedding');--> statement-breakpoint
CREATE TYPE "tenant_type" AS ENUM('personal', 'team', 'enterprise');--> statement-breakpoint
CREATE TYPE "artifact_kind" AS ENUM('document', 'web_page', 'dataset', 'note', 'file');--> statement-breakpoint
CREATE TYPE "audit_action" AS ENUM('plan_created', 'plan_updated', 'plan_status_changed', 'plan_deleted', 'step_added', 'step_updated', 'step_moved', 'step_removed', 'condition_set', 'condition_removed');--> statement-breakpoint
CREATE TYPE "execution_status" AS ENUM('running', 'succeeded', 'failed');--> statement-breakpoint
CREATE TYPE "output_format" AS ENUM('markdown', 'json', 'html');--> statement-breakpoint
CREATE TYPE "plan_status" AS ENUM('draft', 'running', 'completed', 'failed', 'cancelled');--> statement-breakpoint
CREATE TYPE "step_status" AS ENUM('pending', 'running', 'completed', 'failed', 'skipped');--> statement-breakpoint
CREATE TYPE "tool_call_status" AS ENUM('success', 'error', 'timeout');--> statement-breakpoint
CREATE TABLE "ai_batch" (
	"id" text PRIMARY KEY,
	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
	"organization_id" text DEFAULT nullif(current_setting('app.organization_id', true), '') NOT NULL,
	"plan_id" text,
	"model_id" text NOT NULL,
	"status" "ai_batch_status" DEFAULT 'pending'::"ai_batch_status" NOT NULL,
	"provider_batch_id" text,
	"request_count" integer DEFAULT 0 NOT NULL,
	"completed_count" integer DEFAULT 0 NOT NULL,
	"submitted_at" timestamp(3) with time zone,
	"completed_at" timestamp(3) with time zone,
	CONSTRAINT "ai_batch_organization_id_id_key" UNIQUE("organization_id","id")
);
--> statement-breakpoint
ALTER TABLE "ai_batch" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "ai_call_details" (
	"id" text PRIMARY KEY,
	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
	"organization_id" text DEFAULT nullif(current_setting('app.organization_id', true), '') NOT NULL,
	"usage_id" text NOT NULL,
	"request_metadata" jsonb NOT NULL,
	"latency_ms" integer,
	CONSTRAINT "ai_call_details_organization_id_id_key" UNIQUE("organization_id","id"),
	CONSTRAINT "ai_call_details_usage_key" UNIQUE("organization_id","usage_id")
);
--> statement-breakpoint
ALTER TABLE "ai_call_details" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "ai_model" (
	"id" text PRIMARY KEY,
	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
	"provider" text NOT NULL,
	"name" text NOT NULL,
	"display_name" text NOT NULL,
	"kind" "ai_model_kind" NOT NULL,
	"context_window" integer NOT NULL,
	"is_active" boolean DEFAULT true NOT NULL,
	CONSTRAINT "ai_model_provider_name_key" UNIQUE("provider","name")
);
--> statement-breakpoint
CREATE TABLE "ai_model_pricing" (
	"id" text PRIMARY KEY,
	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
	"model_id" text NOT NULL,
	"input_price_per_token" numeric(20,12) NOT NULL,
	"output_price_per_token" numeric(20,12) NOT NULL,
	"valid_from" timestamp(3) with time zone NOT NULL,
	"valid_to" timestamp(3) with time zone,
	CONSTRAINT "ai_model_pricing_valid_range" CHECK ("valid_to" is null or "valid_to" > "valid_from"),
	CONSTRAINT "ai_model_pricing_non_negative" CHECK ("input_price_per_token" >= 0 and "output_price_per_token" >= 0)
);
--> statement-breakpoint
CREATE TABLE "ai_usage" (
	"id" text PRIMARY KEY,
	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
	"organization_id" text DEFAULT nullif(current_setting('app.organization_id', true), '') NOT NULL,
	"model_id" text NOT NULL,
	"user_id" text,
	"plan_id" text,
	"step_id" text,
	"batch_id" text,
	"input_tokens" integer NOT NULL,
	"output_tokens" integer NOT NULL,
	"cost_usd" numeric(20,10) NOT NULL,
	"occurred_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ai_usage_organization_id_id_key" UNIQUE("organization_id","id"),
	CONSTRAINT "ai_usage_tokens_non_negative" CHECK ("input_tokens" >= 0 and "output_tokens" >= 0)
);
--> statement-breakpoint
ALTER TABLE "ai_usage" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "account" (
	"id" text PRIMARY KEY,
	"account_id" text NOT NULL,
	"provider_id" text NOT NULL,
	"user_id" text NOT NULL,
	"access_token" text,
	"refresh_token" text,
	"id_token" text,
	"access_token_expires_at" timestamp(3) with time zone,
	"refresh_token_expires_at" timestamp(3) with time zone,
	"scope" text,
	"password" text,
	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp(3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "invitation" (
	"id" text PRIMARY KEY,
	"organization_id" text DEFAULT nullif(current_setting('app.organization_id', true), '') NOT NULL,
	"email" text NOT NULL,
	"role" text,
	"status" text DEFAULT 'pending' NOT NULL,
	"expires_at" timestamp(3) with time zone NOT NULL,
	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
	"inviter_id" text NOT NULL,
	CONSTRAINT "invitation_organization_id_id_key" UNIQUE("organization_id","id")
);
--> statement-breakpoint
ALTER TABLE "invitation" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "member" (
	"id" text PRIMARY KEY,
	"organization_id" text DEFAULT nullif(current_setting('app.organization_id', true), '') NOT NULL,
	"user_id" text NOT NULL,
	"role" text DEFAULT 'member' NOT NULL,
	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "member_organization_id_id_key" UNIQUE("organization_id","id"),
	CONSTRAINT "member_organization_id_user_id_key" UNIQUE("organization_id","user_id")
);
--> statement-breakpoint
ALTER TABLE "member" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "organization" (
	"id" text PRIMARY KEY,
	"name" text NOT NULL,
	"slug" text NOT NULL,
	"logo" text,
	"type" "tenant_type" DEFAULT 'team'::"tenant_type" NOT NULL,
	"metadata" text,
	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "session" (
	"id" text PRIMARY KEY,
	"expires_at" timestamp(3) with time zone NOT NULL,
	"token" text NOT NULL UNIQUE,
	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
	"ip_address" text,
	"user_agent" text,
	"user_id" text NOT NULL,
	"active_organization_id" text
);
--> statement-breakpoint
CREATE TABLE "user" (
	"id" text PRIMARY KEY,
	"name" text NOT NULL,
	"email" text NOT NULL UNIQUE,
	"email_verified" boolean DEFAULT false NOT NULL,
	"image" text,
	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp(3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "verification" (
	"id" text PRIMARY KEY,
	"identifier" text NOT NULL,
	"value" text NOT NULL,
	"expires_at" timestamp(3) with time zone NOT NULL,
	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp(3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "personal_access_token" (
	"id" text PRIMARY KEY,
	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
	"user_id" text NOT NULL,
	"name" text NOT NULL,
	"token_hash" text NOT NULL,
	"token_prefix" text NOT NULL,
	"scopes" text[] NOT NULL,
	"expires_at" timestamp(3) with time zone,
	"revoked_at" timestamp(3) with time zone,
	"last_used_at" timestamp(3) with time zone
);
--> statement-breakpoint
CREATE TABLE "extraction_result" (
	"id" text PRIMARY KEY,
	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
	"organization_id" text DEFAULT nullif(current_setting('app.organization_id', true), '') NOT NULL,
	"artifact_id" text NOT NULL,
	"extraction_schema" jsonb NOT NULL,
	"values" jsonb NOT NULL,
	"confidence" real,
	CONSTRAINT "extraction_result_organization_id_id_key" UNIQUE("organization_id","id"),
	CONSTRAINT "extraction_result_confidence_range" CHECK ("confidence" between 0 and 1)
);
--> statement-breakpoint
ALTER TABLE "extraction_result" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "mcp_tool_call_log" (
	"id" text PRIMARY KEY,
	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
	"organization_id" text DEFAULT nullif(current_setting('app.organization_id', true), '') NOT NULL,
	"skill_execution_id" text NOT NULL,
	"server_name" text NOT NULL,
	"tool_name" text NOT NULL,
	"status" "tool_call_status" NOT NULL,
	"duration_ms" integer,
	"metadata" jsonb NOT NULL,
	CONSTRAINT "mcp_tool_call_log_organization_id_id_key" UNIQUE("organization_id","id")
);
--> statement-breakpoint
ALTER TABLE "mcp_tool_call_log" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "plan_audit_log" (
	"id" text PRIMARY KEY,
	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
	"organization_id" text DEFAULT nullif(current_setting('app.organization_id', true), '') NOT NULL,
	"plan_id" text,
	"actor_id" text,
	"action" "audit_action" NOT NULL,
	"diff" jsonb NOT NULL,
	CONSTRAINT "plan_audit_log_organization_id_id_key" UNIQUE("organization_id","id")
);
--> statement-breakpoint
ALTER TABLE "plan_audit_log" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "plan_branching_condition" (
	"id" text PRIMARY KEY,
	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
	"organization_id" text DEFAULT nullif(current_setting('app.organization_id', true), '') NOT NULL,
	"step_id" text NOT NULL,
	"target_step_id" text NOT NULL,
	"label" text,
	"rule" jsonb NOT NULL,
	"priority" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "plan_branching_condition_organization_id_id_key" UNIQUE("organization_id","id")
);
--> statement-breakpoint
ALTER TABLE "plan_branching_condition" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "plan_step" (
	"id" text PRIMARY KEY,
	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
	"organization_id" text DEFAULT nullif(current_setting('app.organization_id', true), '') NOT NULL,
	"plan_id" text NOT NULL,
	"position" integer NOT NULL,
	"title" text NOT NULL,
	"instructions" text,
	"status" "step_status" DEFAULT 'pending'::"step_status" NOT NULL,
	"step_execution_report" jsonb,
	"started_at" timestamp(3) with time zone,
	"completed_at" timestamp(3) with time zone,
	CONSTRAINT "plan_step_organization_id_id_key" UNIQUE("organization_id","id"),
	CONSTRAINT "plan_step_plan_position_key" UNIQUE("organization_id","plan_id","position"),
	CONSTRAINT "plan_step_position_positive" CHECK ("position" >= 1)
);
--> statement-breakpoint
ALTER TABLE "plan_step" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "research_artifact" (
	"id" text PRIMARY KEY,
	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
	"organization_id" text DEFAULT nullif(current_setting('app.organization_id', true), '') NOT NULL,
	"plan_id" text NOT NULL,
	"step_id" text,
	"kind" "artifact_kind" NOT NULL,
	"title" text NOT NULL,
	"source_uri" text,
	"mime_type" text,
	"content" text,
	"byte_size" integer,
	"metadata" jsonb DEFAULT '{}' NOT NULL,
	CONSTRAINT "research_artifact_organization_id_id_key" UNIQUE("organization_id","id")
);
--> statement-breakpoint
ALTER TABLE "research_artifact" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "research_feedback" (
	"id" text PRIMARY KEY,
	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
	"organization_id" text DEFAULT nullif(current_setting('app.organization_id', true), '') NOT NULL,
	"output_id" text NOT NULL,
	"author_id" text NOT NULL,
	"rating" smallint NOT NULL,
	"comment" text,
	CONSTRAINT "research_feedback_organization_id_id_key" UNIQUE("organization_id","id"),
	CONSTRAINT "research_feedback_rating_range" CHECK ("rating" between 1 and 5)
);
--> statement-breakpoint
ALTER TABLE "research_feedback" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "research_output" (
	"id" text PRIMARY KEY,
	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
	"organization_id" text DEFAULT nullif(current_setting('app.organization_id', true), '') NOT NULL,
	"plan_id" text NOT NULL,
	"title" text NOT NULL,
	"format" "output_format" DEFAULT 'markdown'::"output_format" NOT NULL,
	"content" text NOT NULL,
	"result_summary" jsonb NOT NULL,
	"published_at" timestamp(3) with time zone,
	CONSTRAINT "research_output_organization_id_id_key" UNIQUE("organization_id","id")
);
--> statement-breakpoint
ALTER TABLE "research_output" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "research_plan" (
	"id" text PRIMARY KEY,
	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
	"organization_id" text DEFAULT nullif(current_setting('app.organization_id', true), '') NOT NULL,
	"title" text NOT NULL,
	"description" text,
	"status" "plan_status" DEFAULT 'draft'::"plan_status" NOT NULL,
	"author_id" text NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"started_at" timestamp(3) with time zone,
	"completed_at" timestamp(3) with time zone,
	CONSTRAINT "research_plan_organization_id_id_key" UNIQUE("organization_id","id")
);
--> statement-breakpoint
ALTER TABLE "research_plan" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "skill_execution" (
	"id" text PRIMARY KEY,
	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
	"organization_id" text DEFAULT nullif(current_setting('app.organization_id', true), '') NOT NULL,
	"plan_id" text NOT NULL,
	"step_id" text,
	"skill_name" text NOT NULL,
	"status" "execution_status" DEFAULT 'running'::"execution_status" NOT NULL,
	"input" jsonb DEFAULT '{}' NOT NULL,
	"output" jsonb,
	"error_message" text,
	"started_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp(3) with time zone,
	CONSTRAINT "skill_execution_organization_id_id_key" UNIQUE("organization_id","id")
);
--> statement-breakpoint
ALTER TABLE "skill_execution" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "document_chunk" (
	"id" text PRIMARY KEY,
	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
	"organization_id" text DEFAULT nullif(current_setting('app.organization_id', true), '') NOT NULL,
	"artifact_id" text NOT NULL,
	"chunk_index" integer NOT NULL,
	"content" text NOT NULL,
	"token_count" integer NOT NULL,
	"embedding" halfvec(1536) NOT NULL,
	"metadata" jsonb DEFAULT '{}' NOT NULL,
	CONSTRAINT "document_chunk_organization_id_id_key" UNIQUE("organization_id","id"),
	CONSTRAINT "document_chunk_artifact_index_key" UNIQUE("organization_id","artifact_id","chunk_index")
);
--> statement-breakpoint
ALTER TABLE "document_chunk" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE INDEX "ai_batch_org_status_idx" ON "ai_batch" ("organization_id","status");--> statement-breakpoint
CREATE INDEX "ai_batch_plan_idx" ON "ai_batch" ("organization_id","plan_id");--> statement-breakpoint
CREATE INDEX "ai_batch_model_idx" ON "ai_batch" ("model_id");--> statement-breakpoint
CREATE INDEX "ai_model_pricing_model_valid_idx" ON "ai_model_pricing" ("model_id","valid_from");--> statement-breakpoint
CREATE INDEX "ai_usage_org_occurred_idx" ON "ai_usage" ("organization_id","occurred_at");--> statement-breakpoint
CREATE INDEX "ai_usage_org_model_occurred_idx" ON "ai_usage" ("organization_id","model_id","occurred_at");--> statement-breakpoint
CREATE INDEX "ai_usage_plan_idx" ON "ai_usage" ("organization_id","plan_id");--> statement-breakpoint
CREATE INDEX "ai_usage_step_idx" ON "ai_usage" ("organization_id","step_id");--> statement-breakpoint
CREATE INDEX "ai_usage_batch_idx" ON "ai_usage" ("organization_id","batch_id");--> statement-breakpoint
CREATE INDEX "ai_usage_model_idx" ON "ai_usage" ("model_id");--> statement-breakpoint
CREATE INDEX "ai_usage_user_idx" ON "ai_usage" ("user_id");--> statement-breakpoint
CREATE INDEX "account_user_id_idx" ON "account" ("user_id");--> statement-breakpoint
CREATE INDEX "invitation_organization_id_email_idx" ON "invitation" ("organization_id","email");--> statement-breakpoint
CREATE INDEX "invitation_inviter_id_idx" ON "invitation" ("inviter_id");--> statement-breakpoint
CREATE INDEX "member_user_id_idx" ON "member" ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "organization_slug_key" ON "organization" ("slug");--> statement-breakpoint
CREATE INDEX "session_user_id_idx" ON "session" ("user_id");--> statement-breakpoint
CREATE INDEX "verification_identifier_idx" ON "verification" ("identifier");--> statement-breakpoint
CREATE UNIQUE INDEX "personal_access_token_hash_key" ON "personal_access_token" ("token_hash");--> statement-breakpoint
CREATE INDEX "personal_access_token_user_idx" ON "personal_access_token" ("user_id","created_at");--> statement-breakpoint
CREATE INDEX "extraction_result_artifact_idx" ON "extraction_result" ("organization_id","artifact_id");--> statement-breakpoint
CREATE INDEX "mcp_tool_call_log_execution_idx" ON "mcp_tool_call_log" ("organization_id","skill_execution_id","created_at");--> statement-breakpoint
CREATE INDEX "mcp_tool_call_log_tool_idx" ON "mcp_tool_call_log" ("organization_id","tool_name");--> statement-breakpoint
CREATE INDEX "plan_audit_log_plan_idx" ON "plan_audit_log" ("organization_id","plan_id","created_at");--> statement-breakpoint
CREATE INDEX "plan_audit_log_actor_idx" ON "plan_audit_log" ("actor_id");--> statement-breakpoint
CREATE INDEX "plan_branching_condition_step_idx" ON "plan_branching_condition" ("organization_id","step_id","priority");--> statement-breakpoint
CREATE INDEX "plan_branching_condition_target_idx" ON "plan_branching_condition" ("organization_id","target_step_id");--> statement-breakpoint
CREATE INDEX "research_artifact_plan_idx" ON "research_artifact" ("organization_id","plan_id","created_at");--> statement-breakpoint
CREATE INDEX "research_artifact_step_idx" ON "research_artifact" ("organization_id","step_id");--> statement-breakpoint
CREATE INDEX "research_feedback_output_idx" ON "research_feedback" ("organization_id","output_id","created_at");--> statement-breakpoint
CREATE INDEX "research_feedback_author_idx" ON "research_feedback" ("author_id");--> statement-breakpoint
CREATE INDEX "research_output_plan_idx" ON "research_output" ("organization_id","plan_id","created_at");--> statement-breakpoint
CREATE INDEX "research_plan_org_created_idx" ON "research_plan" ("organization_id","created_at","id");--> statement-breakpoint
CREATE INDEX "research_plan_org_updated_idx" ON "research_plan" ("organization_id","updated_at","id");--> statement-breakpoint
CREATE INDEX "research_plan_org_title_idx" ON "research_plan" ("organization_id","title","id");--> statement-breakpoint
CREATE INDEX "research_plan_org_status_idx" ON "research_plan" ("organization_id","status");--> statement-breakpoint
CREATE INDEX "research_plan_author_idx" ON "research_plan" ("author_id");--> statement-breakpoint
CREATE INDEX "skill_execution_plan_idx" ON "skill_execution" ("organization_id","plan_id","started_at");--> statement-breakpoint
CREATE INDEX "skill_execution_step_idx" ON "skill_execution" ("organization_id","step_id");--> statement-breakpoint
CREATE INDEX "document_chunk_embedding_hnsw_idx" ON "document_chunk" USING hnsw ("embedding" halfvec_cosine_ops);--> statement-breakpoint
ALTER TABLE "ai_batch" ADD CONSTRAINT "ai_batch_model_id_ai_model_id_fkey" FOREIGN KEY ("model_id") REFERENCES "ai_model"("id");--> statement-breakpoint
ALTER TABLE "ai_batch" ADD CONSTRAINT "ai_batch_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organization"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "ai_batch" ADD CONSTRAINT "ai_batch_plan_fkey" FOREIGN KEY ("organization_id","plan_id") REFERENCES "research_plan"("organization_id","id");--> statement-breakpoint
ALTER TABLE "ai_call_details" ADD CONSTRAINT "ai_call_details_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organization"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "ai_call_details" ADD CONSTRAINT "ai_call_details_usage_fkey" FOREIGN KEY ("organization_id","usage_id") REFERENCES "ai_usage"("organization_id","id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "ai_model_pricing" ADD CONSTRAINT "ai_model_pricing_model_id_ai_model_id_fkey" FOREIGN KEY ("model_id") REFERENCES "ai_model"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "ai_usage" ADD CONSTRAINT "ai_usage_model_id_ai_model_id_fkey" FOREIGN KEY ("model_id") REFERENCES "ai_model"("id");--> statement-breakpoint
ALTER TABLE "ai_usage" ADD CONSTRAINT "ai_usage_user_id_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "user"("id") ON DELETE SET NULL;--> statement-breakpoint
ALTER TABLE "ai_usage" ADD CONSTRAINT "ai_usage_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organization"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "ai_usage" ADD CONSTRAINT "ai_usage_plan_fkey" FOREIGN KEY ("organization_id","plan_id") REFERENCES "research_plan"("organization_id","id");--> statement-breakpoint
ALTER TABLE "ai_usage" ADD CONSTRAINT "ai_usage_step_fkey" FOREIGN KEY ("organization_id","step_id") REFERENCES "plan_step"("organization_id","id") ON DELETE SET NULL;--> statement-breakpoint
ALTER TABLE "ai_usage" ADD CONSTRAINT "ai_usage_batch_fkey" FOREIGN KEY ("organization_id","batch_id") REFERENCES "ai_batch"("organization_id","id");--> statement-breakpoint
ALTER TABLE "account" ADD CONSTRAINT "account_user_id_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "user"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "invitation" ADD CONSTRAINT "invitation_inviter_id_user_id_fkey" FOREIGN KEY ("inviter_id") REFERENCES "user"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "invitation" ADD CONSTRAINT "invitation_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organization"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "member" ADD CONSTRAINT "member_user_id_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "user"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "member" ADD CONSTRAINT "member_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organization"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "session" ADD CONSTRAINT "session_user_id_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "user"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "session" ADD CONSTRAINT "session_active_organization_id_organization_id_fkey" FOREIGN KEY ("active_organization_id") REFERENCES "organization"("id") ON DELETE SET NULL;--> statement-breakpoint
ALTER TABLE "personal_access_token" ADD CONSTRAINT "personal_access_token_user_id_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "user"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "extraction_result" ADD CONSTRAINT "extraction_result_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organization"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "extraction_result" ADD CONSTRAINT "extraction_result_artifact_fkey" FOREIGN KEY ("organization_id","artifact_id") REFERENCES "research_artifact"("organization_id","id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "mcp_tool_call_log" ADD CONSTRAINT "mcp_tool_call_log_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organization"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "mcp_tool_call_log" ADD CONSTRAINT "mcp_tool_call_log_skill_execution_fkey" FOREIGN KEY ("organization_id","skill_execution_id") REFERENCES "skill_execution"("organization_id","id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "plan_audit_log" ADD CONSTRAINT "plan_audit_log_actor_id_user_id_fkey" FOREIGN KEY ("actor_id") REFERENCES "user"("id") ON DELETE SET NULL;--> statement-breakpoint
ALTER TABLE "plan_audit_log" ADD CONSTRAINT "plan_audit_log_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organization"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "plan_audit_log" ADD CONSTRAINT "plan_audit_log_plan_fkey" FOREIGN KEY ("organization_id","plan_id") REFERENCES "research_plan"("organization_id","id") ON DELETE SET NULL;--> statement-breakpoint
ALTER TABLE "plan_branching_condition" ADD CONSTRAINT "plan_branching_condition_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organization"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "plan_branching_condition" ADD CONSTRAINT "plan_branching_condition_step_fkey" FOREIGN KEY ("organization_id","step_id") REFERENCES "plan_step"("organization_id","id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "plan_branching_condition" ADD CONSTRAINT "plan_branching_condition_target_step_fkey" FOREIGN KEY ("organization_id","target_step_id") REFERENCES "plan_step"("organization_id","id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "plan_step" ADD CONSTRAINT "plan_step_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organization"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "plan_step" ADD CONSTRAINT "plan_step_plan_fkey" FOREIGN KEY ("organization_id","plan_id") REFERENCES "research_plan"("organization_id","id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "research_artifact" ADD CONSTRAINT "research_artifact_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organization"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "research_artifact" ADD CONSTRAINT "research_artifact_plan_fkey" FOREIGN KEY ("organization_id","plan_id") REFERENCES "research_plan"("organization_id","id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "research_artifact" ADD CONSTRAINT "research_artifact_step_fkey" FOREIGN KEY ("organization_id","step_id") REFERENCES "plan_step"("organization_id","id") ON DELETE SET NULL;--> statement-breakpoint
ALTER TABLE "research_feedback" ADD CONSTRAINT "research_feedback_author_id_user_id_fkey" FOREIGN KEY ("author_id") REFERENCES "user"("id");--> statement-breakpoint
ALTER TABLE "research_feedback" ADD CONSTRAINT "research_feedback_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organization"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "research_feedback" ADD CONSTRAINT "research_feedback_output_fkey" FOREIGN KEY ("organization_id","output_id") REFERENCES "research_output"("organization_id","id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "research_output" ADD CONSTRAINT "research_output_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organization"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "research_output" ADD CONSTRAINT "research_output_plan_fkey" FOREIGN KEY ("organization_id","plan_id") REFERENCES "research_plan"("organization_id","id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "research_plan" ADD CONSTRAINT "research_plan_author_id_user_id_fkey" FOREIGN KEY ("author_id") REFERENCES "user"("id");--> statement-breakpoint
ALTER TABLE "research_plan" ADD CONSTRAINT "research_plan_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organization"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "skill_execution" ADD CONSTRAINT "skill_execution_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organization"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "skill_execution" ADD CONSTRAINT "skill_execution_plan_fkey" FOREIGN KEY ("organization_id","plan_id") REFERENCES "research_plan"("organization_id","id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "skill_execution" ADD CONSTRAINT "skill_execution_step_fkey" FOREIGN KEY ("organization_id","step_id") REFERENCES "plan_step"("organization_id","id") ON DELETE SET NULL;--> statement-breakpoint
ALTER TABLE "document_chunk" ADD CONSTRAINT "document_chunk_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organization"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "document_chunk" ADD CONSTRAINT "document_chunk_artifact_fkey" FOREIGN KEY ("organization_id","artifact_id") REFERENCES "research_artifact"("organization_id","id") ON DELETE CASCADE;--> statement-breakpoint
CREATE POLICY "ai_batch_tenant_select" ON "ai_batch" AS PERMISSIVE FOR SELECT TO "authenticated" USING ("ai_batch"."organization_id" = nullif((select current_setting('app.organization_id', true)), ''));--> statement-breakpoint
CREATE POLICY "ai_batch_tenant_insert" ON "ai_batch" AS PERMISSIVE FOR INSERT TO "authenticated" WITH CHECK ("ai_batch"."organization_id" = nullif((select current_setting('app.organization_id', true)), ''));--> statement-breakpoint
CREATE POLICY "ai_batch_tenant_update" ON "ai_batch" AS PERMISSIVE FOR UPDATE TO "authenticated" USING ("ai_batch"."organization_id" = nullif((select current_setting('app.organization_id', true)), '')) WITH CHECK ("ai_batch"."organization_id" = nullif((select current_setting('app.organization_id', true)), ''));--> statement-breakpoint
CREATE POLICY "ai_batch_tenant_delete" ON "ai_batch" AS PERMISSIVE FOR DELETE TO "authenticated" USING ("ai_batch"."organization_id" = nullif((select current_setting('app.organization_id', true)), ''));--> statement-breakpoint
CREATE POLICY "ai_call_details_tenant_select" ON "ai_call_details" AS PERMISSIVE FOR SELECT TO "authenticated" USING ("ai_call_details"."organization_id" = nullif((select current_setting('app.organization_id', true)), ''));--> statement-breakpoint
CREATE POLICY "ai_call_details_tenant_insert" ON "ai_call_details" AS PERMISSIVE FOR INSERT TO "authenticated" WITH CHECK ("ai_call_details"."organization_id" = nullif((select current_setting('app.organization_id', true)), ''));--> statement-breakpoint
CREATE POLICY "ai_call_details_tenant_update" ON "ai_call_details" AS PERMISSIVE FOR UPDATE TO "authenticated" USING ("ai_call_details"."organization_id" = nullif((select current_setting('app.organization_id', true)), '')) WITH CHECK ("ai_call_details"."organization_id" = nullif((select current_setting('app.organization_id', true)), ''));--> statement-breakpoint
CREATE POLICY "ai_call_details_tenant_delete" ON "ai_call_details" AS PERMISSIVE FOR DELETE TO "authenticated" USING ("ai_call_details"."organization_id" = nullif((select current_setting('app.organization_id', true)), ''));--> statement-breakpoint
CREATE POLICY "ai_usage_tenant_select" ON "ai_usage" AS PERMISSIVE FOR SELECT TO "authenticated" USING ("ai_usage"."organization_id" = nullif((select current_setting('app.organization_id', true)), ''));--> statement-breakpoint
CREATE POLICY "ai_usage_tenant_insert" ON "ai_usage" AS PERMISSIVE FOR INSERT TO "authenticated" WITH CHECK ("ai_usage"."organization_id" = nullif((select current_setting('app.organization_id', true)), ''));--> statement-breakpoint
CREATE POLICY "ai_usage_tenant_update" ON "ai_usage" AS PERMISSIVE FOR UPDATE TO "authenticated" USING ("ai_usage"."organization_id" = nullif((select current_setting('app.organization_id', true)), '')) WITH CHECK ("ai_usage"."organization_id" = nullif((select current_setting('app.organization_id', true)), ''));--> statement-breakpoint
CREATE POLICY "ai_usage_tenant_delete" ON "ai_usage" AS PERMISSIVE FOR DELETE TO "authenticated" USING ("ai_usage"."organization_id" = nullif((select current_setting('app.organization_id', true)), ''));--> statement-breakpoint
CREATE POLICY "invitation_tenant_select" ON "invitation" AS PERMISSIVE FOR SELECT TO "authenticated" USING ("invitation"."organization_id" = nullif((select current_setting('app.organization_id', true)), ''));--> statement-breakpoint
CREATE POLICY "invitation_tenant_insert" ON "invitation" AS PERMISSIVE FOR INSERT TO "authenticated" WITH CHECK ("invitation"."organization_id" = nullif((select current_setting('app.organization_id', true)), ''));--> statement-breakpoint
CREATE POLICY "invitation_tenant_update" ON "invitation" AS PERMISSIVE FOR UPDATE TO "authenticated" USING ("invitation"."organization_id" = nullif((select current_setting('app.organization_id', true)), '')) WITH CHECK ("invitation"."organization_id" = nullif((select current_setting('app.organization_id', true)), ''));--> statement-breakpoint
CREATE POLICY "invitation_tenant_delete" ON "invitation" AS PERMISSIVE FOR DELETE TO "authenticated" USING ("invitation"."organization_id" = nullif((select current_setting('app.organization_id', true)), ''));--> statement-breakpoint
CREATE POLICY "member_tenant_select" ON "member" AS PERMISSIVE FOR SELECT TO "authenticated" USING ("member"."organization_id" = nullif((select current_setting('app.organization_id', true)), ''));--> statement-breakpoint
CREATE POLICY "member_tenant_insert" ON "member" AS PERMISSIVE FOR INSERT TO "authenticated" WITH CHECK ("member"."organization_id" = nullif((select current_setting('app.organization_id', true)), ''));--> statement-breakpoint
CREATE POLICY "member_tenant_update" ON "member" AS PERMISSIVE FOR UPDATE TO "authenticated" USING ("member"."organization_id" = nullif((select current_setting('app.organization_id', true)), '')) WITH CHECK ("member"."organization_id" = nullif((select current_setting('app.organization_id', true)), ''));--> statement-breakpoint
CREATE POLICY "member_tenant_delete" ON "member" AS PERMISSIVE FOR DELETE TO "authenticated" USING ("member"."organization_id" = nullif((select current_setting('app.organization_id', true)), ''));--> statement-breakpoint
CREATE POLICY "extraction_result_tenant_select" ON "extraction_result" AS PERMISSIVE FOR SELECT TO "authenticated" USING ("extraction_result"."organization_id" = nullif((select current_setting('app.organization_id', true)), ''));--> statement-breakpoint
CREATE POLICY "extraction_result_tenant_insert" ON "extraction_result" AS PERMISSIVE FOR INSERT TO "authenticated" WITH CHECK ("extraction_result"."organization_id" = nullif((select current_setting('app.organization_id', true)), ''));--> statement-breakpoint
CREATE POLICY "extraction_result_tenant_update" ON "extraction_result" AS PERMISSIVE FOR UPDATE TO "authenticated" USING ("extraction_result"."organization_id" = nullif((select current_setting('app.organization_id', true)), '')) WITH CHECK ("extraction_result"."organization_id" = nullif((select current_setting('app.organization_id', true)), ''));--> statement-breakpoint
CREATE POLICY "extraction_result_tenant_delete" ON "extraction_result" AS PERMISSIVE FOR DELETE TO "authenticated" USING ("extraction_result"."organization_id" = nullif((select current_setting('app.organization_id', true)), ''));--> statement-breakpoint
CREATE POLICY "mcp_tool_call_log_tenant_select" ON "mcp_tool_call_log" AS PERMISSIVE FOR SELECT TO "authenticated" USING ("mcp_tool_call_log"."organization_id" = nullif((select current_setting('app.organization_id', true)), ''));--> statement-breakpoint
CREATE POLICY "mcp_tool_call_log_tenant_insert" ON "mcp_tool_call_log" AS PERMISSIVE FOR INSERT TO "authenticated" WITH CHECK ("mcp_tool_call_log"."organization_id" = nullif((select current_setting('app.organization_id', true)), ''));--> statement-breakpoint
CREATE POLICY "mcp_tool_call_log_tenant_update" ON "mcp_tool_call_log" AS PERMISSIVE FOR UPDATE TO "authenticated" USING ("mcp_tool_call_log"."organization_id" = nullif((select current_setting('app.organization_id', true)), '')) WITH CHECK ("mcp_tool_call_log"."organization_id" = nullif((select current_setting('app.organization_id', true)), ''));--> statement-breakpoint
CREATE POLICY "mcp_tool_call_log_tenant_delete" ON "mcp_tool_call_log" AS PERMISSIVE FOR DELETE TO "authenticated" USING ("mcp_tool_call_log"."organization_id" = nullif((select current_setting('app.organization_id', true)), ''));--> statement-breakpoint
CREATE POLICY "plan_audit_log_tenant_select" ON "plan_audit_log" AS PERMISSIVE FOR SELECT TO "authenticated" USING ("plan_audit_log"."organization_id" = nullif((select current_setting('app.organization_id', true)), ''));--> statement-breakpoint
CREATE POLICY "plan_audit_log_tenant_insert" ON "plan_audit_log" AS PERMISSIVE FOR INSERT TO "authenticated" WITH CHECK ("plan_audit_log"."organization_id" = nullif((select current_setting('app.organization_id', true)), ''));--> statement-breakpoint
CREATE POLICY "plan_audit_log_tenant_update" ON "plan_audit_log" AS PERMISSIVE FOR UPDATE TO "authenticated" USING ("plan_audit_log"."organization_id" = nullif((select current_setting('app.organization_id', true)), '')) WITH CHECK ("plan_audit_log"."organization_id" = nullif((select current_setting('app.organization_id', true)), ''));--> statement-breakpoint
CREATE POLICY "plan_audit_log_tenant_delete" ON "plan_audit_log" AS PERMISSIVE FOR DELETE TO "authenticated" USING ("plan_audit_log"."organization_id" = nullif((select current_setting('app.organization_id', true)), ''));--> statement-breakpoint
CREATE POLICY "plan_branching_condition_tenant_select" ON "plan_branching_condition" AS PERMISSIVE FOR SELECT TO "authenticated" USING ("plan_branching_condition"."organization_id" = nullif((select current_setting('app.organization_id', true)), ''));--> statement-breakpoint
CREATE POLICY "plan_branching_condition_tenant_insert" ON "plan_branching_condition" AS PERMISSIVE FOR INSERT TO "authenticated" WITH CHECK ("plan_branching_condition"."organization_id" = nullif((select current_setting('app.organization_id', true)), ''));--> statement-breakpoint
CREATE POLICY "plan_branching_condition_tenant_update" ON "plan_branching_condition" AS PERMISSIVE FOR UPDATE TO "authenticated" USING ("plan_branching_condition"."organization_id" = nullif((select current_setting('app.organization_id', true)), '')) WITH CHECK ("plan_branching_condition"."organization_id" = nullif((select current_setting('app.organization_id', true)), ''));--> statement-breakpoint
CREATE POLICY "plan_branching_condition_tenant_delete" ON "plan_branching_condition" AS PERMISSIVE FOR DELETE TO "authenticated" USING ("plan_branching_condition"."organization_id" = nullif((select current_setting('app.organization_id', true)), ''));--> statement-breakpoint
CREATE POLICY "plan_step_tenant_select" ON "plan_step" AS PERMISSIVE FOR SELECT TO "authenticated" USING ("plan_step"."organization_id" = nullif((select current_setting('app.organization_id', true)), ''));--> statement-breakpoint
CREATE POLICY "plan_step_tenant_insert" ON "plan_step" AS PERMISSIVE FOR INSERT TO "authenticated" WITH CHECK ("plan_step"."organization_id" = nullif((select current_setting('app.organization_id', true)), ''));--> statement-breakpoint
CREATE POLICY "plan_step_tenant_update" ON "plan_step" AS PERMISSIVE FOR UPDATE TO "authenticated" USING ("plan_step"."organization_id" = nullif((select current_setting('app.organization_id', true)), '')) WITH CHECK ("plan_step"."organization_id" = nullif((select current_setting('app.organization_id', true)), ''));--> statement-breakpoint
CREATE POLICY "plan_step_tenant_delete" ON "plan_step" AS PERMISSIVE FOR DELETE TO "authenticated" USING ("plan_step"."organization_id" = nullif((select current_setting('app.organization_id', true)), ''));--> statement-breakpoint
CREATE POLICY "research_artifact_tenant_select" ON "research_artifact" AS PERMISSIVE FOR SELECT TO "authenticated" USING ("research_artifact"."organization_id" = nullif((select current_setting('app.organization_id', true)), ''));--> statement-breakpoint
CREATE POLICY "research_artifact_tenant_insert" ON "research_artifact" AS PERMISSIVE FOR INSERT TO "authenticated" WITH CHECK ("research_artifact"."organization_id" = nullif((select current_setting('app.organization_id', true)), ''));--> statement-breakpoint
CREATE POLICY "research_artifact_tenant_update" ON "research_artifact" AS PERMISSIVE FOR UPDATE TO "authenticated" USING ("research_artifact"."organization_id" = nullif((select current_setting('app.organization_id', true)), '')) WITH CHECK ("research_artifact"."organization_id" = nullif((select current_setting('app.organization_id', true)), ''));--> statement-breakpoint
CREATE POLICY "research_artifact_tenant_delete" ON "research_artifact" AS PERMISSIVE FOR DELETE TO "authenticated" USING ("research_artifact"."organization_id" = nullif((select current_setting('app.organization_id', true)), ''));--> statement-breakpoint
CREATE POLICY "research_feedback_tenant_select" ON "research_feedback" AS PERMISSIVE FOR SELECT TO "authenticated" USING ("research_feedback"."organization_id" = nullif((select current_setting('app.organization_id', true)), ''));--> statement-breakpoint
CREATE POLICY "research_feedback_tenant_insert" ON "research_feedback" AS PERMISSIVE FOR INSERT TO "authenticated" WITH CHECK ("research_feedback"."organization_id" = nullif((select current_setting('app.organization_id', true)), ''));--> statement-breakpoint
CREATE POLICY "research_feedback_tenant_update" ON "research_feedback" AS PERMISSIVE FOR UPDATE TO "authenticated" USING ("research_feedback"."organization_id" = nullif((select current_setting('app.organization_id', true)), '')) WITH CHECK ("research_feedback"."organization_id" = nullif((select current_setting('app.organization_id', true)), ''));--> statement-breakpoint
CREATE POLICY "research_feedback_tenant_delete" ON "research_feedback" AS PERMISSIVE FOR DELETE TO "authenticated" USING ("research_feedback"."organization_id" = nullif((select current_setting('app.organization_id', true)), ''));--> statement-breakpoint
CREATE POLICY "research_output_tenant_select" ON "research_output" AS PERMISSIVE FOR SELECT TO "authenticated" USING ("research_output"."organization_id" = nullif((select current_setting('app.organization_id', true)), ''));--> statement-breakpoint
CREATE POLICY "research_output_tenant_insert" ON "research_output" AS PERMISSIVE FOR INSERT TO "authenticated" WITH CHECK ("research_output"."organization_id" = nullif((select current_setting('app.organization_id', true)), ''));--> statement-breakpoint
CREATE POLICY "research_output_tenant_update" ON "research_output" AS PERMISSIVE FOR UPDATE TO "authenticated" USING ("research_output"."organization_id" = nullif((select current_setting('app.organization_id', true)), '')) WITH CHECK ("research_output"."organization_id" = nullif((select current_setting('app.organization_id', true)), ''));--> statement-breakpoint
CREATE POLICY "research_output_tenant_delete" ON "research_output" AS PERMISSIVE FOR DELETE TO "authenticated" USING ("research_output"."organization_id" = nullif((select current_setting('app.organization_id', true)), ''));--> statement-breakpoint
CREATE POLICY "research_plan_tenant_select" ON "research_plan" AS PERMISSIVE FOR SELECT TO "authenticated" USING ("research_plan"."organization_id" = nullif((select current_setting('app.organization_id', true)), ''));--> statement-breakpoint
CREATE POLICY "research_plan_tenant_insert" ON "research_plan" AS PERMISSIVE FOR INSERT TO "authenticated" WITH CHECK ("research_plan"."organization_id" = nullif((select current_setting('app.organization_id', true)), ''));--> statement-breakpoint
CREATE POLICY "research_plan_tenant_update" ON "research_plan" AS PERMISSIVE FOR UPDATE TO "authenticated" USING ("research_plan"."organization_id" = nullif((select current_setting('app.organization_id', true)), '')) WITH CHECK ("research_plan"."organization_id" = nullif((select current_setting('app.organization_id', true)), ''));--> statement-breakpoint
CREATE POLICY "research_plan_tenant_delete" ON "research_plan" AS PERMISSIVE FOR DELETE TO "authenticated" USING ("research_plan"."organization_id" = nullif((select current_setting('app.organization_id', true)), ''));--> statement-breakpoint
CREATE POLICY "skill_execution_tenant_select" ON "skill_execution" AS PERMISSIVE FOR SELECT TO "authenticated" USING ("skill_execution"."organization_id" = nullif((select current_setting('app.organization_id', true)), ''));--> statement-breakpoint
CREATE POLICY "skill_execution_tenant_insert" ON "skill_execution" AS PERMISSIVE FOR INSERT TO "authenticated" WITH CHECK ("skill_execution"."organization_id" = nullif((select current_setting('app.organization_id', true)), ''));--> statement-breakpoint
CREATE POLICY "skill_execution_tenant_update" ON "skill_execution" AS PERMISSIVE FOR UPDATE TO "authenticated" USING ("skill_execution"."organization_id" = nullif((select current_setting('app.organization_id', true)), '')) WITH CHECK ("skill_execution"."organization_id" = nullif((select current_setting('app.organization_id', true)), ''));--> statement-breakpoint
CREATE POLICY "skill_execution_tenant_delete" ON "skill_execution" AS PERMISSIVE FOR DELETE TO "authenticated" USING ("skill_execution"."organization_id" = nullif((select current_setting('app.organization_id', true)), ''));--> statement-breakpoint
CREATE POLICY "document_chunk_tenant_select" ON "document_chunk" AS PERMISSIVE FOR SELECT TO "authenticated" USING ("document_chunk"."organization_id" = nullif((select current_setting('app.organization_id', true)), ''));--> statement-breakpoint
CREATE POLICY "document_chunk_tenant_insert" ON "document_chunk" AS PERMISSIVE FOR INSERT TO "authenticated" WITH CHECK ("document_chunk"."organization_id" = nullif((select current_setting('app.organization_id', true)), ''));--> statement-breakpoint
CREATE POLICY "document_chunk_tenant_update" ON "document_chunk" AS PERMISSIVE FOR UPDATE TO "authenticated" USING ("document_chunk"."organization_id" = nullif((select current_setting('app.organization_id', true)), '')) WITH CHECK ("document_chunk"."organization_id" = nullif((select current_setting('app.organization_id', true)), ''));--> statement-breakpoint
CREATE POLICY "document_chunk_tenant_delete" ON "document_chunk" AS PERMISSIVE FOR DELETE TO "authenticated" USING ("document_chunk"."organization_id" = nullif((select current_setting('app.organization_id', true)), ''));