// Body of a ThreadPool thread: imports the module once, then runs its exports on request.
import { parentPort, workerData } from 'node:worker_threads';

const mod = (await import(workerData.moduleUrl)) as Record<string, (input: unknown) => unknown>;

// answer() posts every outcome, failures included, back to the pool, so its promise is not awaited.
parentPort!.on('message', (request: { fn: string; input: unknown }) => void answer(request));

async function answer({ fn, input }: { fn: string; input: unknown }): Promise<void> {
  try {
    const f = mod[fn];
    if (typeof f !== 'function') throw new Error(`thread module has no function '${fn}'`);
    const value = await f(input);
    // Typed arrays in the result are transferred, not copied.
    const transfer = collectTransferables(value);
    parentPort!.postMessage({ ok: true, value }, transfer as never);
  } catch (err) {
    const e = err as Error;
    parentPort!.postMessage({ ok: false, error: { message: e?.message ?? String(err), stack: e?.stack } });
  }
}

function collectTransferables(value: unknown, out: ArrayBuffer[] = [], depth = 0): ArrayBuffer[] {
  if (depth > 3 || value === null || typeof value !== 'object') return out;
  if (ArrayBuffer.isView(value)) {
    const buf = value.buffer;
    if (buf instanceof ArrayBuffer && !out.includes(buf) && value.byteLength === buf.byteLength) out.push(buf);
    return out;
  }
  for (const v of Object.values(value as Record<string, unknown>)) collectTransferables(v, out, depth + 1);
  return out;
}
