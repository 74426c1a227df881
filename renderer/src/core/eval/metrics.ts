// Metrics derived from an evaluation: per-class precision/recall/F1, macro averages, and the
// test examples behind a confusion-matrix cell or among the most confident mistakes.
// Pure functions over plain arrays (no tfjs), so the renderer can call them directly.
import type { EvaluationResult } from '../train/protocol';

export interface ClassMetrics {
  /** tp / (tp + fp): of the examples predicted as this class, the share that are it. null when never predicted. */
  precision: number | null;
  /** tp / (tp + fn): of the examples of this class, the share found. null when the class has no examples. */
  recall: number | null;
  /** 2tp / (2tp + fp + fn), the harmonic mean of the two; null only when the class neither occurs nor is predicted. */
  f1: number | null;
  /** Examples whose true class this is (the row sum). */
  support: number;
  /** Examples predicted as this class (the column sum). */
  predictedCount: number;
}

function checkSquare(confusion: readonly (readonly number[])[]): number {
  const k = confusion.length;
  confusion.forEach((row, i) => {
    if (row.length !== k) throw new RangeError(`confusion matrix row ${i} has ${row.length} entries, expected ${k}`);
  });
  return k;
}

/**
 * Per-class metrics from `confusion[trueClass][predictedClass]`. Undefined ratios (0/0) are
 * null rather than NaN, so they survive JSON and read as "—" in tables.
 */
export function perClassMetrics(confusion: readonly (readonly number[])[]): ClassMetrics[] {
  const k = checkSquare(confusion);
  const colSums = new Array<number>(k).fill(0);
  for (const row of confusion) for (let j = 0; j < k; j++) colSums[j] += row[j];
  return confusion.map((row, c) => {
    const tp = row[c];
    const support = row.reduce((a, b) => a + b, 0);
    const predictedCount = colSums[c];
    const fn = support - tp;
    const fp = predictedCount - tp;
    return {
      precision: predictedCount > 0 ? tp / predictedCount : null,
      recall: support > 0 ? tp / support : null,
      f1: tp + fp + fn > 0 ? (2 * tp) / (2 * tp + fp + fn) : null,
      support,
      predictedCount,
    };
  });
}

export interface MacroAverages {
  precision: number | null;
  recall: number | null;
  f1: number | null;
  /** Classes averaged over: those that occur or are predicted. */
  classes: number;
}

/**
 * Unweighted means over the classes that occur in the data or are predicted (as scikit-learn's
 * `average='macro'` with `zero_division=0`): an undefined ratio of such a class counts as 0, so a
 * class the model never predicts lowers the macro precision instead of vanishing from it.
 * Classes that neither occur nor are predicted are left out. null when no class qualifies.
 */
export function macroAverages(metrics: readonly ClassMetrics[]): MacroAverages {
  const used = metrics.filter((m) => m.support > 0 || m.predictedCount > 0);
  if (used.length === 0) return { precision: null, recall: null, f1: null, classes: 0 };
  const mean = (f: (m: ClassMetrics) => number | null) => used.reduce((a, m) => a + (f(m) ?? 0), 0) / used.length;
  return { precision: mean((m) => m.precision), recall: mean((m) => m.recall), f1: mean((m) => m.f1), classes: used.length };
}

/**
 * Test-set indices (as in `evaluation.indices`) of the examples of class `trueClass` that were
 * predicted as `predictedClass`, in evaluation order, at most `limit`.
 */
export function cellExamples(evaluation: EvaluationResult, trueClass: number, predictedClass: number, limit = Infinity): number[] {
  const out: number[] = [];
  const { labels, predicted, indices } = evaluation;
  for (let i = 0; i < labels.length && out.length < limit; i++) {
    if (labels[i] === trueClass && predicted[i] === predictedClass) out.push(indices[i]);
  }
  return out;
}

export interface Mistake {
  /** Test-set index. */
  index: number;
  label: number;
  predicted: number;
  /** The probability the model gave its (wrong) prediction. */
  confidence: number;
}

/** The most confident mistakes first (ties: lower test index first), at most `limit`. */
export function misclassified(evaluation: EvaluationResult, limit = Infinity): Mistake[] {
  const { labels, predicted, indices, confidence } = evaluation;
  const wrong: Mistake[] = [];
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] !== predicted[i]) wrong.push({ index: indices[i], label: labels[i], predicted: predicted[i], confidence: confidence[i] });
  }
  wrong.sort((a, b) => b.confidence - a.confidence || a.index - b.index);
  return Number.isFinite(limit) ? wrong.slice(0, Math.max(0, limit)) : wrong;
}

/** A class's display name: its entry in `classNames`, else its number. */
export function className(k: number, classNames?: readonly string[]): string {
  return classNames?.[k] ?? String(k);
}

/** "true 3 · predicted 5 · 97%": the caption of a misclassified example's tile. */
export function mistakeCaption(m: Pick<Mistake, 'label' | 'predicted' | 'confidence'>, classNames?: readonly string[]): string {
  return `true ${className(m.label, classNames)} · predicted ${className(m.predicted, classNames)} · ${Math.round(m.confidence * 100)}%`;
}
