import { AnnealError } from '@anneal/core';

/**
 * Parser for the bAbI task format (Weston et al. 2015, v1.2):
 *
 *   ID text
 *   ID question?<TAB>answer<TAB>supporting-fact ids
 *
 * IDs count up from 1 inside a story; an ID of 1 starts a new story. Question lines are not story
 * sentences (they are not stored as memories). Supporting facts are parsed and checked but the model
 * never sees them (weak supervision).
 */

/** One question with a pointer into its story. */
export interface BabiQuestion {
  /** Index of the story in `ParsedBabiFile.stories`. */
  readonly story: number;
  /** Number of story sentences before the question: its context is `stories[story].slice(0, sentenceCount)`. */
  readonly sentenceCount: number;
  readonly tokens: readonly string[];
  /** The answer as one token (multi-word answers such as "s,e" or "apple,football" stay one token). */
  readonly answer: string;
  /** Supporting facts as 0-based sentence indices into the story (parsed, unused by the model). */
  readonly supporting: readonly number[];
  /** 1-based line number in the file. */
  readonly line: number;
}

export interface ParsedBabiFile {
  readonly file: string;
  /** Stories as lists of tokenised sentences (question lines excluded). */
  readonly stories: readonly (readonly (readonly string[])[])[];
  readonly questions: readonly BabiQuestion[];
}

/** Lowercases a word and strips one trailing '.' or '?' (the reference MemN2N tokenisation). */
export function normaliseWord(word: string): string {
  const w = word.toLowerCase();
  return w.endsWith('.') || w.endsWith('?') ? w.slice(0, -1) : w;
}

/** Splits on whitespace, lowercases and strips a trailing '.' or '?'; empty tokens are dropped. */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.trim().split(/\s+/)) {
    if (raw === '') continue;
    const w = normaliseWord(raw);
    if (w !== '') out.push(w);
  }
  return out;
}

function corrupt(file: string, line: number, why: string, text: string): never {
  const shown = text.length > 120 ? `${text.slice(0, 117)}...` : text;
  throw new AnnealError(
    'ANNEAL_ERR_DATA_CORRUPT',
    `${file}:${line}: ${why} (line: ${JSON.stringify(shown)}). The bAbI file looks damaged or is not in the bAbI format; ` +
      `re-fetch it with \`anneal data fetch babi\` or point dataDir / ANNEAL_BABI_DIR at a clean copy.`,
    { file, line, text: shown },
  );
}

/**
 * Parses the text of one bAbI file. `file` is used in error messages only.
 * Throws AnnealError('ANNEAL_ERR_DATA_CORRUPT') naming `file:line` for a malformed line.
 */
export function parseBabi(text: string, file: string): ParsedBabiFile {
  const stories: string[][][] = [];
  const questions: BabiQuestion[] = [];
  const lines = text.split('\n');
  let story: string[][] | null = null;
  let prevId = 0;
  // For the current story: line id → sentence index (statements) or -1 (questions).
  let idToSentence: number[] = [];
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const line = lines[i].replace(/\r$/, '');
    if (line.trim() === '') continue;
    const m = /^(\d+) (.*)$/.exec(line);
    if (!m) corrupt(file, lineNo, 'expected "<id> <text>" with a numeric id', line);
    const id = Number(m[1]);
    const body = m[2];
    if (id === 1) {
      story = [];
      stories.push(story);
      idToSentence = [];
    } else if (story === null) {
      corrupt(file, lineNo, `the first story must start at id 1, found id ${id}`, line);
    } else if (id !== prevId + 1) {
      corrupt(file, lineNo, `line id ${id} does not follow id ${prevId} (ids count up from 1 within a story)`, line);
    }
    prevId = id;
    if (body.includes('\t')) {
      const parts = body.split('\t');
      const qText = parts[0];
      const answer = (parts[1] ?? '').trim();
      if (!qText.trim().endsWith('?')) corrupt(file, lineNo, 'a question line (it has a tab) must end its question with "?"', line);
      if (answer === '' || /\s/.test(answer)) corrupt(file, lineNo, 'a question line needs exactly one answer token after the first tab', line);
      if (parts.length > 3) corrupt(file, lineNo, 'a question line has at most three tab-separated fields (question, answer, supporting ids)', line);
      const supporting: number[] = [];
      const supText = (parts[2] ?? '').trim();
      if (supText !== '') {
        for (const s of supText.split(/\s+/)) {
          if (!/^\d+$/.test(s)) corrupt(file, lineNo, `supporting-fact id '${s}' is not a number`, line);
          const sid = Number(s);
          const sentence = idToSentence[sid];
          if (sid >= id || sentence === undefined || sentence < 0) {
            corrupt(file, lineNo, `supporting-fact id ${sid} does not name an earlier statement of this story`, line);
          }
          supporting.push(sentence);
        }
      }
      const tokens = tokenize(qText);
      if (tokens.length === 0) corrupt(file, lineNo, 'empty question', line);
      questions.push({ story: stories.length - 1, sentenceCount: story!.length, tokens, answer: answer.toLowerCase(), supporting, line: lineNo });
      idToSentence[id] = -1;
    } else {
      const tokens = tokenize(body);
      if (tokens.length === 0) corrupt(file, lineNo, 'empty sentence', line);
      idToSentence[id] = story!.length;
      story!.push(tokens);
    }
  }
  return { file, stories, questions };
}
