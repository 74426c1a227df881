// Measures training throughput of the ConvNetJS MNIST template on one backend, in a dedicated
// worker like the app's: a bare tfjs loop against core/train's trainer (loops.ts).
import { compile } from '../core/compile/compiler';
import { loadMnist } from '../core/data/dataset';
import { templateById } from '../core/graph/templates';
import { browserLoaders, chooseBackend, probeTraining, wasmThreadCount } from '../core/train/backends';
import { compareLoops } from './loops';
import type { ThroughputRequest, ThroughputResult } from './messages';

const scope = self as unknown as { postMessage(m: ThroughputResult): void; onmessage: ((e: MessageEvent<ThroughputRequest>) => void) | null };

const build = () => compile(templateById('convnetjs-mnist')!.graph).model;

scope.onmessage = async (e) => {
  const req = e.data;
  let attempts: ThroughputResult['attempts'] = [];
  try {
    const data = await loadMnist(req.mnistUrl);
    const t = performance.now();
    const choice = await chooseBackend({ chain: [req.backend], loaders: browserLoaders(req.wasmUrl), probe: () => probeTraining(build) });
    attempts = choice.attempts;
    const warmupSeconds = (performance.now() - t) / 1000;
    const { bare, trainer, checkpointMs } = await compareLoops(build, data, req.examples, req.batchSize);
    const threads = req.backend === 'wasm' ? wasmThreadCount() : undefined;
    scope.postMessage({ backend: req.backend, ok: true, attempts, bare, trainer, checkpointMs, warmupSeconds, threads, isolated: self.crossOriginIsolated });
  } catch (err) {
    const a = (err as { attempts?: ThroughputResult['attempts'] }).attempts ?? attempts;
    scope.postMessage({ backend: req.backend, ok: false, attempts: a, error: (err as Error).message });
  }
};
