import { Gauge, type Registry } from 'prom-client';
import type { Logger } from '../../platform/telemetry/index.js';

/**
 * berth_eval_pass_rate{suite,agent}: the last recorded pass rate of each suite and agent run against
 * this process's release and configuration, read from the store at each scrape — so every replica of
 * one release reports the same, and a canary reports nothing until a suite ran against its version.
 * A failed read leaves the series out of that scrape rather than repeating an old number.
 */
export function registerEvalPassRateGauge(
  registry: Registry,
  read: () => Promise<Array<{ suite: string; agent: string; passRate: number | null }>>,
  logger: Logger,
) {
  const gauge: Gauge<'suite' | 'agent'> = new Gauge({
    name: 'berth_eval_pass_rate',
    help: 'Pass rate (0-1) of the last berth eval run of a suite against this release and configuration, by agent',
    labelNames: ['suite', 'agent'] as const,
    registers: [registry],
    async collect() {
      gauge.reset();
      try {
        for (const row of await read()) {
          if (row.passRate !== null) gauge.set({ suite: row.suite, agent: row.agent }, row.passRate);
        }
      } catch (error) {
        logger.warn({ err: error }, 'reading the eval pass rates for /metrics failed');
      }
    },
  });
  return gauge;
}
