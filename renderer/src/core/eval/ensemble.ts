// Ensembles: the average of K members' class probabilities. The members' own accuracies and the
// averaged one are computed from the same probabilities, so they compare like for like. No tfjs.

/** Element-wise mean of K probability arrays (each count×classes, row-major). */
export function averageProbabilities(members: Float32Array[]): Float32Array {
  if (members.length === 0) throw new Error('an ensemble needs at least one member');
  const n = members[0].length;
  for (const m of members) if (m.length !== n) throw new Error(`ensemble members disagree in size (${m.length} vs ${n})`);
  const out = new Float32Array(n);
  for (const m of members) for (let i = 0; i < n; i++) out[i] += m[i];
  for (let i = 0; i < n; i++) out[i] /= members.length;
  return out;
}

/** Fraction of rows whose largest probability is at the label. */
export function accuracyOf(probabilities: Float32Array, labels: ArrayLike<number>, classes: number): number {
  const n = labels.length;
  if (probabilities.length !== n * classes) throw new Error(`expected ${n}×${classes} probabilities, got ${probabilities.length}`);
  let correct = 0;
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let k = 1; k < classes; k++) if (probabilities[i * classes + k] > probabilities[i * classes + best]) best = k;
    if (best === labels[i]) correct++;
  }
  return n ? correct / n : NaN;
}

export interface EnsembleResult {
  members: number[];
  averaged: number;
  /** The best single member's accuracy. */
  bestMember: number;
}

export function ensembleAccuracy(members: Float32Array[], labels: ArrayLike<number>, classes: number): EnsembleResult {
  const accs = members.map((m) => accuracyOf(m, labels, classes));
  return { members: accs, averaged: accuracyOf(averageProbabilities(members), labels, classes), bestMember: Math.max(...accs) };
}
