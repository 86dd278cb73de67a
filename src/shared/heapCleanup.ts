// The heap gauges of a finished perfect-match run: its memory as it lets go of its group
// (heap_usage_before_cleanup), and after the first full garbage collection that follows
// (heap_usage_after_cleanup): what the run left behind. Node frees memory only by collecting, and
// a process cannot force that without --expose-gc, so "after" waits for V8's next major GC.
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { metrics } from './metrics.ts';

/** Heap and ArrayBuffer bytes: the graphs and lists of a run are mostly typed arrays, outside the JS heap. */
const usedBytes = (): number => {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

let observer: PerformanceObserver | undefined;

/** Sets heap_usage_before_cleanup now, and heap_usage_after_cleanup after the next major GC. */
export function recordHeapCleanup(): void {
  metrics.heapUsageBeforeCleanup.set(usedBytes());
  if (observer) return;
  const watching = new PerformanceObserver((list) => {
    const major = list.getEntries().some((e) => ((e as { detail?: { kind?: number } }).detail)?.kind === constants.NODE_PERFORMANCE_GC_MAJOR);
    if (!major) return;
    metrics.heapUsageAfterCleanup.set(usedBytes());
    watching.disconnect();
    if (observer === watching) observer = undefined;
  });
  watching.observe({ entryTypes: ['gc'] });
  observer = watching;
}
