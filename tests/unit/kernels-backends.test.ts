// chooseBackend's measuring mode (Auto picks the fastest backend) with the real Node loaders.
// Separate from train-backends.test.ts, whose fake 'wasm' backend would shadow the real one.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { chooseBackend, describeBackend, measureTraining, probeTraining, wasmThreadCount } from '@/core/train/backends';
import { trainingKernelsRegistered } from '@/core/train/kernels';
import { nodeLoaders } from '@/node';

function convNet(): tf.LayersModel {
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ inputShape: [12, 12, 1], filters: 4, kernelSize: 3, activation: 'relu', padding: 'same' }));
  m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tf.layers.conv2d({ filters: 8, kernelSize: 3, activation: 'relu' }));
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 3, activation: 'softmax' }));
  return m;
}

describe('Auto by measurement (mode fastest)', () => {
  it('times every backend that can train, picks the fastest and reports each number', async () => {
    const speeds: Record<string, number> = { cpu: 50, webgl: 400 };
    const measured: string[] = [];
    const choice = await chooseBackend({
      chain: ['webgpu', 'webgl', 'cpu'],
      loaders: { webgl: async () => {}, cpu: async () => {} },
      probe: async (b) => {
        if (b === 'webgl') expect(tf.getBackend()).toBe('webgl');
      },
      mode: 'fastest',
      measure: async (b) => {
        measured.push(b);
        return speeds[b];
      },
    }).catch((e) => e);
    // webgl cannot initialise in Node: it fails like an unavailable backend, cpu is timed.
    expect(choice.backend).toBe('cpu');
    expect(measured).toEqual(['cpu']);
    expect(choice.attempts.map((a: { backend: string; ok: boolean; examplesPerSec?: number }) => [a.backend, a.ok, a.examplesPerSec])).toEqual([
      ['webgpu', false, undefined],
      ['webgl', false, undefined],
      ['cpu', true, 50],
    ]);
  });

  it('Stop or Pause during the timing keeps the best backend timed so far (and says the choice is partial)', async () => {
    let pressed = false;
    const measured: string[] = [];
    const choice = await chooseBackend({
      chain: ['wasm', 'cpu'],
      loaders: nodeLoaders(),
      probe: () => probeTraining(convNet),
      mode: 'fastest',
      measure: async (b) => {
        measured.push(b);
        pressed = true; // the user presses Pause while the first backend is timed
        return 100;
      },
      shouldStop: () => pressed,
    });
    expect(measured).toEqual(['wasm']);
    expect(choice).toMatchObject({ backend: 'wasm', partial: true });
    expect(choice.attempts).toEqual([{ backend: 'wasm', ok: true, examplesPerSec: 100 }]);
  });

  it('switches to the fastest even when it was not the last one tried', async () => {
    const loaders = nodeLoaders();
    const choice = await chooseBackend({
      chain: ['wasm', 'cpu'],
      loaders,
      probe: () => probeTraining(convNet),
      mode: 'fastest',
      measure: async (b) => (b === 'wasm' ? 1000 : 10),
    });
    expect(choice.backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(choice.attempts).toEqual([
      { backend: 'wasm', ok: true, examplesPerSec: 1000 },
      { backend: 'cpu', ok: true, examplesPerSec: 10 },
    ]);
    expect(wasmThreadCount()).toBeGreaterThanOrEqual(1);
    expect(describeBackend('wasm')).toMatch(/^wasm \(\d+ threads?\)$/);
    expect(describeBackend('cpu')).toBe('cpu');
  });

  // No speed assertion (a loaded CI machine can make any backend slow): the choice must be the
  // attempt with the highest measured throughput, whatever the numbers are.
  it('measures real training steps on each backend, keeps the fastest measured, and nothing leaks', async () => {
    const loaders = nodeLoaders();
    const before = tf.memory().numTensors;
    const choice = await chooseBackend({
      chain: ['cpu', 'wasm'],
      loaders,
      probe: () => probeTraining(convNet),
      mode: 'fastest',
      measure: () => measureTraining(convNet, { batch: 16, steps: 5, maxSeconds: 1 }),
    });
    expect(trainingKernelsRegistered('wasm')).toBe(true);
    expect(trainingKernelsRegistered('cpu')).toBe(true);
    expect(choice.attempts.every((a) => a.ok && a.examplesPerSec! > 0)).toBe(true);
    const best = choice.attempts.reduce((a, b) => (b.examplesPerSec! > a.examplesPerSec! ? b : a));
    expect(choice.backend).toBe(best.backend);
    expect(tf.getBackend()).toBe(best.backend);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('needs a measure function', async () => {
    await expect(chooseBackend({ chain: ['cpu'], probe: async () => {}, mode: 'fastest' })).rejects.toThrow(/needs a measure/);
  });
});
