-- a visit recorded twice by requests that arrived together (before this index): keep the first
DELETE FROM "activities" a USING "activities" b
 WHERE a.kind = 'portal.visit' AND b.kind = 'portal.visit' AND a.organization_id = b.organization_id
   AND a.data->>'visitKey' = b.data->>'visitKey' AND a.data->>'day' = b.data->>'day'
   AND (a.created_at, a.id) > (b.created_at, b.id);--> statement-breakpoint
CREATE UNIQUE INDEX "activities_portal_visit_uq" ON "activities" USING btree ("organization_id",("data"->>'visitKey'),("data"->>'day')) WHERE kind = 'portal.visit';