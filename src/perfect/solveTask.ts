// Perfect-match strategies as ThreadPool tasks: a group's matching runs in a worker thread, off
// the event loop, so that the BullMQ job running it keeps renewing its lock (bullmq #3183).
// Graph and result are typed arrays: the input can be transferred in, the result comes back
// transferred (see workers/threadEntry.ts).
import type { MatchGraph, Pairs } from '../matching/perfect/graph.ts';
import { runStrategy, type StrategyName, type StrategyOptions } from '../matching/perfect/strategies.ts';

export interface PerfectMatchTask {
  strategy: StrategyName;
  graph: MatchGraph;
  options: StrategyOptions;
}

export function perfectMatch(task: PerfectMatchTask): Pairs {
  return runStrategy(task.strategy, task.graph, task.options);
}

/** The buffers of a task's graph, to pass as `transfer` (the caller gives the graph up). */
export function perfectMatchTransfer(task: PerfectMatchTask): ArrayBuffer[] {
  const { left, right, score } = task.graph;
  return [left.buffer, right.buffer, score.buffer].filter((b): b is ArrayBuffer => b instanceof ArrayBuffer);
}
