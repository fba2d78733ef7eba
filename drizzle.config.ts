import { defineConfig } from 'drizzle-kit';

// Each feature owns its tables (src/modules/<name>/<name>.tables.ts); the queue owns the outbox.
export default defineConfig({
  dialect: 'postgresql',
  schema: ['./src/platform/queue/outbox.tables.ts', './src/modules/*/*.tables.ts'],
  out: './src/platform/db/migrations',
});
