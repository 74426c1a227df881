// Training kernels that tfjs 4.22 lacks or runs slowly on CPU backends. Call
// registerTrainingKernels('wasm') after importing @tensorflow/tfjs-backend-wasm (before or after
// tf.setBackend: these kernels need no per-backend setup), and registerTrainingKernels('cpu') for
// the plain JS fallback. Idempotent; other backends are left alone.
import * as tf from '@tensorflow/tfjs';
import { conv2dBackpropFilterAsConv, conv2dBackpropInputAsConv } from './conv-grads';
import { maxPoolGradKernel } from './pool-grads';

export { conv2dBackpropFilterAsConv, conv2dBackpropInputAsConv } from './conv-grads';
export { maxPoolGradKernel } from './pool-grads';

/** Kernels we install per backend: [kernel name, factory]. Replaces stock kernels of the same name. */
const KERNELS: Record<string, [string, (backendName: string) => tf.KernelFunc][]> = {
  wasm: [
    ['Conv2DBackpropFilter', conv2dBackpropFilterAsConv],
    ['Conv2DBackpropInput', conv2dBackpropInputAsConv],
    // The stock one drops gradients where windows leave cells unread, and is slow.
    ['MaxPoolGrad', maxPoolGradKernel],
  ],
  // cpu: its conv loop reads memory in order; the stock filter gradient does not (~5× slower).
  cpu: [
    ['Conv2DBackpropFilter', conv2dBackpropFilterAsConv],
    ['MaxPoolGrad', maxPoolGradKernel],
  ],
};

const installed = new Map<string, tf.KernelFunc>();

/** Kernel names this module installs for `backendName` (empty for backends it leaves alone). */
export function trainingKernelNames(backendName: string): string[] {
  return (KERNELS[backendName] ?? []).map(([name]) => name);
}

/**
 * Registers our gradient kernels for `backendName` ('wasm' or 'cpu'; others are a no-op).
 * Returns the kernel names now in force. Safe to call any number of times.
 */
export function registerTrainingKernels(backendName: string): string[] {
  for (const [name, make] of KERNELS[backendName] ?? []) {
    const key = `${backendName}/${name}`;
    const current = tf.getKernel(name, backendName);
    if (current && current.kernelFunc === installed.get(key)) continue;
    if (current) tf.unregisterKernel(name, backendName);
    const kernelFunc = make(backendName);
    tf.registerKernel({ kernelName: name, backendName, kernelFunc });
    installed.set(key, kernelFunc);
  }
  return trainingKernelNames(backendName);
}

/** True when our kernels are the ones registered for `backendName`. */
export function trainingKernelsRegistered(backendName: string): boolean {
  return (KERNELS[backendName] ?? []).every(([name]) => {
    const k = tf.getKernel(name, backendName);
    return !!k && k.kernelFunc === installed.get(`${backendName}/${name}`);
  });
}
