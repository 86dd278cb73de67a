import { expect } from 'chai';
import { canonicalBipartite, canonicalGeneral, edgeOrderByEndpoints, sortPairs } from '../../../src/matching/perfect/graph.ts';

const I = (...x: number[]) => Int32Array.from(x);
const F = (...x: number[]) => Float64Array.from(x);

describe('perfect/graph', () => {
  it('orders edges by (left, right), ties in input order', () => {
    const order = edgeOrderByEndpoints(I(2, 0, 2, 0, 1), I(1, 3, 0, 3, 2), 3, 4);
    expect([...order]).to.deep.equal([1, 3, 4, 2, 0]);
  });

  it('canonical bipartite form: sorted, one edge per pair keeping the highest score', () => {
    const g = canonicalBipartite({ nLeft: 2, nRight: 2, left: I(1, 0, 1, 0), right: I(0, 1, 0, 1), score: F(0.2, 0.5, 0.9, 0.1) });
    expect([...g.left]).to.deep.equal([0, 1]);
    expect([...g.right]).to.deep.equal([1, 0]);
    expect([...g.score]).to.deep.equal([0.5, 0.9]);
  });

  it('canonical general form: smaller id first, (a,b) and (b,a) merged, self-loops refused', () => {
    const g = canonicalGeneral({ n: 3, left: I(2, 0, 1), right: I(0, 2, 2), score: F(0.3, 0.7, 0.1) });
    expect([...g.left]).to.deep.equal([0, 1]);
    expect([...g.right]).to.deep.equal([2, 2]);
    expect([...g.score]).to.deep.equal([0.7, 0.1]);
    expect(() => canonicalGeneral({ n: 2, left: I(1), right: I(1), score: F(1) })).to.throw(RangeError, /self-loop/);
  });

  it('refuses ids out of range, non-finite scores and ragged arrays, naming the edge', () => {
    expect(() => canonicalBipartite({ nLeft: 1, nRight: 1, left: I(0, 1), right: I(0, 0), score: F(1, 1) })).to.throw(RangeError, /edge 1: left id 1/);
    expect(() => canonicalBipartite({ nLeft: 1, nRight: 1, left: I(0), right: I(0), score: F(NaN) })).to.throw(RangeError, /not a finite/);
    expect(() => canonicalGeneral({ n: 2, left: I(0), right: I(1), score: F() })).to.throw(RangeError, /differ in length/);
  });

  it('handles empty graphs', () => {
    const g = canonicalBipartite({ nLeft: 0, nRight: 0, left: I(), right: I(), score: F() });
    expect(g.left.length).to.equal(0);
    expect(sortPairs(g, 0, 0).left.length).to.equal(0);
  });
});

describe('perfect/graphBuilder', () => {
  it('numbers names by first appearance, per side when bipartite, shared otherwise', async () => {
    const { GraphBuilder, SelfLoopError } = await import('../../../src/matching/perfect/graphBuilder.ts');
    const b = new GraphBuilder(true);
    for (let k = 0; k < 3000; k++) b.add(`l${k % 7}`, `r${k % 5}`, k); // grows past its first capacity
    b.add('x', 'x', 1);
    const { graph, leftNames, rightNames } = b.build();
    expect(graph.bipartite).to.equal(true);
    expect(leftNames.slice(0, 2)).to.deep.equal(['l0', 'l1']);
    expect(leftNames.at(-1)).to.equal('x');
    expect(rightNames.at(-1)).to.equal('x');
    expect(graph.left.length).to.equal(3001);
    expect(graph.score[2999]).to.equal(2999);
    const g = new GraphBuilder(false);
    g.add('a', 'b', 1);
    g.add('b', 'c', 2);
    const named = g.build();
    expect(named.leftNames).to.equal(named.rightNames);
    expect(named.graph.bipartite ? -1 : named.graph.n).to.equal(3);
    expect(() => g.add('c', 'c', 1)).to.throw(SelfLoopError);
  });
});
