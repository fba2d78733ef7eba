/** A problem `berth deploy` finds in the config or its options: the key at fault and why. */
export interface DeployIssue {
  key: string;
  message: string;
}

export const issue = (key: string, message: string): DeployIssue => ({ key, message });

export const isIssue = (value: unknown): value is DeployIssue =>
  typeof value === 'object' && value !== null && 'message' in value && !('peer' in value);

export const describeIssue = (problem: DeployIssue) => `${problem.key}: ${problem.message}`;
