// Plain data of the lab's worker jobs (structured-clone safe): what the runner asks of a trained
// run's model, and what comes back. The job server answers them with tasks.ts.
import type { EnsembleResult } from '../eval/ensemble';
import type { FgsmExample, FgsmSweep } from '../eval/adversarial';
import type { EmbeddingPoint } from '../eval/embedding';
import type { Reconstruction } from '../eval/reconstruction';
import type { Graph } from '../graph/types';

export type LabTask =
  /** Linear probe per layer (block ids; the Input block = pixels): train on `trainCount` training images, score on `testCount` test images. */
  | { kind: 'probe'; layers: string[]; trainCount: number; testCount: number; epochs?: number; seed?: number }
  /** FGSM on a seeded sample of `count` test images for each ε. */
  | { kind: 'fgsm'; epsilons: number[]; count: number; seed?: number }
  /**
   * FGSM pictures: for `count` test images (a seeded sample, correctly classified ones first), the
   * smallest ε on a grid of `step` up to `maxEpsilon` that flips the prediction, and the three images.
   */
  | { kind: 'fgsm-example'; count: number; maxEpsilon: number; step: number; seed?: number }
  /** The averaged probabilities of the job's run and `others` on a seeded sample of `count` test images. */
  | { kind: 'ensemble'; others: string[]; count: number; seed?: number }
  /**
   * An autoencoder before and after training: reconstruction MSE on `count` test images for the
   * trained model and for the same `graph` compiled with the run's `initSeed` (its starting weights),
   * the spatial-gradient energy of conv `layer`'s filters in both, `show` reconstructions and the
   * trained filters.
   */
  /** A 2-D UMAP embedding of `layer`'s activations on a seeded sample of `count` test images. */
  | { kind: 'embed'; layer: string; count: number; seed?: number }
  | { kind: 'reconstruct'; graph: Graph; initSeed: number; layer: string; count: number; show: number; seed?: number };

export interface ProbeLayerResult {
  layer: string;
  dim: number;
  trainAccuracy: number;
  testAccuracy: number;
}

export type LabTaskResult =
  | { kind: 'probe'; layers: ProbeLayerResult[] }
  | ({ kind: 'fgsm' } & FgsmSweep)
  | { kind: 'fgsm-example'; examples: FgsmExample[] }
  | ({ kind: 'ensemble' } & EnsembleResult)
  /** Points {x, y, label, index} and the fraction whose nearest neighbour shares their class. */
  | { kind: 'embed'; layer: string; points: EmbeddingPoint[]; neighbourAgreement: number }
  | { kind: 'reconstruct'; mse: BeforeAfter; gradientEnergy: BeforeAfter; normalizedGradientEnergy: BeforeAfter;
      filters: { layer: string; shape: number[]; values: number[] }; examples: Reconstruction[] };

export interface BeforeAfter {
  initial: number;
  trained: number;
}
