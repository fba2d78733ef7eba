import type { ApprovalsModule } from '../../approvals/index.js';
import type { ChatService } from '../../chat/index.js';
import type { TaskEvents, TasksModule } from '../../tasks/index.js';

/** What the /mcp server calls: the same services the REST API calls, so the same access rules hold. */
export interface McpServerDeps {
  chat: Pick<ChatService, 'turn' | 'conversation' | 'conversations'>;
  tasks: TasksModule['service'];
  taskEvents: TaskEvents;
  approvals: Pick<ApprovalsModule['service'], 'approve' | 'reject'>;
  version: string;
  /** Longest a create_task call waits for its task. Default 300 s. */
  maxWaitMs?: number;
}
