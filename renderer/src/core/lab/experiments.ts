// The eleven experiments of the lecture, as data: graphs + settings, and the verdict computed from
// the runs. Defaults are cut short (a few thousand examples) so each completes in a few minutes on
// a 2-core CPU with the wasm backend; --limit (or the gallery's setting) makes them longer.
import { acc, meanNorms, nonDecreasing, pct, type Experiment, type ExperimentId, type RunOutcome } from './experiment';
import { analyze } from '../graph/analyze';
import { multiplyAdds, reachableParams } from '../graph/cost';
import type { Graph } from '../graph/types';
import { chain, convnetjs, logisticRegression, mlp } from './graphs';

const accOf = (r: RunOutcome) => r.testAccuracy;

const pixels: Experiment = {
  id: 'pixels', number: 1, title: 'Pixels are weak features',
  claim: 'Logistic regression on raw pixels reaches only about 92% on MNIST: each pixel votes for each digit on its own.',
  lookAt: 'The test accuracy: far from the 99% of a convnet.',
  defaultLimit: 10_000, testLimit: 2000,
  // Near convergence, so the number measures the features, not a short run.
  base: { optimizer: 'adam', learningRate: 0.01, epochs: 2 },
  runs: () => [{ key: 'lr', label: 'Logistic regression', graph: logisticRegression() }],
  async verdict({ runs }) {
    const a = accOf(runs.lr);
    const holds = a >= 0.85 && a <= 0.95;
    return {
      holds, numbers: { logisticRegression: a }, comparison: [acc('Logistic regression', a)],
      summary: holds ? `Logistic regression reaches ${pct(a)}: well short of a convnet.` : `Logistic regression reaches ${pct(a)}, outside the 85–95% the claim expects.`,
    };
  },
};

const bankNet = (preset: string, kernelSize: number) => chain([
  ['input_1', 'Input', { kind: 'image', height: 28, width: 28, channels: 1 }],
  ['conv2d_1', 'Conv2D', { preset, kernelSize, stride: 1, padding: 'same', activation: 'relu', useBias: false }],
  ['maxpool2d_1', 'MaxPool2D', { poolSize: 2, stride: 2, padding: 'valid' }],
  ['flatten_1', 'Flatten'],
  ['classifier_1', 'Classifier', { classes: 10 }],
]);

const handMade: Experiment = {
  id: 'hand-made-features', number: 2, title: 'Hand-made features help',
  claim: 'Fixed oriented-gradient, edge and Gabor filters as a frozen first layer, then logistic regression, beat logistic regression on pixels.',
  lookAt: 'Accuracy of each bank against pixels; the frozen filters next to the learned ones of experiment 4.',
  defaultLimit: 10_000, testLimit: 2000,
  base: { optimizer: 'adam', learningRate: 0.003, epochs: 2 },
  runs: () => [
    { key: 'pixels', label: 'Logistic regression on pixels', graph: logisticRegression() },
    { key: 'oriented', label: 'Oriented gradients (8, frozen) + LR', graph: bankNet('oriented', 5) },
    { key: 'gabor', label: 'Gabor (8, frozen) + LR', graph: bankNet('gabor', 7) },
    { key: 'sobel', label: 'Sobel edges (4, frozen) + LR', graph: bankNet('sobel', 3) },
  ],
  async verdict({ runs }) {
    const px = accOf(runs.pixels);
    const banks = (['oriented', 'gabor', 'sobel'] as const).map((k) => ({ key: k, label: runs[k].label, acc: accOf(runs[k]) }));
    const holds = banks.every((b) => b.acc > px);
    return {
      holds, numbers: { pixels: px, ...Object.fromEntries(banks.map((b) => [b.key, b.acc])) },
      comparison: [acc('Pixels', px), ...banks.map((b) => acc(b.label, b.acc))],
      summary: holds ? `Every frozen bank beats pixels (${pct(px)}): ${banks.map((b) => `${b.key} ${pct(b.acc)}`).join(', ')}.`
        : `Not every bank beats pixels (${pct(px)}): ${banks.map((b) => `${b.key} ${pct(b.acc)}`).join(', ')}.`,
    };
  },
};

