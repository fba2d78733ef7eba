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

describe('extractiveSummary of several texts', () => {
  // Two pages that share their first paragraph (a mirror, a syndicated article), each with menu
  // items, a heading and a list that are not sentences.
  const shared =
    'Berth runs agents for teams that keep their data at home. Agents in Berth plan tasks as steps and run each step on a worker. Every step an agent plans is audited, and steps that change the world wait for approval.';
  const pages = [
    `Berth overview\n\n${shared}\n\nWorkers take steps from the queue; a dead worker's steps are taken over by another worker within seconds.\n\nRead more`,
    `Berth overview (mirror)\n\n${shared}\n\nThe queue is BullMQ on Redis, or in-process when embedded, and workers report progress as they run steps.\n\n- Fast\n- Safe\n\nAgents in Berth plan tasks as steps and run each`,
  ];

  it('says no sentence twice and leaves no fragment', () => {
    const summary = extractiveSummary(pages, 5);
    const sentences = splitSentences(summary);
    expect(sentences.length).toBe(5);
    expect(new Set(sentences).size).toBe(sentences.length);
    for (const sentence of sentences) {
      expect(sentence, 'a whole sentence').toMatch(/[.!?]$/);
      expect(
        pages.some((page) => page.replace(/\s+/g, ' ').includes(sentence)),
        sentence,
      ).toBe(true);
    }
    expect(summary).not.toMatch(/Read more|Fast|Safe|Berth overview|run each$/);
  });

  it('treats a sentence repeated with other spacing or case as the same one', () => {
    const texts = [
      'Ships sail in harbours. Harbours shelter ships.',
      'SHIPS  sail in harbours! Boats are ships too.',
    ];
    expect(splitSentences(extractiveSummary(texts, 5))).toEqual([
      'Ships sail in harbours.',
      'Harbours shelter ships.',
      'Boats are ships too.',
    ]);
  });

  it('keeps an abbreviation inside its sentence', () => {
    expect(
      splitSentences('Tools, e.g. fetch_url, run on workers. Dr. Smith wrote J. R. Tolkien a letter.'),
    ).toEqual(['Tools, e.g. fetch_url, run on workers.', 'Dr. Smith wrote J. R. Tolkien a letter.']);
  });

  it('falls back to the fragments when a text has no whole sentence', () => {
    expect(extractiveSummary('Home\n\nAbout us\n\nContact', 3)).toBe('Home About us Contact');
  });
});
