// The KEDA ScaledObject's Prometheus triggers and formula, shared by the Kustomize overlay and the Helm
// values so that both scale the workers alike (deploy/kubernetes/components/keda, the chart's autoscaling.yaml).

/** Seconds of the oldest step's wait that ask for one more worker. */
export const QUEUE_AGE_SECONDS = 60;

export const queueAgeQuery = (namespace: string) =>
  `max(berth_queue_oldest_wait_seconds{namespace="${namespace}",queue="step.run"})`;

// No sample at all (nothing scraped yet) leaves the gate open; a 0 from every pod closes it.
export const readyQuery = (namespace: string) => `max(berth_ready{namespace="${namespace}"}) or vector(1)`;

/**
 * Workers wanted: the larger of the wait list per listLength and the queue age per QUEUE_AGE_SECONDS (and
 * the business-hours count), or 0 — the minimum — while no Berth pod is ready. Ternaries only: KEDA's
 * formula language (expr) has them in every version that has scalingModifiers.
 */
export function kedaFormula(listLength: number, businessHours: boolean): string {
  const waiting = `waiting / ${listLength}`;
  const age = `queue_age / ${QUEUE_AGE_SECONDS}`;
  let demand = `(${waiting} > ${age} ? ${waiting} : ${age})`;
  if (businessHours) demand = `(business_hours > ${demand} ? business_hours : ${demand})`;
  return `store_ready < 1 ? 0 : ${demand}`;
}