const linearCollapse: Experiment = {
  id: 'linear-collapse', number: 3, title: 'Without a transfer function, depth buys nothing',
  claim: 'A deep net with linear activations is one linear map: it ends within about a point of logistic regression. The same net with ReLU does better.',
  lookAt: 'The linear net’s curve lies on the logistic regression’s; the ReLU net’s climbs above both.',
  defaultLimit: 10_000, testLimit: 2000,
  // Each trained near convergence at a rate that suits it: the claim is about what a net can represent, not how fast it gets there.
  base: { optimizer: 'adam', learningRate: 0.001, epochs: 3 },
  runs: () => [
    // Convex: it takes (and needs) a larger rate to converge in as few steps as the deep nets.
    { key: 'lr', label: 'Logistic regression', graph: logisticRegression(), config: { learningRate: 0.01 } },
    { key: 'linear', label: '3 × Dense 128, linear', graph: mlp(3, 128, 'linear') },
    { key: 'relu', label: '3 × Dense 128, ReLU', graph: mlp(3, 128, 'relu') },
  ],
  async verdict({ runs }) {
    const [lr, lin, relu] = [accOf(runs.lr), accOf(runs.linear), accOf(runs.relu)];
    const gap = lin - lr;
    const reluGain = relu - lr;
    // "About a point": up to 2 on the short default runs (their noise is about 1); ReLU must gain clearly more.
    const holds = Math.abs(gap) <= 0.02 && reluGain > Math.max(0.01, gap + 0.01);
    return {
      holds,
      numbers: { logisticRegression: lr, deepLinear: lin, deepRelu: relu, linearMinusLR: gap, reluMinusLR: reluGain },
      comparison: [acc('Logistic regression', lr), acc('Deep linear', lin), acc('Deep ReLU', relu)],
      summary: holds
        ? `The deep linear net ends ${(gap * 100).toFixed(1)} points from logistic regression (${pct(lin)} vs ${pct(lr)}); with ReLU the same net gains ${(reluGain * 100).toFixed(1)} points (${pct(relu)}).`
        : `Not this time: deep linear ${pct(lin)}, logistic regression ${pct(lr)}, deep ReLU ${pct(relu)}.`,
    };
  },
};

const learnedFeatures: Experiment = {
  id: 'learned-features', number: 4, title: 'Learned features win',
  claim: 'The ConvNetJS net, trained end to end, reaches at least 99.0% test accuracy; its first-layer filters look like edge and stroke detectors.',
  lookAt: 'The test accuracy, and the first layer’s filters (Look inside) beside the hand-made bank of experiment 2.',
  defaultLimit: undefined, testLimit: undefined,
  base: { optimizer: 'adam', learningRate: 0.003, epochs: 12, batchSize: 64, schedule: 'cosine', minLearningRate: 0.00001 },
  runs: () => [{ key: 'convnet', label: 'ConvNetJS net', graph: convnetjs() }],
  async verdict({ runs }) {
    const a = accOf(runs.convnet);
    return {
      holds: a >= 0.99, numbers: { convnet: a, examplesSeen: runs.convnet.examplesSeen }, comparison: [acc('ConvNetJS net', a)],
      summary: a >= 0.99 ? `The learned net reaches ${pct(a)}.` : `The net reaches ${pct(a)}, short of 99.0% (${runs.convnet.examplesSeen} examples seen: give it more with --limit or more epochs).`,
    };
  },
};

/** Layers of the deep nets of experiment 5, input side first. */
const deepLayers = ['dense_1', 'dense_2', 'dense_3', 'dense_4', 'dense_5', 'dense_6', 'classifier_1'];

