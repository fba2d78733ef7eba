import { memo } from 'react';
import { renderMarkdown } from '../markdown';

/** Model text rendered as Markdown. Safe to inject: renderMarkdown escapes all HTML in its input. */
export const Markdown = memo(function Markdown({ text }: { text: string }) {
  // biome-ignore lint/security/noDangerouslySetInnerHtml: markdown-it runs with html disabled, see markdown.ts.
  return <div className="markdown" dangerouslySetInnerHTML={{ __html: renderMarkdown(text) }} />;
});
