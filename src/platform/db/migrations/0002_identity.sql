CREATE TABLE "memberships" (
	"tenant_id" text NOT NULL,
	"user_id" text NOT NULL,
	"role" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "memberships_tenant_id_user_id_pk" PRIMARY KEY("tenant_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" text PRIMARY KEY NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
-- Keys made before roles existed had every right: they become owners of their tenant.
ALTER TABLE "api_keys" ADD COLUMN "role" text DEFAULT 'owner' NOT NULL;--> statement-breakpoint
ALTER TABLE "api_keys" ALTER COLUMN "role" DROP DEFAULT;--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "user_id" text;--> statement-breakpoint
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
-- The one user of embedded mode. Chats and tasks sent without a user were "anonymous"; they are the
-- local user's now, and so are the keys made before users existed (they saw those chats too).
INSERT INTO "users" ("id") VALUES ('local') ON CONFLICT ("id") DO NOTHING;--> statement-breakpoint
INSERT INTO "memberships" ("tenant_id", "user_id", "role") VALUES ('default', 'local', 'owner') ON CONFLICT DO NOTHING;--> statement-breakpoint
UPDATE "api_keys" SET "user_id" = 'local' WHERE "tenant_id" = 'default';--> statement-breakpoint
UPDATE "conversations" SET "user_id" = 'local' WHERE "tenant_id" = 'default' AND "user_id" = 'anonymous';--> statement-breakpoint
UPDATE "tasks" SET "user_id" = 'local' WHERE "tenant_id" = 'default' AND "user_id" = 'anonymous';