const vanishing: Experiment = {
  id: 'vanishing-gradients', number: 5, title: 'Vanishing gradients',
  claim: 'In a deep sigmoid net the gradient shrinks layer by layer on its way back: the early layers are starved. The same net with ReLU keeps them fed.',
  lookAt: 'The per-layer gradient-norm chart: the sigmoid net’s first layers sit far below its last; the ReLU net’s do not.',
  defaultLimit: 4000, testLimit: 2000,
  base: { optimizer: 'sgd', learningRate: 0.1 },
  runs: () => [
    { key: 'sigmoid', label: '6 × Dense 64, sigmoid', graph: mlp(6, 64, 'sigmoid'), gradientNormsEvery: 5 },
    { key: 'relu', label: '6 × Dense 64, ReLU', graph: mlp(6, 64, 'relu'), gradientNormsEvery: 5 },
  ],
  async verdict({ runs }) {
    const s = meanNorms(runs.sigmoid.gradientNorms);
    const r = meanNorms(runs.relu.gradientNorms);
    const first = deepLayers[0];
    const last = deepLayers[deepLayers.length - 1];
    const ratio = (m: Record<string, number>) => m[first] / m[last];
    const holds = s[first] < r[first] && ratio(s) < ratio(r);
    return {
      holds,
      numbers: {
        sigmoid: deepLayers.map((l) => s[l] ?? null), relu: deepLayers.map((l) => r[l] ?? null), layers: deepLayers,
        sigmoidFirstLayer: s[first], reluFirstLayer: r[first], sigmoidFirstOverLast: ratio(s), reluFirstOverLast: ratio(r),
        accuracy: { sigmoid: accOf(runs.sigmoid), relu: accOf(runs.relu) },
      },
      comparison: [
        { label: 'Sigmoid: first-layer gradient norm', value: s[first], unit: 'number' },
        { label: 'ReLU: first-layer gradient norm', value: r[first], unit: 'number' },
        acc('Sigmoid accuracy', accOf(runs.sigmoid)), acc('ReLU accuracy', accOf(runs.relu)),
      ],
      summary: holds
        ? `The sigmoid net’s first layer gets ${(s[first] / r[first]).toPrecision(2)}× the ReLU net’s gradient, and ${ratio(s).toPrecision(2)}× its own last layer’s (ReLU: ${ratio(r).toPrecision(2)}×).`
        : `Not this time: first-layer gradient norm sigmoid ${s[first]?.toPrecision(3)}, ReLU ${r[first]?.toPrecision(3)}.`,
    };
  },
};

const TRICK_PAIRS = [
  ['clip', 'Clipping by norm 15'], ['dropout', 'Dropout 0.5'], ['momentum', 'Momentum 0.9'], ['plateau', 'Halve the rate on a plateau'],
] as const;

