import type { LanguageModelV4Prompt } from '@ai-sdk/provider';
import { urlsIn } from '../../platform/text/index.js';
import { extractiveSummary, splitSentences } from './extractive-summary.js';

/** Past this many characters a message is treated as text to summarise even without being asked. */
export const LONG_TEXT_CHARS = 600;
const SUMMARY_SENTENCES = 3;
const QUOTE_CHARS = 80;

export const FIRST_REPLY_NOTICE =
  'berth-offline: this is a built-in offline model that answers without an LLM. To connect a real one, set ' +
  'BERTH_LLM_PROVIDER=openai, BERTH_LLM_MODEL and OPENAI_API_KEY, or BERTH_LLM_PROVIDER=ollama, BERTH_LLM_MODEL ' +
  'and OLLAMA_BASE_URL (anthropic, google and openai-compatible work too; see docs/llm.md).';

const summaryRequest = /\b(summari[sz]e|summary|tl;?dr)\b/i;
// The instruction in front of the text, e.g. "Please summarise this:" or "tl;dr\n".
const leadingInstruction = /^\s*[^\n:]{0,80}?\b(summari[sz]e|summary|tl;?dr)\b[^\n:]{0,80}(:|\n)/i;

/** What the offline model can do, said once in a conversation. */
export const CAPABILITIES =
  "I'm the offline model, so I can't answer questions or hold a conversation. " +
  'I can summarise text you paste (start with "Summarise:") and recognise web links, ' +
  'which can be summarised as a background task.';

/**
 * The whole reply of the offline model for a prompt: deterministic, from the last user message.
 * Its notice and what it can do are said once per conversation: the history it is sent shows
 * whether an earlier reply did already (the UI's banner says it on every page).
 */
export function offlineReply(prompt: LanguageModelV4Prompt): string {
  const text = lastUserText(prompt);
  const earlier = assistantTexts(prompt);
  const said = (words: string) => earlier.some((reply) => reply.includes(words));
  const body = replyTo(text, said(CAPABILITIES));
  // The notice opens the first reply, whatever it was; what it can do waits for a reply that needs it.
  return earlier.length > 0 ? body : `${FIRST_REPLY_NOTICE}\n\n${body}`;
}

function replyTo(text: string, explained: boolean): string {
  const urls = urlsIn(text);
  const withoutUrls = urls.reduce((rest, url) => rest.split(url).join(' '), text).trim();
  if (withoutUrls.length > LONG_TEXT_CHARS) return summaryReply(withoutUrls, urls);
  if (urls.length > 0) return urlReply(urls);
  if (summaryRequest.test(text)) return summaryReply(stripInstruction(text), []);
  return defaultReply(text, explained);
}

function stripInstruction(text: string): string {
  const match = leadingInstruction.exec(text);
  return match ? text.slice(match[0].length).trim() : text.trim();
}

function urlReply(urls: string[]): string {
  const list = urls.map((url) => `- ${url}`).join('\n');
  const them = urls.length === 1 ? 'this page' : `these ${urls.length} pages`;
  return (
    `I can't open web pages from the chat, but I can summarise ${them} as a background task ` +
    `(start a task such as "Summarise ${urls[0]}"; it fetches the page, extracts the text and summarises it):\n${list}`
  );
}

function summaryReply(text: string, urls: string[]): string {
  if (splitSentences(text).length < 2) {
    return 'Paste the text you want summarised after your request (for example "Summarise: <text>"), and I will pick its key sentences.';
  }
  const summary = extractiveSummary(text, SUMMARY_SENTENCES);
  const links =
    urls.length > 0 ? `\n\nThe links in it can be summarised as a background task: ${urls.join(', ')}` : '';
  return `Summary (the ${SUMMARY_SENTENCES} most representative sentences, picked without an LLM):\n\n${summary}${links}`;
}

function defaultReply(text: string, explained: boolean): string {
  const compact = text.replace(/\s+/g, ' ').trim();
  const quote = compact.length > QUOTE_CHARS ? `${compact.slice(0, QUOTE_CHARS - 1).trimEnd()}…` : compact;
  const received = quote === '' ? 'I did not receive any text.' : `You wrote: "${quote}".`;
  return explained
    ? `${received} As said above, I can only summarise text or links you send.`
    : `${received} ${CAPABILITIES}`;
}

function assistantTexts(prompt: LanguageModelV4Prompt): string[] {
  return prompt.flatMap((message) =>
    message.role === 'assistant'
      ? [message.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n')]
      : [],
  );
}

function lastUserText(prompt: LanguageModelV4Prompt): string {
  for (let index = prompt.length - 1; index >= 0; index--) {
    const message = prompt[index];
    if (message?.role !== 'user') continue;
    return message.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n');
  }
  return '';
}

/** Characters of everything the model was sent: system text, message text, tool inputs and outputs. */
export function promptChars(prompt: LanguageModelV4Prompt): number {
  let chars = 0;
  for (const message of prompt) {
    if (message.role === 'system') {
      chars += message.content.length;
      continue;
    }
    for (const part of message.content) {
      if (part.type === 'text' || part.type === 'reasoning') chars += part.text.length;
      else if (part.type === 'tool-call') chars += JSON.stringify(part.input ?? null).length;
      else if (part.type === 'tool-result') chars += JSON.stringify(part.output ?? null).length;
    }
  }
  return chars;
}
