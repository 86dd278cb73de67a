// A fixed pool of worker threads running exported functions of one module. CPU-heavy scoring and
// matching run here, off the event loop, so that BullMQ keeps renewing job locks (bullmq #3183).
import { Worker, type Transferable } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { Config } from '../shared/config.ts';
import { siblingModule, type ThreadRunner, type ThreadSpec } from '../shared/processor.ts';

interface Task {
  fn: string;
  input: unknown;
  transfer: Transferable[];
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

interface Slot {
  thread: Worker;
  task?: Task;
}

const ENTRY = siblingModule(import.meta.url, 'threadEntry');

/**
 * tsx's register API. Through createRequire rather than import.meta.resolve: when this module is
 * loaded by require (mocha loads test files so, and tsx then compiles them as CommonJS),
 * import.meta has a url but no resolve.
 */
function tsxApiUrl(): string {
  if (typeof import.meta.resolve === 'function') return import.meta.resolve('tsx/esm/api');
  // require.resolve would give the CommonJS build of the API; the thread imports the ESM one
  const pkg = createRequire(import.meta.url).resolve('tsx/package.json');
  return new URL('./dist/esm/api/index.mjs', pathToFileURL(pkg)).href;
}

/**
 * Thread bootstrap. On Node 20 a thread's entry module is not seen by loader hooks given in
 * execArgv, so the thread registers tsx itself before importing the TypeScript entry.
 */
const BOOTSTRAP = `
const { workerData } = await import('node:worker_threads');
if (workerData.tsxApi) (await import(workerData.tsxApi)).register();
await import(workerData.entry);
`;

function isTypeScript(url: URL): boolean {
  return url.pathname.endsWith('.ts');
}

export class ThreadPool implements ThreadRunner {
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  private closed = false;

  /** `moduleUrl` must export the functions run by name; each takes one structured-clonable input. */
  constructor(private readonly moduleUrl: URL, readonly size = Math.max(1, availableParallelism())) {
    for (let i = 0; i < size; i++) this.slots.push(this.spawn());
  }

  private spawn(): Slot {
    const workerData = {
      entry: ENTRY.href,
      moduleUrl: this.moduleUrl.href,
      tsxApi: isTypeScript(ENTRY) || isTypeScript(this.moduleUrl) ? tsxApiUrl() : undefined,
    };
    const slot: Slot = { thread: new Worker(BOOTSTRAP, { eval: true, workerData }) };
    slot.thread.on('message', (msg: { ok: boolean; value?: unknown; error?: { message: string; stack?: string } }) => {
      const task = slot.task;
      slot.task = undefined;
      if (task) {
        if (msg.ok) task.resolve(msg.value);
        else task.reject(Object.assign(new Error(msg.error?.message), { stack: msg.error?.stack }));
      }
      this.pump();
    });
    slot.thread.on('error', (err) => {
      const task = slot.task;
      slot.task = undefined;
      task?.reject(err);
      // replace the dead thread so the pool keeps its size
      if (!this.closed) {
        const i = this.slots.indexOf(slot);
        if (i >= 0) this.slots[i] = this.spawn();
        this.pump();
      }
    });
    slot.thread.unref();
    return slot;
  }

  run<T>(fn: string, input: unknown, transfer: Transferable[] = []): Promise<T> {
    if (this.closed) return Promise.reject(new Error('thread pool is closed'));
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, input, transfer, resolve: resolve as (v: unknown) => void, reject });
      this.pump();
    });
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (slot.task || this.queue.length === 0) continue;
      const task = this.queue.shift()!;
      slot.task = task;
      slot.thread.ref();
      slot.thread.postMessage({ fn: task.fn, input: task.input }, task.transfer as never);
    }
    for (const slot of this.slots) if (!slot.task) slot.thread.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.queue.splice(0)) t.reject(new Error('thread pool closed'));
    await Promise.all(this.slots.map((s) => s.thread.terminate()));
  }
}

// One pool per thread module and process: every worker of the process shares it, and its threads
// are started once (their start and module load would otherwise fall into the first job).
const pools = new Map<string, ThreadPool>();

/** The process's pool for a pipeline's thread module, created on first use. */
export function threadPoolFor(spec: ThreadSpec, cfg: Config): ThreadPool {
  let pool = pools.get(spec.module.href);
  if (!pool) {
    pool = new ThreadPool(spec.module, spec.size(cfg));
    pools.set(spec.module.href, pool);
  }
  return pool;
}