const tricks: Experiment = {
  id: 'tricks', number: 6, title: 'Training tricks',
  claim: 'Gradient clipping (norm 15), dropout, momentum and halving the learning rate on a plateau each help, or at least do not hurt.',
  lookAt: 'Each pair of overlaid curves differs in one setting only.',
  defaultLimit: 4000, testLimit: 2000,
  base: { optimizer: 'sgd', learningRate: 0.05, epochs: 2 },
  runs: () => {
    const net = () => mlp(2, 128, 'relu');
    return [
      { key: 'clip-off', label: 'SGD 0.5, no clipping', graph: net(), config: { learningRate: 0.5 } },
      { key: 'clip-on', label: 'SGD 0.5, clipping by norm 15', graph: net(), config: { learningRate: 0.5, clip: 'norm', clipValue: 15 } },
      { key: 'dropout-off', label: 'No dropout', graph: net() },
      { key: 'dropout-on', label: 'Dropout 0.5', graph: mlp(2, 128, 'relu', {}, 0.5) },
      { key: 'momentum-off', label: 'Plain SGD 0.01', graph: net(), config: { learningRate: 0.01 } },
      { key: 'momentum-on', label: 'SGD 0.01 with momentum 0.9', graph: net(), config: { learningRate: 0.01, optimizer: 'momentum', momentum: 0.9 } },
      { key: 'plateau-off', label: 'Constant rate', graph: net(), config: { epochs: 3 } },
      { key: 'plateau-on', label: 'Halved on a plateau', graph: net(), config: { epochs: 3, schedule: 'plateau', plateauPatience: 1, stepFactor: 0.5 } },
    ];
  },
  async verdict({ runs }) {
    const rows = TRICK_PAIRS.map(([k, label]) => ({ key: k, label, off: accOf(runs[`${k}-off`]), on: accOf(runs[`${k}-on`]) }));
    // A diverged run (NaN) counts as 0: that is what clipping prevents.
    const val = (v: number) => (Number.isFinite(v) ? v : 0);
    const helps = rows.map((r) => val(r.on) >= val(r.off) - 0.005);
    const holds = helps.every(Boolean);
    return {
      holds, numbers: Object.fromEntries(rows.map((r, i) => [r.key, { without: r.off, with: r.on, helpsOrNeutral: helps[i] }])),
      comparison: rows.flatMap((r) => [acc(`${r.label}: without`, r.off), acc(`${r.label}: with`, r.on)]),
      summary: holds ? 'Every trick helped or was neutral (within half a point).'
        : `Not every trick helped here: ${rows.filter((_, i) => !helps[i]).map((r) => `${r.label} (${pct(r.on)} with, ${pct(r.off)} without)`).join('; ')}.`,
    };
  },
};

const PROBE_LAYERS = ['input_1', 'dense_1', 'dense_2', 'dense_3'];

const hiddenFeatures: Experiment = {
  id: 'hidden-features', number: 7, title: 'Hidden layers are features',
  claim: 'Each hidden layer of a trained net re-describes the digit so that the classes become easier to separate: a linear probe on its activations gets better with depth.',
  lookAt: 'Probe accuracy by depth, from the pixels to the last hidden layer; the 2-D embeddings of the pixels and of the last hidden layer, coloured by class.',
  defaultLimit: 8000, testLimit: 2000,
  base: { optimizer: 'adam', learningRate: 0.001 },
  runs: () => [{ key: 'net', label: '3 hidden ReLU layers (256-128-64)', graph: mlp(3, [256, 128, 64], 'relu') }],
  async verdict({ job }) {
    const r = await job('net', { kind: 'probe', layers: PROBE_LAYERS, trainCount: 2000, testCount: 1000, epochs: 8 });
    if (r.kind !== 'probe') throw new Error('expected probe results');
    const accs = r.layers.map((l) => l.testAccuracy);
    const holds = nonDecreasing(accs, 0.01) && accs[accs.length - 1] - accs[0] >= 0.02;
    // 2-D UMAP embeddings of the pixels and of the last hidden layer, coloured by class (shown beside the probe).
    const embedding: Record<string, { points: unknown; neighbourAgreement: number }> = {};
    for (const layer of [PROBE_LAYERS[0], PROBE_LAYERS[PROBE_LAYERS.length - 1]]) {
      const e = await job('net', { kind: 'embed', layer, count: 500 });
      if (e.kind !== 'embed') throw new Error('expected embedding results');
      embedding[layer] = { points: e.points, neighbourAgreement: e.neighbourAgreement };
    }
    return {
      holds, numbers: { probe: r.layers, embedding },
      comparison: [
        ...r.layers.map((l) => acc(`Probe on ${l.layer} (${l.dim} values)`, l.testAccuracy)),
        ...Object.entries(embedding).map(([l, e]) => acc(`2-D embedding of ${l}: nearest neighbour of the same class`, e.neighbourAgreement)),
      ],
      summary: holds ? `Probe accuracy rises from ${pct(accs[0])} on the pixels to ${pct(accs[accs.length - 1])} on the last hidden layer.`
        : `Not this time: probe accuracies by depth ${accs.map(pct).join(' → ')}.`,
    };
  },
};

