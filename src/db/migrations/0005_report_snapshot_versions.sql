CREATE TABLE "ledger_versions" (
	"organization_id" uuid PRIMARY KEY NOT NULL,
	"version" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
ALTER TABLE "report_snapshots" ADD COLUMN "ledger_version" bigint NOT NULL;--> statement-breakpoint
ALTER TABLE "ledger_versions" ADD CONSTRAINT "ledger_versions_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE OR REPLACE FUNCTION duely_bump_ledger_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- the firms whose ledger this statement changed (a firm being deleted is skipped)
  INSERT INTO ledger_versions (organization_id, version)
  SELECT DISTINCT c.organization_id, 1 FROM changed c
   WHERE EXISTS (SELECT 1 FROM organizations o WHERE o.id = c.organization_id)
  ON CONFLICT (organization_id) DO UPDATE SET version = ledger_versions.version + 1;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER invoices_ledger_ins AFTER INSERT ON invoices REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION duely_bump_ledger_version();
--> statement-breakpoint
CREATE TRIGGER invoices_ledger_upd AFTER UPDATE ON invoices REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION duely_bump_ledger_version();
--> statement-breakpoint
CREATE TRIGGER invoices_ledger_del AFTER DELETE ON invoices REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION duely_bump_ledger_version();
--> statement-breakpoint
CREATE TRIGGER payments_ledger_ins AFTER INSERT ON payments REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION duely_bump_ledger_version();
--> statement-breakpoint
CREATE TRIGGER payments_ledger_upd AFTER UPDATE ON payments REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION duely_bump_ledger_version();
--> statement-breakpoint
CREATE TRIGGER payments_ledger_del AFTER DELETE ON payments REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION duely_bump_ledger_version();
--> statement-breakpoint
CREATE TRIGGER payment_allocations_ledger_ins AFTER INSERT ON payment_allocations REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION duely_bump_ledger_version();
--> statement-breakpoint
CREATE TRIGGER payment_allocations_ledger_upd AFTER UPDATE ON payment_allocations REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION duely_bump_ledger_version();
--> statement-breakpoint
CREATE TRIGGER payment_allocations_ledger_del AFTER DELETE ON payment_allocations REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION duely_bump_ledger_version();
--> statement-breakpoint
CREATE TRIGGER credit_notes_ledger_ins AFTER INSERT ON credit_notes REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION duely_bump_ledger_version();
--> statement-breakpoint
CREATE TRIGGER credit_notes_ledger_upd AFTER UPDATE ON credit_notes REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION duely_bump_ledger_version();
--> statement-breakpoint
CREATE TRIGGER credit_notes_ledger_del AFTER DELETE ON credit_notes REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION duely_bump_ledger_version();
