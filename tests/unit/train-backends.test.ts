import * as tf from '@tensorflow/tfjs';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { browserLoaders, chooseBackend, isSoftwareAdapter, NoBackendError, probeTraining, type BackendLoaders } from '@/core/train/backends';

function convNet(): tf.LayersModel {
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 2, kernelSize: 3, activation: 'relu' }));
  m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 3, activation: 'softmax' }));
  return m;
}

/** A backend named 'wasm' with no kernels at all: the probe must fail on a missing kernel. */
const fakeWasm = async () => {
  await tf.setBackend('cpu');
  const Cpu = tf.backend().constructor as new () => tf.KernelBackend;
  if (!tf.findBackend('wasm')) tf.registerBackend('wasm', () => new Cpu(), 1);
};

afterAll(() => {
  if (tf.findBackend('wasm')) tf.removeBackend('wasm');
});

describe('backend selection', () => {
  it('falls back past unavailable and kernel-less backends and records why', async () => {
    const loaders: BackendLoaders = {
      webgl: async () => {
        throw new Error('WebGL is not available here');
      },
      wasm: fakeWasm,
      cpu: async () => {},
    };
    const probed: string[] = [];
    const before = tf.memory().numTensors;
    const choice = await chooseBackend({
      loaders,
      probe: async (b) => {
        probed.push(b);
        await probeTraining(convNet);
      },
    });
    expect(choice.backend).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(probed).toEqual(['wasm', 'cpu']);
    expect(choice.attempts.map((a) => [a.backend, a.ok])).toEqual([
      ['webgpu', false],
      ['webgl', false],
      ['wasm', false],
      ['cpu', true],
    ]);
    expect(choice.attempts[0].reason).toMatch(/not supported/);
    expect(choice.attempts[1].reason).toBe('WebGL is not available here');
    expect(choice.attempts[2].reason).toMatch(/Kernel '\w+' not registered for backend 'wasm'/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('honours an explicit chain and fails with every reason when nothing works', async () => {
    const err = await chooseBackend({
      chain: ['wasm'],
      loaders: { wasm: fakeWasm },
      probe: () => probeTraining(convNet),
    }).catch((e) => e);
    expect(err).toBeInstanceOf(NoBackendError);
    expect(err.message).toMatch(/No TensorFlow.js backend can train this model here: wasm: Kernel/);
    expect(err.attempts).toHaveLength(1);
  });

  it('rethrows fatal errors (the graph does not compile) without trying other backends', async () => {
    class CompileError extends Error {}
    const probed: string[] = [];
    await expect(
      chooseBackend({
        chain: ['cpu', 'webgl'],
        loaders: { cpu: async () => {}, webgl: async () => {} },
        probe: async (b) => {
          probed.push(b);
          throw new CompileError('Dense needs a flat input');
        },
        isFatal: (e) => e instanceof CompileError,
      }),
    ).rejects.toThrow('Dense needs a flat input');
    expect(probed).toEqual(['cpu']);
  });
});

describe('software WebGPU in Auto mode', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('recognises software adapters', () => {
    expect(isSoftwareAdapter({ isFallbackAdapter: true })).toBe(true);
    expect(isSoftwareAdapter({ info: { vendor: 'google', architecture: 'swiftshader' } })).toBe(true);
    expect(isSoftwareAdapter({ info: { vendor: 'nvidia', architecture: 'hopper', description: 'NVIDIA H100' } })).toBe(false);
  });

  it('skips a software adapter only when asked (Auto), with a reason the user can act on', async () => {
    vi.stubGlobal('navigator', { gpu: { requestAdapter: async () => ({ info: { vendor: 'google', architecture: 'swiftshader' } }) } });
    await expect(browserLoaders('/wasm/', { skipSoftwareWebGpu: true }).webgpu!()).rejects.toThrow(/software adapter.*choose WebGPU to force it/);
    vi.stubGlobal('navigator', { gpu: { requestAdapter: async () => null } });
    await expect(browserLoaders('/wasm/', { skipSoftwareWebGpu: true }).webgpu!()).rejects.toThrow('WebGPU has no adapter here');
  });
});
