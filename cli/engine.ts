// Drives the app's job server (core/jobs/server.ts) in process: the same messages the web worker
// receives, the same replies. TensorFlow.js, the server and the Node backends are imported here,
// lazily, so commands that fail on their arguments never load them.
import type { JobServer } from '../renderer/src/core/jobs/server';
import type { BackendName } from '../renderer/src/core/train/config';
import type { BackendAttempt, FromWorker, JobResult, ToWorker } from '../renderer/src/core/train/protocol';
import { fileFetch } from './mnist';

type TrainMsg = Extract<ToWorker, { type: 'train' }>;
type JobMsg = Extract<ToWorker, { jobId: string }>;
export type DoneMsg = Extract<FromWorker, { type: 'done' }>;

/** A run or job ended with an error message from the server. */
export class RunFailed extends Error {
  constructor(
    message: string,
    readonly blockId?: string,
  ) {
    super(message);
    this.name = 'RunFailed';
  }
}

let counter = 0;
export const newId = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${(++counter).toString(36)}`;

export class Engine {
  private runListeners = new Map<string, (m: FromWorker) => void>();
  private jobListeners = new Map<string, (m: FromWorker) => void>();
  /** The backend the server chose last, with the reasons others were skipped. */
  backend: { name: BackendName; attempts: BackendAttempt[] } | null = null;

  private constructor(private readonly server: JobServer) {}

  static async create(): Promise<Engine> {
    const tf = await import('@tensorflow/tfjs');
    // PROD silences tfjs's "install tfjs-node" banner (printed to the console on first use).
    tf.env().set('PROD', true);
    const [{ JobServer }, { compile, CompileError }, { nodeLoaders }] = await Promise.all([
      import('../renderer/src/core/jobs/server'),
      import('../renderer/src/core/compile/compiler'),
      import('../renderer/src/node/index'),
    ]);
    let engine: Engine | null = null;
    const server = new JobServer({
      post: (m) => engine?.route(m),
      compile,
      isCompileError: (e) => e instanceof CompileError,
      loaders: () => nodeLoaders(),
      fetchFn: fileFetch,
      // Node has wasm and cpu only, and wasm (with our gradient kernels) is always the faster:
      // Auto takes the first that trains instead of timing both.
      measure: false,
    });
    engine = new Engine(server);
    return engine;
  }

  private route(m: FromWorker): void {
    if (m.type === 'backend') this.backend = { name: m.backend, attempts: m.attempts };
    if ('jobId' in m) this.jobListeners.get(m.jobId)?.(m);
    else this.runListeners.get(m.runId)?.(m);
  }

  /** Trains until 'done' (resolves with it) or 'error' (rejects with RunFailed); every run message goes to onEvent. */
  train(msg: TrainMsg, onEvent: (m: FromWorker) => void): Promise<DoneMsg> {
    return new Promise<DoneMsg>((resolve, reject) => {
      this.runListeners.set(msg.runId, (m) => {
        onEvent(m);
        if (m.type === 'done' || m.type === 'error') {
          this.runListeners.delete(msg.runId);
          if (m.type === 'done') resolve(m);
          else reject(new RunFailed(m.message, m.blockId));
        }
      });
      this.server.handle(msg).catch(reject);
    });
  }

  stop(runId: string): void {
    void this.server.handle({ type: 'stop', runId });
  }

  /** Runs one job; resolves with its result of the expected kind, rejects with RunFailed. */
  job<K extends JobResult['kind']>(msg: JobMsg & { type: K }, onProgress?: (fraction: number, message: string) => void): Promise<Extract<JobResult, { kind: K }>> {
    return new Promise((resolve, reject) => {
      this.jobListeners.set(msg.jobId, (m) => {
        if (m.type === 'job-progress') onProgress?.(m.fraction, m.message);
        else if (m.type === 'job-result' || m.type === 'job-error') {
          this.jobListeners.delete(msg.jobId);
          if (m.type === 'job-error') reject(new RunFailed(m.message));
          else if (m.result.kind !== msg.type) reject(new RunFailed(`the worker answered a ${msg.type} job with ${m.result.kind}`));
          else resolve(m.result as Extract<JobResult, { kind: K }>);
        }
      });
      this.server.handle(msg).catch(reject);
    });
  }
}
