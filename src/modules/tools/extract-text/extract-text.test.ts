import { describe, expect, it } from 'vitest';
import { articleHtml } from '../testdata/fixture-server.js';
import { ToolRegistry } from '../tool-registry.js';
import { createExtractTextTool, type ExtractTextOptions } from './extract-text.js';

const ctx = { signal: new AbortController().signal, idempotencyKey: 'task-1:step-2' };

function extractor(options: ExtractTextOptions = {}) {
  const registry = new ToolRegistry([createExtractTextTool(options)]);
  return (content: string, contentType?: string, url?: string) =>
    registry.invoke('extract_text', { content, contentType, url }, ctx);
}

async function extractValue(content: string, contentType?: string, options?: ExtractTextOptions) {
  const result = await extractor(options)(content, contentType);
  if (!result.ok) throw new Error(`extract_text failed: ${result.error.code} ${result.error.message}`);
  return createExtractTextTool().output.parse(result.value);
}

const MARKERS = [
  'SCRIPT_SECRET_MARKER',
  'STYLE-SECRET-MARKER',
  'SCRIPT-IN-BODY-MARKER',
  'NOSCRIPT-MARKER',
  'dataLayer',
];

describe('extract_text on HTML', () => {
  it('returns the title, main text and excerpt of an article', async () => {
    const value = await extractValue(articleHtml, 'text/html; charset=utf-8');
    expect(value.title).toBe('Tidal Power Comes of Age');
    expect(value.excerpt).toBe(
      'A new generation of tidal turbines is finally producing cheap, predictable power.',
    );
    expect(value.text).toContain(
      'For decades, engineers have promised that the tides, which rise and fall as reliably',
    );
    expect(value.text).toContain('\n\nCosts are falling\n\n');
    expect(value.text).toContain('several other countries with strong tidal currents are watching closely');
    expect(value.length).toBe(value.text.length);
    for (const chrome of ['Advertisement', 'Most read', 'All rights reserved', 'Subscribe']) {
      expect(value.text).not.toContain(chrome);
    }
  });

  it('never returns script or style content, in reader mode or the whole-body fallback', async () => {
    for (const readabilityMaxElements of [20_000, 1]) {
      const value = await extractValue(articleHtml, 'text/html', { readabilityMaxElements });
      for (const marker of MARKERS) expect(value.text).not.toContain(marker);
    }
  });

  it('falls back to the whole body when the page is too big for reader mode', async () => {
    const value = await extractValue(articleHtml, 'text/html', { readabilityMaxElements: 1 });
    expect(value.title).toBe('Tidal Power Comes of Age | The Harbour Gazette');
    expect(value.text).toContain('Most read');
    expect(value.text).toContain('Unlike wind and solar, tidal power is predictable years in advance.');
    expect(value.excerpt).toBeUndefined();
  });

  it('keeps preformatted text and line breaks', async () => {
    const html = '<html><body><pre>  indented\n    more</pre><p>one<br>two</p></body></html>';
    const value = await extractValue(html, 'text/html', { readabilityMaxElements: 0 });
    expect(value.text).toBe('  indented\n    more\n\none\ntwo');
  });

  it('guesses HTML when no type is given', async () => {
    const value = await extractValue('<!doctype html><title>Hi</title><p>Hello <b>there</b></p>');
    expect(value).toMatchObject({ title: 'Hi', text: 'Hello there' });
  });
});

