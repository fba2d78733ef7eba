import { Readability } from '@mozilla/readability';
import { DOMParser } from 'linkedom';
import { domToText, SKIPPED_IN_PAGE, type TextSource } from './dom-to-text.js';

export interface Extracted {
  title: string | null;
  text: string;
  excerpt?: string;
}

const MAX_EXCERPT = 500;

const parseHtml = (html: string) => new DOMParser().parseFromString(html, 'text/html');

const clean = (text: string | null | undefined) => text?.replace(/\s+/g, ' ').trim() || null;

/**
 * Reader-mode text of a page: Readability picks the main content and title; when it finds none,
 * throws, or the page has too many elements for it to be quick, the whole body's text is used.
 */
export function htmlToText(html: string, elements: number, readabilityMaxElements: number): Extracted {
  const article = elements <= readabilityMaxElements ? readArticle(html) : null;
  if (article) return article;
  // The whole document, not document.body: linkedom adds no <body> to markup that lacks one.
  const document = parseHtml(html);
  return {
    title: clean(document.querySelector('title')?.textContent),
    text: domToText(document, SKIPPED_IN_PAGE),
  };
}

function readArticle(html: string): Extracted | null {
  const document = parseHtml(html);
  const pageTitle = clean(document.querySelector('title')?.textContent);
  let article: ReturnType<Readability<string>['parse']>;
  try {
    article = new Readability<string>(document, {
      serializer: (node: TextSource) => domToText(node),
    }).parse();
  } catch {
    // Readability recurses and gives up on odd trees; the whole-page fallback still yields the text.
    return null;
  }
  const text = article?.content?.trim();
  if (!article || !text) return null;
  const excerpt = clean(article.excerpt)?.slice(0, MAX_EXCERPT);
  return { title: clean(article.title) ?? pageTitle, text, ...(excerpt ? { excerpt } : {}) };
}

/** Text content of an XML document (feeds, sitemaps), with its first <title> if any. */
export function xmlToText(xml: string): Extracted {
  const document = new DOMParser().parseFromString(xml, 'text/xml');
  const root: TextSource | null = document.documentElement;
  return { title: clean(document.querySelector('title')?.textContent), text: root ? domToText(root) : '' };
}
