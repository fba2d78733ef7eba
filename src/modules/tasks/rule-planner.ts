import type { PlannedStep } from './plan.js';

// The host may be a bracketed IPv6 literal; the rest stops at spaces, quotes and closing brackets.
const URL_PATTERN = /\bhttps?:\/\/(?:\[[0-9a-fA-F:.]+\]|[^\s<>"'`()[\]/]+)[^\s<>"'`()[\]]*/gi;
const MAX_URLS = 6;

/** Distinct http(s) URLs in the text, in order, without trailing punctuation. */
export function urlsIn(text: string): string[] {
  const found = (text.match(URL_PATTERN) ?? []).map((url) => url.replace(/[.,;:!?]+$/, ''));
  return [...new Set(found)].slice(0, MAX_URLS);
}

/**
 * The deterministic planner: every URL → fetch_url → extract_text, all of them → one summarize;
 * no URL → one step that answers from the text.
 */
export function rulePlan(description: string): PlannedStep[] {
  const urls = urlsIn(description);
  if (urls.length === 0)
    return [{ key: 'answer', tool: 'answer', input: { question: description }, dependsOn: [] }];
  const steps: PlannedStep[] = urls.flatMap((url, i) => [
    { key: `fetch_${i + 1}`, tool: 'fetch_url', input: { url }, dependsOn: [] },
    {
      key: `extract_${i + 1}`,
      tool: 'extract_text',
      input: {
        content: { $from: `fetch_${i + 1}`, path: 'body' },
        contentType: { $from: `fetch_${i + 1}`, path: 'contentType' },
        url: { $from: `fetch_${i + 1}`, path: 'url' },
      },
      dependsOn: [`fetch_${i + 1}`],
    },
  ]);
  steps.push({
    key: 'summarize',
    tool: 'summarize',
    input: {
      texts: urls.map((_, i) => ({ $from: `extract_${i + 1}`, path: 'text' })),
      instruction: description,
    },
    dependsOn: urls.map((_, i) => `extract_${i + 1}`),
  });
  return steps;
}
