// Function words that carry no topic; without them every sentence would score on "the" and "and".
const stopwords = new Set(
  (
    'a about above after again against all also am an and any are as at be because been before being below ' +
    'between both but by can could did do does doing down during each few for from further had has have having ' +
    'he her here hers herself him himself his how i if in into is it its itself just me more most my myself no ' +
    'nor not now of off on once only or other our ours ourselves out over own same she should so some such than ' +
    'that the their theirs them themselves then there these they this those through to too under until up very ' +
    'was we were what when where which while who whom why will with would you your yours yourself yourselves ' +
    "it's i'm don't isn't aren't wasn't weren't can't won't there's that's one may might must shall us"
  ).split(' '),
);

// "e.g. this" is one sentence, not two; the list covers what English prose abbreviates most.
const ABBREVIATIONS = /(?<=\b(?:e\.g|i\.e|vs|cf|Mr|Mrs|Ms|Dr|Prof|[A-Z]))\.$/;

/** Splits prose into sentences at . ! ? (followed by space) and at blank or bulleted lines. */
export function splitSentences(text: string): string[] {
  return text
    .split(/\n\s*\n|\n(?=\s*[-*•]\s)/)
    .flatMap((block) => joinAbbreviations(block.replace(/\s+/g, ' ').split(/(?<=[.!?]["')\]]?)\s+(?=\S)/)))
    .map((sentence) => sentence.trim())
    .filter((sentence) => /[\p{L}\p{N}]/u.test(sentence));
}

function joinAbbreviations(pieces: string[]): string[] {
  const sentences: string[] = [];
  for (const piece of pieces) {
    const last = sentences.at(-1);
    if (last !== undefined && ABBREVIATIONS.test(last)) sentences[sentences.length - 1] = `${last} ${piece}`;
    else sentences.push(piece);
  }
  return sentences;
}

/** A whole sentence, not a heading, a menu item or a text cut off mid-way. */
const isComplete = (sentence: string) => /[.!?]["')\]]?$/.test(sentence);

// Two pages that share a paragraph must not put it in the summary twice.
const sameSentence = (sentence: string) =>
  sentence
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();

/** The sentences of every text, each said once (the first time), in order. */
function distinctSentences(texts: readonly string[]): string[] {
  const seen = new Set<string>();
  return texts.flatMap(splitSentences).filter((sentence) => {
    const key = sameSentence(sentence);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

// Folds simple plurals and third-person verbs together ("agents" → "agent", "runs" → "run").
const stem = (word: string): string => (word.length > 3 && /[^s]s$/.test(word) ? word.slice(0, -1) : word);

function contentWords(sentence: string): string[] {
  const words = sentence.toLowerCase().match(/[\p{L}\p{N}]+(?:'[\p{L}]+)?/gu) ?? [];
  return words.filter((word) => word.length > 1 && !stopwords.has(word)).map(stem);
}

/**
 * Extractive summary of one text or several: scores each sentence by the summed frequency of its
 * content words (normalised by the most frequent word; stopwords and words used only once left out)
 * and keeps the best `maxSentences` in their original order. A sentence found in several texts counts
 * once; only whole sentences are picked (headings, menu items and a cut-off tail still inform the
 * scores), unless the texts have none.
 * Pure and deterministic; ties go to the earlier sentence.
 */
export function extractiveSummary(texts: string | readonly string[], maxSentences = 3): string {
  const sentences = distinctSentences(typeof texts === 'string' ? [texts] : texts);
  const complete = sentences.filter(isComplete);
  const candidates = complete.length > 0 ? complete : sentences;
  if (candidates.length <= maxSentences) return candidates.join(' ');
  const frequency = new Map<string, number>();
  for (const word of sentences.flatMap(contentWords)) frequency.set(word, (frequency.get(word) ?? 0) + 1);
  let top = 1;
  for (const count of frequency.values()) top = Math.max(top, count);
  // A word used once says nothing about the topic and would only reward long sentences.
  const weight = (word: string): number => {
    const count = frequency.get(word) ?? 0;
    return count > 1 || top === 1 ? count / top : 0;
  };
  const scored = candidates.map((sentence, index) => ({
    index,
    score: contentWords(sentence).reduce((sum, word) => sum + weight(word), 0),
  }));
  const kept = scored
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .slice(0, Math.max(0, maxSentences))
    .map((entry) => entry.index)
    .sort((a, b) => a - b);
  return kept.map((index) => candidates[index]).join(' ');
}
