// Tasks have no link to a conversation on the server; this browser remembers which chat started which task.
const STORAGE_KEY = 'berth.taskOrigins';
const MAX_ENTRIES = 200;

function read(): Record<string, string> {
  try {
    return JSON.parse(localStorage.getItem(STORAGE_KEY) ?? '{}') as Record<string, string>;
  } catch {
    return {};
  }
}

export function rememberTaskOrigin(taskId: string, conversationId: string) {
  const entries = Object.entries({ ...read(), [taskId]: conversationId }).slice(-MAX_ENTRIES);
  localStorage.setItem(STORAGE_KEY, JSON.stringify(Object.fromEntries(entries)));
}

export const taskOrigin = (taskId: string): string | undefined => read()[taskId];
