/**
 * The question templates of the Neural Programmer's synthetic table QA (Neelakantan et al. 2016,
 * appendix Table 4; paper-spec §3.1). A template is data: an optional row selection followed by a final
 * aggregation. The same template list serves the three modes; in the multi-column and text modes every
 * comparison / aggregation names a column.
 */

export const TABLE_QA_MODES = ['single-column', 'multi-column', 'text-entries'] as const;
export type TableQaMode = (typeof TABLE_QA_MODES)[number];

export const TEMPLATE_CATEGORIES = ['aggregation', 'comparison', 'logic', 'arithmetic', 'text'] as const;
export type TemplateCategory = (typeof TEMPLATE_CATEGORIES)[number];

export type Comparison = 'greater' | 'lesser';
export type Selection =
  | { readonly kind: 'all' }
  | { readonly kind: 'compare'; readonly op: Comparison }
  | { readonly kind: 'logic'; readonly op: 'and' | 'or'; readonly first: Comparison; readonly second: Comparison }
  /** Rows whose text cell equals a vocabulary word (text entries only). */
  | { readonly kind: 'word' };
export type Final = 'sum' | 'count' | 'print' | 'sum-diff-count' | 'count-diff-sum';

export interface Template {
  readonly name: string;
  readonly category: TemplateCategory;
  readonly selection: Selection;
  readonly final: Final;
}

const FINALS: readonly ('sum' | 'count' | 'print')[] = ['sum', 'count', 'print'];

function build(): Template[] {
  const out: Template[] = [];
  for (const f of FINALS) out.push({ name: f, category: 'aggregation', selection: { kind: 'all' }, final: f });
  for (const f of FINALS) {
    for (const op of ['greater', 'lesser'] as const) out.push({ name: `${op}-${f}`, category: 'comparison', selection: { kind: 'compare', op }, final: f });
  }
  const pairs: [Comparison, 'and' | 'or', Comparison][] = [
    ['greater', 'and', 'lesser'],
    ['lesser', 'and', 'greater'],
    ['greater', 'or', 'lesser'],
    ['lesser', 'or', 'greater'],
  ];
  for (const [first, op, second] of pairs) {
    for (const f of FINALS) out.push({ name: `${first}-${op}-${second}-${f}`, category: 'logic', selection: { kind: 'logic', op, first, second }, final: f });
  }
  out.push({ name: 'sum-diff-count', category: 'arithmetic', selection: { kind: 'all' }, final: 'sum-diff-count' });
  out.push({ name: 'count-diff-sum', category: 'arithmetic', selection: { kind: 'all' }, final: 'count-diff-sum' });
  return out;
}

/** The 23 single-column templates (appendix Table 4 of NP16), in a fixed order. */
export const NUMERIC_TEMPLATES: readonly Template[] = Object.freeze(build());

/** Text-match templates of "text entries" [A: by analogy with NP16 Table 8]: `word:k A sum B`, `word:k A count`, `word:k A print B`. */
export const TEXT_TEMPLATES: readonly Template[] = Object.freeze(
  FINALS.map((f): Template => ({ name: `word-${f}`, category: 'text', selection: { kind: 'word' }, final: f })),
);

/** Every template a mode can draw from: the 23 numeric ones, plus the text ones in text-entries mode. */
export function templatesFor(mode: TableQaMode): readonly Template[] {
  return mode === 'text-entries' ? [...NUMERIC_TEMPLATES, ...TEXT_TEMPLATES] : NUMERIC_TEMPLATES;
}

export const ALL_TEMPLATE_NAMES: readonly string[] = Object.freeze([...NUMERIC_TEMPLATES, ...TEXT_TEMPLATES].map((t) => t.name));

/** Templates grouped by category (categories without templates left out), in TEMPLATE_CATEGORIES order. */
export function byCategory(templates: readonly Template[]): { category: TemplateCategory; templates: Template[] }[] {
  const out: { category: TemplateCategory; templates: Template[] }[] = [];
  for (const category of TEMPLATE_CATEGORIES) {
    const ts = templates.filter((t) => t.category === category);
    if (ts.length > 0) out.push({ category, templates: ts });
  }
  return out;
}

/** Whether the answer is a set of cells (print) rather than a number. */
export function isLookup(t: Template): boolean {
  return t.final === 'print';
}
