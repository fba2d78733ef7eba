export type { BudgetEvent } from './budget-events.js';
export { type BudgetsConfig, budgetsSection } from './budgets.config.js';
export { createBudgets } from './budgets.service.js';
export { budgetUsage } from './budgets.tables.js';
