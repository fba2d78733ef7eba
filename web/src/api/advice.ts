/** What advice needs of an API error; ApiErrorInfo fits (no import, so Node tests can load this file). */
export interface ErrorFacts {
  code: string;
  status: number;
  message: string;
}

export interface Advice {
  title: string;
  /** What the user can do about it. */
  hint: string;
  action?: 'key' | 'new-conversation' | 'retry';
}

/** Turns an API error into words for the person looking at the page. */
export function adviceFor(error: ErrorFacts): Advice {
  switch (error.code) {
    case 'unauthorized':
      return {
        title: 'The API key was not accepted',
        hint: 'Enter a valid key. An operator can create one with "npx berth keys create <name>".',
        action: 'key',
      };
    case 'llm_unavailable':
      return {
        title: 'The model provider is not answering',
        hint: 'Berth stopped calling it for a while after repeated failures (circuit breaker) and will try again by itself. Check the provider and the Status page, then retry.',
        action: 'retry',
      };
    case 'llm_timeout':
      return {
        title: 'The model took too long',
        hint: 'The provider did not answer in time. Retry, or ask for something shorter.',
        action: 'retry',
      };
    case 'llm_error':
    case 'tool_steps_exceeded':
      return {
        title: 'The model call failed',
        hint: 'The provider returned an error (a wrong provider key or model name often causes this). The server log has the details under the request id.',
        action: 'retry',
      };
    case 'token_budget_exceeded':
      return {
        title: 'This conversation has used its token budget',
        hint: 'Start a new conversation to keep going.',
        action: 'new-conversation',
      };
    case 'network_error':
      return {
        title: 'Berth could not be reached',
        hint: 'Check that the server is running and your connection, then retry.',
        action: 'retry',
      };
    case 'validation_failed':
    case 'payload_too_large':
      return { title: 'The request was not accepted', hint: error.message };
    // Not found is an answer, not a failure: retrying gets the same one.
    case 'task_not_found':
      return {
        title: 'This task does not exist',
        hint: 'The link may be mistyped, or the task belongs to another user or tenant. Your tasks are listed under Tasks.',
      };
    case 'conversation_not_found':
      return {
        title: 'This conversation does not exist',
        hint: 'The link may be mistyped, or the conversation belongs to another user. Start a new one.',
        action: 'new-conversation',
      };
    default:
      if (error.status >= 500 || error.status === 429 || error.status === 408) {
        return {
          title: error.status >= 500 ? 'Something went wrong on the server' : 'The request failed',
          hint: 'Retry; if it keeps failing, the server log has the details under the request id.',
          action: 'retry',
        };
      }
      if (error.status === 404) {
        return { title: 'Not found', hint: 'The link may be mistyped, or what it names was removed.' };
      }
      return {
        title: 'The request was refused',
        hint: 'Sending it again will be refused the same way; the message above says why.',
      };
  }
}
