import type { ApiErrorInfo } from './client';

export interface Advice {
  title: string;
  /** What the user can do about it. */
  hint: string;
  action?: 'key' | 'new-conversation' | 'retry';
}

/** Turns an API error into words for the person looking at the page. */
export function adviceFor(error: ApiErrorInfo): Advice {
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
    default:
      return {
        title: error.status >= 500 ? 'Something went wrong on the server' : 'The request failed',
        hint: 'Retry; if it keeps failing, the server log has the details under the request id.',
        action: 'retry',
      };
  }
}
