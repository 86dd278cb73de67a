// Builds a MatchGraph from edges named by external ids (reference ids, CSV values): ids are
// numbered in order of first appearance, edges go into typed arrays that grow by doubling, so a
// stream of millions of edges never becomes millions of objects.
import type { MatchGraph } from './graph.ts';

export class SelfLoopError extends RangeError {}

export interface NamedGraph {
  graph: MatchGraph;
  /** id → name; for a general graph both arrays are the same node list */
  leftNames: string[];
  rightNames: string[];
}

const INITIAL_CAPACITY = 1024;

export class GraphBuilder {
  private readonly leftIds = new Map<string, number>();
  private readonly rightIds: Map<string, number>;
  private readonly leftNames: string[] = [];
  private readonly rightNames: string[];
  private left = new Int32Array(INITIAL_CAPACITY);
  private right = new Int32Array(INITIAL_CAPACITY);
  private score = new Float64Array(INITIAL_CAPACITY);
  private m = 0;

  /** bipartite: the two names of an edge live in separate id spaces (left side, right side). */
  constructor(private readonly bipartite: boolean) {
    this.rightIds = bipartite ? new Map<string, number>() : this.leftIds;
    this.rightNames = bipartite ? [] : this.leftNames;
  }

  get edgeCount(): number {
    return this.m;
  }

  add(leftName: string, rightName: string, score: number): void {
    if (!this.bipartite && leftName === rightName) throw new SelfLoopError(`'${leftName}' cannot pair with itself`);
    if (this.m === this.left.length) this.grow();
    this.left[this.m] = idOf(this.leftIds, this.leftNames, leftName);
    this.right[this.m] = idOf(this.rightIds, this.rightNames, rightName);
    this.score[this.m] = score;
    this.m++;
  }

  build(): NamedGraph {
    const left = this.left.slice(0, this.m);
    const right = this.right.slice(0, this.m);
    const score = this.score.slice(0, this.m);
    const graph: MatchGraph = this.bipartite
      ? { bipartite: true, nLeft: this.leftNames.length, nRight: this.rightNames.length, left, right, score }
      : { bipartite: false, n: this.leftNames.length, left, right, score };
    return { graph, leftNames: this.leftNames, rightNames: this.rightNames };
  }

  private grow(): void {
    const cap = this.left.length * 2;
    const l = new Int32Array(cap);
    l.set(this.left);
    const r = new Int32Array(cap);
    r.set(this.right);
    const s = new Float64Array(cap);
    s.set(this.score);
    this.left = l;
    this.right = r;
    this.score = s;
  }
}

function idOf(ids: Map<string, number>, names: string[], name: string): number {
  let id = ids.get(name);
  if (id === undefined) {
    id = names.length;
    ids.set(name, id);
    names.push(name);
  }
  return id;
}
