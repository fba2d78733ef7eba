import { type Link, linksIn } from '../../platform/text/index.js';
import type { PlannedStep, StepRef } from './plan.js';

const MAX_URLS = 6;
const MAX_RECIPIENTS = 10;
const MAX_SUBJECT = 120;

// What the request asks to deliver: "email it to", "send the summary to", "post it to"…
const OBJECT = String.raw`(?:it|this|that|them|the\s+(?:summary|result|results|answer))`;
const EMAIL_ASK = new RegExp(String.raw`\b(?:e-?mail|mail|send)\s+${OBJECT}\s+to\s*$`, 'i');
const POST_ASK = new RegExp(String.raw`\b(?:post|send|deliver)\s+${OBJECT}\s+to\s*$`, 'i');
// Between two recipients: a comma or "and", maybe a display name before "<address>".
const NEXT_RECIPIENT = /^>?\s*(?:,|&|and|,\s*and)\s*(?:[^\s@<>,;.][^@<>,;.\n]{0,40}<)?$/i;
const LOOKBEHIND = 80;

/** Where the request asks for its result to go, and where that ask starts (for the subject). */
interface Delivery {
  emailTo: string[];
  postTo?: string;
  /** Index of the first delivery phrase in the text. */
  askedAt?: number;
}

const askBefore = (text: string, link: Link, ask: RegExp) => {
  const before = text.slice(Math.max(0, link.index - LOOKBEHIND), link.index);
  const found = ask.exec(before);
  return found ? link.index - before.length + found.index : undefined;
};

function recipientsFrom(text: string, links: Link[], first: number): string[] {
  const to = [links[first]?.value as string];
  for (let i = first + 1; i < links.length && to.length < MAX_RECIPIENTS; i++) {
    const link = links[i] as Link;
    const gap = text.slice((links[i - 1] as Link).lastIndex, link.index);
    if (link.kind !== 'email' || !NEXT_RECIPIENT.test(gap)) break;
    to.push(link.value);
  }
  return [...new Set(to)];
}

/** The "email it to ADDRESS" and "post it to URL" asks of a request; the first of each counts. */
function deliveryIn(text: string, links: Link[]): Delivery {
  const delivery: Delivery = { emailTo: [] };
  const asked: number[] = [];
  const mail = links.findIndex(
    (link) => link.kind === 'email' && askBefore(text, link, EMAIL_ASK) !== undefined,
  );
  if (mail !== -1) {
    delivery.emailTo = recipientsFrom(text, links, mail);
    asked.push(askBefore(text, links[mail] as Link, EMAIL_ASK) as number);
  }
  const post = links.find((link) => link.kind === 'url' && askBefore(text, link, POST_ASK) !== undefined);
  if (post) {
    delivery.postTo = post.value;
    asked.push(askBefore(text, post, POST_ASK) as number);
  }
  if (asked.length > 0) delivery.askedAt = Math.min(...asked);
  return delivery;
}

/** A one-line subject from what the request asks before its delivery phrase. */
function subjectFor(text: string, askedAt: number | undefined): string {
  const asked =
    text
      .slice(0, askedAt ?? text.length)
      .trim()
      .split('\n')[0] ?? '';
  const line = asked
    .replace(/\s+/g, ' ')
    .replace(/[\s,;:.-]*(?:\b(?:and|then|and then))?[\s,;:.-]*$/i, '')
    .trim();
  if (!line) return 'Task result';
  return line.length > MAX_SUBJECT ? `${line.slice(0, MAX_SUBJECT - 1)}…` : line;
}

function readSteps(description: string, urls: string[]): PlannedStep[] {
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

function deliverySteps(description: string, delivery: Delivery, last: PlannedStep): PlannedStep[] {
  const result: StepRef =
    last.tool === 'answer' ? { $from: last.key, path: 'answer' } : { $from: last.key, path: 'summary' };
  const subject = subjectFor(description, delivery.askedAt);
  const steps: PlannedStep[] = [];
  if (delivery.emailTo.length > 0) {
    const input = { to: delivery.emailTo, subject, text: result };
    steps.push({ key: 'send_email', tool: 'send_email', input, dependsOn: [last.key] });
  }
  if (delivery.postTo) {
    const input = { url: delivery.postTo, body: { subject, result } };
    steps.push({ key: 'post', tool: 'http_post', input, dependsOn: [last.key] });
  }
  return steps;
}

/**
 * The deterministic planner: every URL → fetch_url → extract_text, all of them → one summarize;
 * no URL → one step that answers from the text. "… email it to ADDRESS" adds a send_email step and
 * "… post it to URL" an http_post step (that URL is not fetched), each after the summary or answer.
 */
export function rulePlan(description: string): PlannedStep[] {
  const links = linksIn(description);
  const delivery = deliveryIn(description, links);
  const urls = [
    ...new Set(
      links.flatMap((link) => (link.kind === 'url' && link.value !== delivery.postTo ? [link.value] : [])),
    ),
  ].slice(0, MAX_URLS);
  const steps = readSteps(description, urls);
  return [...steps, ...deliverySteps(description, delivery, steps.at(-1) as PlannedStep)];
}
