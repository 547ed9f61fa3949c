-- Live updates (docs/live-updates.md): every committed change to a watched table sends one NOTIFY on the
-- channel `trovella_live` with ids only: {table, id, organization_id, plan_id, op}. NOTIFY is transactional:
-- PostgreSQL delivers it at commit and never for a rolled-back transaction, and it fires for every writer
-- (the gateway as `authenticated`, a worker as the owner). Each gateway process LISTENs on its own connection
-- and re-reads what changed as the subscriber, in a read-only tenant transaction, so RLS decides what it sees.
-- The table name is the trigger's argument, not TG_TABLE_NAME: on a schema partitioned by organization_id the
-- trigger fires on a partition, whose name is not the table's. op: insert, update, delete, or status for an
-- update of research_plan that changed its status. Hand-written (drizzle-kit generate --custom).

CREATE OR REPLACE FUNCTION trovella_private.notify_live_update() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  r record;
  plan text;
  op text := lower(TG_OP);
BEGIN
  IF TG_OP = 'DELETE' THEN r := OLD; ELSE r := NEW; END IF;
  IF TG_ARGV[0] = 'research_plan' THEN
    plan := r.id;
    IF TG_OP = 'UPDATE' AND OLD.status IS DISTINCT FROM NEW.status THEN op := 'status'; END IF;
  ELSIF TG_ARGV[0] = 'plan_branching_condition' THEN
    -- Null when the step is already gone (a cascading delete): then no plan's subscribers hear of it.
    SELECT s.plan_id INTO plan FROM public.plan_step s WHERE s.organization_id = r.organization_id AND s.id = r.step_id;
  ELSE
    plan := r.plan_id;
  END IF;
  PERFORM pg_notify('trovella_live', json_build_object(
    'table', TG_ARGV[0], 'id', r.id, 'organization_id', r.organization_id, 'plan_id', plan, 'op', op)::text);
  RETURN NULL;
END;
$$;--> statement-breakpoint
REVOKE ALL ON FUNCTION trovella_private.notify_live_update() FROM PUBLIC;--> statement-breakpoint
CREATE TRIGGER research_plan_live_update AFTER INSERT OR UPDATE OR DELETE ON "research_plan"
  FOR EACH ROW EXECUTE FUNCTION trovella_private.notify_live_update('research_plan');--> statement-breakpoint
CREATE TRIGGER plan_step_live_update AFTER INSERT OR UPDATE OR DELETE ON "plan_step"
  FOR EACH ROW EXECUTE FUNCTION trovella_private.notify_live_update('plan_step');--> statement-breakpoint
CREATE TRIGGER plan_branching_condition_live_update AFTER INSERT OR UPDATE OR DELETE ON "plan_branching_condition"
  FOR EACH ROW EXECUTE FUNCTION trovella_private.notify_live_update('plan_branching_condition');--> statement-breakpoint
CREATE TRIGGER skill_execution_live_update AFTER INSERT OR UPDATE OR DELETE ON "skill_execution"
  FOR EACH ROW EXECUTE FUNCTION trovella_private.notify_live_update('skill_execution');--> statement-breakpoint
CREATE TRIGGER research_output_live_update AFTER INSERT OR UPDATE OR DELETE ON "research_output"
  FOR EACH ROW EXECUTE FUNCTION trovella_private.notify_live_update('research_output');
