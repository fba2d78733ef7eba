ALTER TABLE "budget_usage" ADD COLUMN "reserved_tokens" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "budget_usage" ADD COLUMN "reserved_usd" double precision DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "budget_usage" ADD COLUMN "alerted_at" timestamp with time zone;