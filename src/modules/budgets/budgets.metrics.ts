import { Gauge, type Registry } from 'prom-client';

/**
 * berth_tenant_cost_alert{tenant}: 1 for each tenant whose spend this month reached the cost alert
 * threshold, as this process saw it settle a call; a new month starts every tenant at none again.
 */
export function createCostAlertGauge(registry: Registry, currentMonth: () => string) {
  const seen = new Map<string, string>();
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
        for (const [tenant, start] of seen) if (start === month) this.set({ tenant }, 1);
      },
    });
  }
  return {
    mark: (tenant: string, monthStart: string) => void seen.set(tenant, monthStart),
  };
}
