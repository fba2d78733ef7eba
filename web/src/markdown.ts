import MarkdownIt from 'markdown-it';

// html: false escapes every tag the model writes, so its text can never become markup or script;
// markdown-it's link validation already refuses javascript:, vbscript: and data: (except images) URLs.
const md = new MarkdownIt({ html: false, linkify: true, breaks: true, typographer: false });

const defaultLinkOpen =
  md.renderer.rules.link_open ??
  ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  const token = tokens[idx];
  token?.attrSet('target', '_blank');
  token?.attrSet('rel', 'noopener noreferrer nofollow');
  return defaultLinkOpen(tokens, idx, options, env, self);
};
// Images from model output would load remote URLs (tracking, and the machine may be offline): show the link instead.
md.renderer.rules.image = (tokens, idx) => {
  const token = tokens[idx];
  const src = String(token?.attrGet('src') ?? '');
  const label = md.utils.escapeHtml(token?.content || src);
  return `<a href="${md.utils.escapeHtml(src)}" target="_blank" rel="noopener noreferrer nofollow">${label}</a>`;
};

/** Markdown to HTML that contains no markup from the input itself. */
export const renderMarkdown = (text: string): string => md.render(text);
