import { describe, expect, it } from 'vitest';
import { linksIn, urlsIn } from './links.js';

describe('urlsIn', () => {
  it('finds bracketed IPv6 hosts and drops trailing punctuation', () => {
    expect(urlsIn('see http://[::1]:80/a). and https://x.example/b?c=1,')).toEqual([
      'http://[::1]:80/a',
      'https://x.example/b?c=1',
    ]);
  });

  it('keeps balanced brackets inside a URL and drops the ones around it', () => {
    expect(
      urlsIn('see https://en.wikipedia.org/wiki/Harbour_(disambiguation) (https://a.example/x).'),
    ).toEqual(['https://en.wikipedia.org/wiki/Harbour_(disambiguation)', 'https://a.example/x']);
  });

  it('lists each URL once, in order, and only http and https ones with their scheme', () => {
    const text =
      'https://b.example/ then http://a.example/?q=1, https://b.example/ again; ftp://c.example/f, ' +
      'www.d.example, e.example and mailto:f@g.example';
    expect(urlsIn(text)).toEqual(['https://b.example/', 'http://a.example/?q=1']);
  });
});

describe('linksIn', () => {
  it('gives URLs and e-mail addresses with where they are in the text', () => {
    const text = 'Summarise https://a.example/x and email it to ops@b.example.';
    expect(linksIn(text)).toEqual([
      { kind: 'url', value: 'https://a.example/x', index: 10, lastIndex: 29 },
      { kind: 'email', value: 'ops@b.example', index: 46, lastIndex: 59 },
    ]);
    expect(text.slice(46, 59)).toBe('ops@b.example');
  });
});
