// Packing tensors into WeightsBlobs (one float32 buffer + names and shapes) and back: the form in
// which weights, optimizer state and checkpoints cross the worker boundary and reach storage.
import * as tf from '@tensorflow/tfjs';
import { optimizerWeights, restoreOptimizerWeights } from './optimizers';
import type { WeightsBlob } from './protocol';

export class WeightsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WeightsError';
  }
}

const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Reads tensors into one blob (a single read per tensor, all launched together). */
export async function packTensors(named: readonly { name: string; tensor: tf.Tensor }[]): Promise<WeightsBlob> {
  const values = await Promise.all(named.map((n) => n.tensor.data()));
  const total = named.reduce((a, n) => a + n.tensor.size, 0);
  const out = new Float32Array(total);
  let o = 0;
  values.forEach((v, i) => {
    if (named[i].tensor.dtype !== 'float32' && named[i].tensor.dtype !== 'int32') {
      throw new WeightsError(`cannot pack ${named[i].name}: dtype ${named[i].tensor.dtype}`);
    }
    out.set(v as ArrayLike<number>, o);
    o += v.length;
  });
  return { specs: named.map((n) => ({ name: n.name, shape: [...n.tensor.shape] })), data: out.buffer };
}

/** Checks a blob's byte length against its shapes; returns its float view. */
export function blobValues(blob: WeightsBlob): Float32Array {
  const expected = blob.specs.reduce((a, s) => a + sizeOf(s.shape), 0);
  if (blob.data.byteLength !== expected * 4) {
    throw new WeightsError(`weights hold ${blob.data.byteLength} bytes but their shapes need ${expected * 4}`);
  }
  return new Float32Array(blob.data);
}

/** New tensors for each entry of a blob (caller disposes). */
export function unpackTensors(blob: WeightsBlob): { name: string; tensor: tf.Tensor }[] {
  const all = blobValues(blob);
  let o = 0;
  return blob.specs.map((s) => {
    const n = sizeOf(s.shape);
    // slice (copy): tensors must not alias a buffer that may later be transferred away.
    const tensor = tf.tensor(all.slice(o, o + n), s.shape, 'float32');
    o += n;
    return { name: s.name, tensor };
  });
}

/** All of a model's weights (trainable and not, e.g. BatchNorm statistics), by variable name. */
export function modelWeights(model: tf.LayersModel): { name: string; tensor: tf.Tensor }[] {
  return model.weights.map((w) => ({ name: w.originalName, tensor: w.read() }));
}

export function readModelWeights(model: tf.LayersModel): Promise<WeightsBlob> {
  return packTensors(modelWeights(model));
}

/** Copies a blob into the model's variables, matched by name and shape; refuses any mismatch. */
export function writeModelWeights(model: tf.LayersModel, blob: WeightsBlob): void {
  const byName = new Map(model.weights.map((w) => [w.originalName, w]));
  if (blob.specs.length !== byName.size) {
    throw new WeightsError(`the model has ${byName.size} weight tensors but the saved weights have ${blob.specs.length}`);
  }
  const tensors = unpackTensors(blob);
  try {
    for (const { name, tensor } of tensors) {
      const w = byName.get(name);
      if (!w) throw new WeightsError(`the saved weights have "${name}", which this model does not`);
      if (w.shape.join('x') !== tensor.shape.join('x')) {
        throw new WeightsError(`"${name}" is [${tensor.shape.join(', ')}] in the saved weights but [${w.shape.join(', ')}] in the model`);
      }
    }
    for (const { name, tensor } of tensors) byName.get(name)?.write(tensor);
  } finally {
    for (const t of tensors) t.tensor.dispose();
  }
}

/** A copy of the model's current weights on the device (for restoring later without a read-back). */
export function snapshotWeights(model: tf.LayersModel): tf.Tensor[] {
  return model.weights.map((w) => tf.clone(w.read()));
}

export function restoreWeights(model: tf.LayersModel, snapshot: readonly tf.Tensor[]): void {
  model.weights.forEach((w, i) => w.write(snapshot[i]));
}

export function disposeAll(tensors: readonly tf.Tensor[] | undefined): void {
  for (const t of tensors ?? []) t.dispose();
}

/** The optimizer's state (see optimizerWeights: exact, copies only). */
export async function readOptimizerState(optimizer: tf.Optimizer): Promise<WeightsBlob> {
  const named = await optimizerWeights(optimizer);
  try {
    return await packTensors(named);
  } finally {
    tf.dispose(named.map((n) => n.tensor));
  }
}

export async function writeOptimizerState(optimizer: tf.Optimizer, blob: WeightsBlob): Promise<void> {
  const tensors = unpackTensors(blob);
  try {
    await restoreOptimizerWeights(optimizer, tensors);
  } finally {
    for (const t of tensors) t.tensor.dispose();
  }
}
