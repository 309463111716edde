ALTER TABLE "connections" ADD COLUMN "grant_key" text;--> statement-breakpoint
CREATE INDEX "connections_grant_idx" ON "connections" USING btree ("grant_key");--> statement-breakpoint
CREATE UNIQUE INDEX "sync_runs_one_running_uq" ON "sync_runs" USING btree ("connection_id") WHERE status = 'running';