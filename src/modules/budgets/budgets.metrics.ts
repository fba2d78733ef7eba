import { Gauge, type Registry } from 'prom-client';

/**
 * berth_tenant_cost_alert{tenant}: 1 for each tenant whose spend this month reached the cost alert
 * threshold, 0 for those below it, as this process saw them settle a call; a new month starts every
 * tenant afresh (no series until its first call of the month).
 */
export function createCostAlertGauge(registry: Registry, currentMonth: () => string) {
  const seen = new Map<string, { month: string; alerted: boolean }>();
  const existing = registry.getSingleMetric('berth_tenant_cost_alert');
  if (!existing) {
    new Gauge({
      name: 'berth_tenant_cost_alert',
      help: '1 for a tenant whose spend this month reached BERTH_COST_ALERT_THRESHOLD (USD)',
      labelNames: ['tenant'] as const,
      registers: [registry],
      collect() {
        this.reset();
        const month = currentMonth();
        for (const [tenant, state] of seen)
          if (state.month === month) this.set({ tenant }, state.alerted ? 1 : 0);
      },
    });
  }
  return {
    mark: (tenant: string, month: string, alerted: boolean) => void seen.set(tenant, { month, alerted }),
  };
}