const ensembles: Experiment = {
  id: 'ensembles', number: 8, title: 'Ensembles',
  claim: 'K copies of a net trained from different seeds disagree on some images; averaging their probabilities is better than the best member alone.',
  lookAt: 'Each member’s accuracy and the average’s.',
  defaultLimit: 4000, testLimit: 2000,
  base: { optimizer: 'adam', learningRate: 0.001 },
  runs: () => [1, 2, 3].map((seed) => ({ key: `m${seed}`, label: `Member, seed ${seed}`, graph: mlp(1, 64, 'relu'), config: { seed } })),
  async verdict({ job, runId }) {
    const r = await job('m1', { kind: 'ensemble', others: [runId('m2'), runId('m3')], count: 2000 });
    if (r.kind !== 'ensemble') throw new Error('expected ensemble results');
    const holds = r.averaged >= r.bestMember;
    return {
      holds, numbers: { members: r.members, averaged: r.averaged, bestMember: r.bestMember },
      comparison: [...r.members.map((a, i) => acc(`Member ${i + 1}`, a)), acc('Average of 3', r.averaged)],
      summary: holds ? `The average (${pct(r.averaged)}) beats the best member (${pct(r.bestMember)}).` : `Not this time: average ${pct(r.averaged)}, best member ${pct(r.bestMember)}.`,
    };
  },
};

const EPSILONS = [0, 0.02, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3];

const adversarial: Experiment = {
  id: 'adversarial', number: 9, title: 'Failure cases: adversarial examples',
  claim: 'A small step of every pixel in the direction that raises the loss (fast gradient sign) flips a net’s prediction, and more images flip as ε grows.',
  lookAt: 'Accuracy against ε; one image, its amplified perturbation and the adversarial image with both predictions.',
  defaultLimit: 6000, testLimit: 2000,
  base: { optimizer: 'adam', learningRate: 0.001 },
  runs: () => [{ key: 'net', label: 'ConvNetJS net', graph: convnetjs() }],
  async verdict({ job }) {
    const r = await job('net', { kind: 'fgsm', epsilons: EPSILONS, count: 500 });
    if (r.kind !== 'fgsm') throw new Error('expected FGSM results');
    const holds = nonDecreasing(r.flipRate, 0.01) && r.flipRate[r.flipRate.length - 1] - r.flipRate[0] >= 0.2;
    const flips = r.smallestFlip.filter((e): e is number => e !== null).sort((a, b) => a - b);
    const median = flips.length ? flips[Math.floor(flips.length / 2)] : null;
    // The picture: a few test images, each at the smallest ε (to 0.005) that flips it.
    const ex = await job('net', { kind: 'fgsm-example', count: 5, maxEpsilon: EPSILONS[EPSILONS.length - 1], step: 0.005 });
    if (ex.kind !== 'fgsm-example') throw new Error('expected FGSM examples');
    return {
      holds,
      numbers: {
        epsilons: r.epsilons, flipRate: r.flipRate, accuracy: r.accuracy, medianSmallestFlip: median, flippedWithinRange: flips.length / r.count,
        examples: ex.examples,
      },
      comparison: r.epsilons.map((e, i) => acc(`Accuracy at ε = ${e}`, r.accuracy[i])),
      summary: holds ? `Flip rate rises from ${pct(r.flipRate[0])} to ${pct(r.flipRate[r.flipRate.length - 1])} at ε = ${r.epsilons[r.epsilons.length - 1]}; half the flipped images flip by ε = ${median}.`
        : `Not this time: flip rates ${r.flipRate.map(pct).join(', ')}.`,
    };
  },
};

