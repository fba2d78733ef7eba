CREATE TABLE "eval_runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" text NOT NULL,
	"user_id" text NOT NULL,
	"suite" text NOT NULL,
	"agent" text NOT NULL,
	"agent_version" text NOT NULL,
	"config_version" text NOT NULL,
	"berth_version" text NOT NULL,
	"pass_rate" double precision,
	"min_pass_rate" double precision NOT NULL,
	"passed" integer NOT NULL,
	"failed" integer NOT NULL,
	"skipped" integer NOT NULL,
	"regressions" integer DEFAULT 0 NOT NULL,
	"gate_passed" boolean NOT NULL,
	"report" jsonb NOT NULL,
	"request_id" text NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "eval_runs" ADD CONSTRAINT "eval_runs_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "eval_runs_tenant_created_idx" ON "eval_runs" USING btree ("tenant_id","created_at");--> statement-breakpoint
CREATE INDEX "eval_runs_release_idx" ON "eval_runs" USING btree ("berth_version","config_version","suite","agent","created_at");