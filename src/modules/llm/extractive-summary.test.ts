import { describe, expect, it } from 'vitest';
import { extractiveSummary, splitSentences } from './extractive-summary.js';

// Three sentences about the topic (queues, workers, jobs) and filler that shares none of its words.
const article = [
  'The weather in the harbour was grey on Monday.',
  'Queue workers take jobs from the queue and run each job once.',
  'Lunch was served late.',
  'When a worker dies, the queue gives its jobs to another worker.',
  'Someone mentioned a new bakery opened nearby.',
  'Workers report job progress so the queue knows which jobs are stuck.',
  'The parking lot was full.',
].join(' ');

describe('extractiveSummary', () => {
  it('keeps the sentences that carry the most frequent content words, in their original order', () => {
    expect(extractiveSummary(article, 3)).toBe(
      'Queue workers take jobs from the queue and run each job once. ' +
        'When a worker dies, the queue gives its jobs to another worker. ' +
        'Workers report job progress so the queue knows which jobs are stuck.',
    );
  });

  it('returns every sentence when there are no more than asked for', () => {
    expect(extractiveSummary('One sentence here. And a second one!', 3)).toBe(
      'One sentence here. And a second one!',
    );
  });

  it('respects maxSentences', () => {
    expect(splitSentences(extractiveSummary(article, 1))).toEqual([
      'Queue workers take jobs from the queue and run each job once.',
    ]);
  });

  it('is deterministic and breaks ties in favour of earlier sentences', () => {
    const ties = 'Alpha beta. Gamma delta. Epsilon zeta. Eta theta.';
    expect(extractiveSummary(ties, 2)).toBe('Alpha beta. Gamma delta.');
    expect(extractiveSummary(article, 3)).toBe(extractiveSummary(article, 3));
  });

  it('ignores stopwords when scoring', () => {
    const text = 'The the the the and and of of. Berth runs agents. Agents run in Berth. It is what it is.';
    expect(extractiveSummary(text, 2)).toBe('Berth runs agents. Agents run in Berth.');
  });
});

describe('splitSentences', () => {
  it('splits at sentence punctuation and blank lines, dropping empty pieces', () => {
    expect(splitSentences('First one. Second one? Third!\n\nA heading\n\n  ')).toEqual([
      'First one.',
      'Second one?',
      'Third!',
      'A heading',
    ]);
  });
});