describe('extract_text on other types', () => {
  it('passes plain text and Markdown through unchanged', async () => {
    const markdown = '# Title\n\n  Some *markdown* <script>alert(1)</script>\n';
    expect(await extractValue(markdown, 'text/markdown')).toEqual({
      title: null,
      text: markdown,
      length: markdown.length,
    });
    expect(await extractValue('just text', 'text/plain; charset=utf-8')).toMatchObject({ text: 'just text' });
    expect(await extractValue('no type, no tags')).toMatchObject({ text: 'no type, no tags' });
  });

  it('pretty-prints JSON and passes invalid JSON through', async () => {
    expect(await extractValue('{"a":[1,2],"b":"x"}', 'application/json')).toMatchObject({
      text: '{\n  "a": [\n    1,\n    2\n  ],\n  "b": "x"\n}',
    });
    expect(await extractValue('{"a":', 'application/json')).toMatchObject({ text: '{"a":' });
    expect(await extractValue('[1,2]', undefined)).toMatchObject({ text: '[\n  1,\n  2\n]' });
  });

  it('does not indent deeply nested JSON into something huge', async () => {
    const deep = `${'['.repeat(50_000)}${']'.repeat(50_000)}`;
    const value = await extractValue(deep, 'application/json');
    expect(value.text).toBe(deep);
  });

  it('extracts the text and title of XML', async () => {
    const rss =
      '<?xml version="1.0"?><rss><channel><title>Harbour feed</title>' +
      '<item><title>First</title><description><![CDATA[<b>bold</b> news]]></description></item></channel></rss>';
    const value = await extractValue(rss, 'application/rss+xml');
    expect(value.title).toBe('Harbour feed');
    expect(value.text).toContain('First');
    expect(value.text).toContain('<b>bold</b> news');
  });

  it('refuses binary types', async () => {
    const result = await extractor()('\x89PNG', 'image/png');
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'unsupported_content_type', retryable: false },
    });
  });
});

describe('extract_text on hostile HTML', () => {
  const timed = async (content: string, options?: ExtractTextOptions) => {
    const started = performance.now();
    const result = await extractor(options)(content, 'text/html');
    return { result, ms: performance.now() - started };
  };

  it.each([
    ['100k nested divs', `<html><body>${'<div>'.repeat(100_000)}x${'</div>'.repeat(100_000)}</body></html>`],
    ['100k unclosed divs', `<body>${'<div>'.repeat(100_000)}x`],
    ['10k nested inline tags', `<p>${'<b><i>'.repeat(5_000)}x`],
  ])('refuses %s before parsing', async (_name, html) => {
    const { result, ms } = await timed(html);
    expect(result).toMatchObject({ ok: false, error: { code: 'content_too_complex', retryable: false } });
    expect(ms).toBeLessThan(1_000);
  });

  it('refuses a 5 MB single line as too large, at once', async () => {
    const { result, ms } = await timed(`<p>${'a'.repeat(5 * 1024 * 1024)}</p>`);
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'input_too_large', details: { limit: 2 * 1024 * 1024 } },
    });
    expect(ms).toBeLessThan(500);
  });

  it('extracts a 2 MB single line within the cap', async () => {
    const { result, ms } = await timed(`<html><body><p>${'word '.repeat(400_000)}</p></body></html>`);
    expect(result).toMatchObject({ ok: true });
    if (result.ok) expect(result.value).toMatchObject({ length: 'word '.repeat(400_000).trim().length });
    expect(ms).toBeLessThan(5_000);
  });

  it('extracts 50k elements through the whole-body fallback', async () => {
    const { result, ms } = await timed(
      `<html><body>${'<p>word word, word.</p>'.repeat(50_000)}</body></html>`,
    );
    expect(result).toMatchObject({ ok: true });
    if (result.ok) expect(result.value).toMatchObject({ length: 50_000 * 16 + 49_999 * 2 });
    expect(ms).toBeLessThan(5_000);
  });

  it('refuses more elements than the cap', async () => {
    const { result, ms } = await timed(`<body>${'<br>'.repeat(150_000)}</body>`);
    expect(result).toMatchObject({ ok: false, error: { code: 'content_too_complex' } });
    expect(ms).toBeLessThan(1_000);
  });

  it('scans a megabyte of unterminated tags in linear time', async () => {
    const { result, ms } = await timed(`<body>${'<a '.repeat(600_000)}`);
    expect(result.ok || result.error.code === 'content_too_complex').toBe(true);
    expect(ms).toBeLessThan(3_000);
  });
});
