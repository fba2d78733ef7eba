// Berth's alert rules and Grafana dashboard (deploy/monitoring) as the monitoring tests read them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { DASHBOARD_SOURCE, RULES_SOURCE } from '../../scripts/monitoring-copies.js';
import { ROOT } from './k8s/render.js';

export interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
export interface RuleGroups {
  groups: Array<{ name: string; rules: Rule[] }>;
}
export interface Panel {
  id: number;
  title: string;
  type: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: { uid: string };
  targets?: Array<{ expr: string; datasource?: { uid: string } }>;
  panels?: Panel[];
}
export interface Dashboard {
  panels: Panel[];
  templating: { list: Array<{ name: string; allValue?: string; includeAll?: boolean }> };
}

export const readRepoFile = (path: string) => readFileSync(join(ROOT, path), 'utf8');
export const rules = parse(readRepoFile(RULES_SOURCE)) as RuleGroups;
export const alerts = rules.groups.flatMap((group) => group.rules).filter((rule) => rule.alert);
export const dashboard = JSON.parse(readRepoFile(DASHBOARD_SOURCE)) as Dashboard;
/** Every panel, those inside collapsed rows too. */
export const panels = dashboard.panels.flatMap((panel) => [panel, ...(panel.panels ?? [])]);
export const dashboardExprs = panels.flatMap((panel) =>
  (panel.targets ?? []).map((target) => ({ where: `panel "${panel.title}"`, expr: target.expr })),
);
/** Grafana's variables as a query would see them, so that promtool can parse the expression. */
export const asQuery = (expr: string) =>
  expr.replaceAll('$__rate_interval', '5m').replaceAll('$namespace', '.*');