/** Two towers: a dense first conv, then convs whose channels split into `groups` (1 = dense, same width). */
export const towersNet = (groups: number) => chain([
  ['input_1', 'Input', { kind: 'image', height: 28, width: 28, channels: 1 }],
  ['conv2d_1', 'Conv2D', { filters: 16, kernelSize: 5, stride: 1, padding: 'same', activation: 'relu' }],
  ['maxpool2d_1', 'MaxPool2D', { poolSize: 2, stride: 2, padding: 'valid' }],
  ['conv2d_2', 'Conv2D', { filters: 32, kernelSize: 3, stride: 1, padding: 'same', activation: 'relu', groups }],
  ['maxpool2d_2', 'MaxPool2D', { poolSize: 2, stride: 2, padding: 'valid' }],
  ['conv2d_3', 'Conv2D', { filters: 32, kernelSize: 3, stride: 1, padding: 'same', activation: 'relu', groups }],
  ['maxpool2d_3', 'MaxPool2D', { poolSize: 2, stride: 2, padding: 'valid' }],
  ['flatten_1', 'Flatten'],
  ['classifier_1', 'Classifier', { classes: 10 }],
]);

/** Parameters and multiply-adds of one example's forward pass, from the graph alone. */
function costOf(graph: Graph): { params: number; multiplyAdds: number } {
  const a = analyze(graph);
  return { params: reachableParams(graph, a), multiplyAdds: multiplyAdds(graph, a).total };
}

const sparse: Experiment = {
  id: 'sparse-connections', number: 10, title: 'Sparse connections',
  claim: 'AlexNet’s two towers are a grouped convolution: half the parameters and multiply-adds of a dense conv of the same width, for about the same accuracy.',
  lookAt: 'Parameters, multiply-adds and accuracy side by side.',
  defaultLimit: 6000, testLimit: 2000,
  base: { optimizer: 'adam', learningRate: 0.002 },
  runs: () => [
    { key: 'dense', label: 'Dense convs (16 → 32 → 32)', graph: towersNet(1) },
    { key: 'grouped', label: 'Two towers (groups = 2, same widths)', graph: towersNet(2) },
  ],
  async verdict({ runs }) {
    const d = { ...costOf(towersNet(1)), accuracy: accOf(runs.dense) };
    const g = { ...costOf(towersNet(2)), accuracy: accOf(runs.grouped) };
    const gap = g.accuracy - d.accuracy;
    // "About the same": within 3 points on the short default runs.
    const holds = g.params < d.params && g.multiplyAdds < d.multiplyAdds && gap >= -0.03;
    const ratio = (a: number, b: number) => Number((a / b).toFixed(3));
    return {
      holds,
      numbers: {
        dense: d, grouped: g, paramsRatio: ratio(g.params, d.params), multiplyAddsRatio: ratio(g.multiplyAdds, d.multiplyAdds), accuracyGap: gap,
      },
      comparison: [
        { label: 'Dense: parameters', value: d.params, unit: 'number' }, { label: 'Two towers: parameters', value: g.params, unit: 'number' },
        { label: 'Dense: multiply-adds', value: d.multiplyAdds, unit: 'number' }, { label: 'Two towers: multiply-adds', value: g.multiplyAdds, unit: 'number' },
        acc('Dense accuracy', d.accuracy), acc('Two towers accuracy', g.accuracy),
      ],
      summary: holds
        ? `Two towers use ${pct(g.params / d.params)} of the parameters and ${pct(g.multiplyAdds / d.multiplyAdds)} of the multiply-adds, at ${pct(g.accuracy)} against ${pct(d.accuracy)}.`
        : `Not this time: two towers ${pct(g.accuracy)} with ${g.params} parameters, dense ${pct(d.accuracy)} with ${d.params}.`,
    };
  },
};

