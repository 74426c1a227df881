import { describe, expect, it } from 'vitest';
import { cellExamples, macroAverages, misclassified, mistakeCaption, perClassMetrics } from '@/core/eval/metrics';
import type { EvaluationResult } from '@/core/train/protocol';

/** A hand-made evaluation: 8 examples, 3 classes. */
function evaluation(): EvaluationResult {
  // index:       10  11  12  13  14  15  16  17
  const labels = [0, 0, 0, 1, 1, 2, 2, 2];
  const predicted = [0, 0, 1, 1, 2, 2, 0, 2];
  const confidence = [0.9, 0.8, 0.7, 0.95, 0.6, 0.5, 0.99, 0.4];
  const confusion = [
    [2, 1, 0],
    [0, 1, 1],
    [1, 0, 2],
  ];
  return {
    loss: 0.5,
    accuracy: 5 / 8,
    count: 8,
    classes: 3,
    indices: Uint32Array.from([10, 11, 12, 13, 14, 15, 16, 17]),
    labels: Int32Array.from(labels),
    predicted: Int32Array.from(predicted),
    confidence: Float32Array.from(confidence),
    confusion,
  };
}

describe('perClassMetrics', () => {
  it('matches hand-computed precision, recall, F1 and support', () => {
    const m = perClassMetrics(evaluation().confusion);
    // class 0: tp 2, row 3, column 3 -> P 2/3, R 2/3, F1 2/3
    // class 1: tp 1, row 2, column 2 -> P 1/2, R 1/2
    // class 2: tp 2, row 3, column 3 -> P 2/3, R 2/3
    expect(m.map((c) => c.support)).toEqual([3, 2, 3]);
    expect(m.map((c) => c.predictedCount)).toEqual([3, 2, 3]);
    expect(m[0].precision).toBeCloseTo(2 / 3, 12);
    expect(m[1].recall).toBeCloseTo(1 / 2, 12);
    expect(m[2].f1).toBeCloseTo(2 / 3, 12);
  });

  it('separates precision (column) from recall (row) on an asymmetric matrix', () => {
    const m = perClassMetrics([
      [8, 2],
      [4, 6],
    ]);
    // class 0: tp 8, fn 2, fp 4 -> P 8/12, R 8/10, F1 16/22
    expect(m[0].precision).toBeCloseTo(8 / 12, 12);
    expect(m[0].recall).toBeCloseTo(8 / 10, 12);
    expect(m[0].f1).toBeCloseTo(16 / 22, 12);
    // class 1: tp 6, fn 4, fp 2 -> P 6/8, R 6/10, F1 12/18
    expect(m[1].precision).toBeCloseTo(6 / 8, 12);
    expect(m[1].recall).toBeCloseTo(6 / 10, 12);
    expect(m[1].f1).toBeCloseTo(12 / 18, 12);
  });

  it('gives null, never NaN, for undefined ratios', () => {
    // class 1 never predicted; class 2 absent and never predicted.
    const m = perClassMetrics([
      [3, 0, 0],
      [2, 0, 0],
      [0, 0, 0],
    ]);
    expect(m[1]).toEqual({ precision: null, recall: 0, f1: 0, support: 2, predictedCount: 0 });
    expect(m[2]).toEqual({ precision: null, recall: null, f1: null, support: 0, predictedCount: 0 });
    expect(m[0].precision).toBeCloseTo(3 / 5, 12);
    expect(m[0].recall).toBe(1);
    expect(JSON.stringify(m)).not.toContain('NaN');
    for (const c of m) for (const v of [c.precision, c.recall, c.f1]) expect(Number.isNaN(v)).toBe(false);
  });

  it('rejects a matrix that is not square', () => {
    expect(() => perClassMetrics([[1, 2], [3]])).toThrow(/row 1/);
  });
});

describe('macroAverages', () => {
  it('averages over classes that occur or are predicted, undefined counting as 0 (scikit-learn macro)', () => {
    const m = perClassMetrics([
      [3, 0, 0],
      [2, 0, 0],
      [0, 0, 0],
    ]);
    const a = macroAverages(m);
    expect(a.classes).toBe(2);
    expect(a.precision).toBeCloseTo((3 / 5 + 0) / 2, 12);
    expect(a.recall).toBeCloseTo((1 + 0) / 2, 12);
    // F1 of class 0: 2*3/(6+2) = 0.75
    expect(a.f1).toBeCloseTo(0.75 / 2, 12);
  });

  it('is null for an empty matrix', () => {
    expect(macroAverages(perClassMetrics([[0]]))).toEqual({ precision: null, recall: null, f1: null, classes: 0 });
  });
});

describe('cellExamples', () => {
  it('returns the test indices of one cell in evaluation order, up to the limit', () => {
    const e = evaluation();
    expect(cellExamples(e, 0, 0, 10)).toEqual([10, 11]);
    expect(cellExamples(e, 0, 1, 10)).toEqual([12]);
    expect(cellExamples(e, 2, 0, 10)).toEqual([16]);
    expect(cellExamples(e, 2, 2, 1)).toEqual([15]);
    expect(cellExamples(e, 1, 0, 10)).toEqual([]);
  });

  it('agrees with the confusion matrix counts', () => {
    const e = evaluation();
    for (let t = 0; t < 3; t++) for (let p = 0; p < 3; p++) expect(cellExamples(e, t, p).length).toBe(e.confusion[t][p]);
  });
});

describe('misclassified', () => {
  it('lists only the mistakes, most confident first, with true and predicted class', () => {
    const e = evaluation();
    expect(misclassified(e, 10)).toEqual([
      { index: 16, label: 2, predicted: 0, confidence: Math.fround(0.99) },
      { index: 12, label: 0, predicted: 1, confidence: Math.fround(0.7) },
      { index: 14, label: 1, predicted: 2, confidence: Math.fround(0.6) },
    ]);
    expect(misclassified(e, 1).map((m) => m.index)).toEqual([16]);
    expect(misclassified(e, 0)).toEqual([]);
  });
});

describe('mistakeCaption', () => {
  it('names true and predicted class and the confidence', () => {
    expect(mistakeCaption({ label: 3, predicted: 5, confidence: 0.974 })).toBe('true 3 · predicted 5 · 97%');
    expect(mistakeCaption({ label: 0, predicted: 1, confidence: 0.5 }, ['cat', 'dog'])).toBe('true cat · predicted dog · 50%');
  });
});
