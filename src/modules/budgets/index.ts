export type { BudgetEvent, BudgetLimitHit } from './budget-events.js';
export { type Period, periodsAt } from './budget-periods.js';
export { type BudgetLimits, type BudgetsConfig, budgetsEnabled, budgetsSection } from './budgets.config.js';
export { type Budgets, type BudgetsOptions, createBudgets } from './budgets.service.js';
export { budgetUsage } from './budgets.tables.js';