/** A small convolutional autoencoder: conv → pool → conv → upsample → conv → reconstruction of the 28×28 input. */
export const autoencoderNet = () => chain([
  ['input_1', 'Input', { kind: 'image', height: 28, width: 28, channels: 1 }],
  // Small starting weights, so what the filters become is learned, not left from the draw.
  ['conv2d_1', 'Conv2D', { filters: 16, kernelSize: 5, stride: 1, padding: 'same', activation: 'relu', initializer: 'normal', initStd: 0.05 }],
  ['maxpool2d_1', 'MaxPool2D', { poolSize: 2, stride: 2, padding: 'valid' }],
  ['conv2d_2', 'Conv2D', { filters: 8, kernelSize: 3, stride: 1, padding: 'same', activation: 'relu' }],
  ['upsample2d_1', 'Upsample2D', { factor: 2 }],
  ['conv2d_3', 'Conv2D', { filters: 16, kernelSize: 3, stride: 1, padding: 'same', activation: 'relu' }],
  ['reconstruction_1', 'Reconstruction', { channels: 1, kernelSize: 3 }],
]);

const AE_SEED = 1;

const autoencoder: Experiment = {
  id: 'autoencoder', number: 11, title: 'Learning without labels',
  claim: 'A convolutional autoencoder trained only to reproduce its input learns filters and reconstructions without a single label.',
  lookAt: 'Reconstructions beside the inputs; the encoder’s filters.',
  defaultLimit: 6000, testLimit: 1000,
  // Mean squared error on the input itself: the labels are never read (accuracy does not apply: NaN).
  base: { optimizer: 'adam', learningRate: 0.002, seed: AE_SEED },
  runs: () => [{ key: 'ae', label: 'Conv autoencoder (16·5×5 → pool → 8·3×3 → upsample → 16·3×3 → 1)', graph: autoencoderNet() }],
  async verdict({ job }) {
    const r = await job('ae', { kind: 'reconstruct', graph: autoencoderNet(), initSeed: AE_SEED, layer: 'conv2d_1', count: 500, show: 8 });
    if (r.kind !== 'reconstruct') throw new Error('expected reconstruction results');
    const { mse, gradientEnergy: ge } = r;
    const holds = mse.trained < mse.initial / 2 && ge.trained > ge.initial;
    return {
      holds,
      numbers: {
        mse, gradientEnergy: ge, normalizedGradientEnergy: r.normalizedGradientEnergy,
        filters: r.filters, reconstructions: r.examples,
      },
      comparison: [
        { label: 'Reconstruction MSE, untrained', value: mse.initial, unit: 'number' }, { label: 'Reconstruction MSE, trained', value: mse.trained, unit: 'number' },
        { label: 'First-layer filters’ gradient energy, untrained', value: ge.initial, unit: 'number' },
        { label: 'First-layer filters’ gradient energy, trained', value: ge.trained, unit: 'number' },
      ],
      summary: holds
        ? `Without labels, the reconstruction error falls from ${mse.initial.toPrecision(3)} to ${mse.trained.toPrecision(3)}; the first layer’s filters’ gradient energy rises ${ge.initial.toPrecision(3)} → ${ge.trained.toPrecision(3)} (per unit of filter size ${r.normalizedGradientEnergy.initial.toPrecision(3)} → ${r.normalizedGradientEnergy.trained.toPrecision(3)}: below ~3 the filters are smoother than noise).`
        : `Not this time: reconstruction MSE ${mse.initial.toPrecision(3)} → ${mse.trained.toPrecision(3)}, filters’ gradient energy ${ge.initial.toPrecision(3)} → ${ge.trained.toPrecision(3)}.`,
    };
  },
};

export const EXPERIMENTS: readonly Experiment[] = [
  pixels, handMade, linearCollapse, learnedFeatures, vanishing, tricks, hiddenFeatures, ensembles, adversarial, sparse, autoencoder,
];

export function experimentById(id: string): Experiment | undefined {
  return EXPERIMENTS.find((e) => e.id === (id as ExperimentId) || String(e.number) === id);
}
