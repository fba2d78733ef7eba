import type { Step } from '../api/types';
import { StepCard } from './StepCard';

/** Steps in columns by depth: a step sits one column right of the deepest step it waits for. */
export function layers(steps: Step[]): Step[][] {
  const byKey = new Map(steps.map((s) => [s.key, s]));
  const depth = new Map<string, number>();
  const depthOf = (step: Step, seen: Set<string>): number => {
    const known = depth.get(step.key);
    if (known !== undefined) return known;
    if (seen.has(step.key)) return 0;
    seen.add(step.key);
    const parents = step.depends_on.map((k) => byKey.get(k)).filter((s): s is Step => Boolean(s));
    const d = parents.length === 0 ? 0 : 1 + Math.max(...parents.map((p) => depthOf(p, seen)));
    depth.set(step.key, d);
    return d;
  };
  const columns: Step[][] = [];
  for (const step of steps) {
    const d = depthOf(step, new Set());
    const column = columns[d] ?? [];
    column.push(step);
    columns[d] = column;
  }
  return columns.filter(Boolean);
}

export function StepGraph({ steps, taskId }: { steps: Step[]; taskId: string }) {
  if (steps.length === 0) return <p className="muted">No steps planned.</p>;
  const columns = layers(steps);
  return (
    <ol className="step-graph" aria-label="Steps">
      {columns.map((column, index) => (
        <li key={column.map((s) => s.key).join()} className="step-column">
          <p className="column-label muted small">Stage {index + 1}</p>
          <ul className="step-stack">
            {column.map((step) => (
              <StepCard key={step.step_id} step={step} taskId={taskId} />
            ))}
          </ul>
        </li>
      ))}
    </ol>
  );
}
