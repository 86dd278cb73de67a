// Nodes gathered from several pages into one score exactly as they did in their own pages.
import { expect } from 'chai';
import { CompatibilityScorer } from '../../../src/matching/compatibilityScorer.ts';
import { encodePage, type NodeInput } from '../../../src/matching/encodedPage.ts';
import { gatherNodes } from '../../../src/matching/gatherNodes.ts';
import { JaccardScorer } from '../../../src/matching/jaccardScorer.ts';
import { seededRandom } from '../../../src/synthetic/random.ts';
import { syntheticPeople } from '../../../src/synthetic/people.ts';

describe('gathering nodes of several pages into one', () => {
  it('keeps every node\'s values, side and reference id, and its scores bit for bit', () => {
    const rnd = seededRandom(4);
    const people = [...syntheticPeople({ count: 300, seed: 8, prefix: 'g', types: [['MENTOR', 0.5], ['MENTEE', 0.5]] })] as NodeInput[];
    // pages with different key sets: some keys dropped on some nodes
    for (const p of people) if (rnd() < 0.3) delete (p.metadata as Record<string, string>).city;
    const partition = { key: 'type', leftValues: ['MENTOR'], rightValues: ['MENTEE'] };
    const pages = [0, 100, 200].map((from) => encodePage(people.slice(from, from + 100), { partition }));
    const chosen = pages.map((page, i) => ({ page, nodes: Array.from({ length: 100 }, (_, j) => j).filter((j) => (j + i) % 7 === 0) }));
    const g = gatherNodes(chosen);
    expect(g.size).to.equal(chosen.reduce((n, c) => n + c.nodes.length, 0));
    expect(g.lsh).to.equal(null);
    const column = encodePage(people.slice(0, 150), { partition });
    for (const scorer of [new CompatibilityScorer({ weights: { skills: 2.5, industry: 0.3 } }), new JaccardScorer()]) {
      const gathered = scorer.bind(g, column);
      let x = 0;
      for (const { page, nodes } of chosen) {
        const own = scorer.bind(page, column);
        for (const node of nodes) {
          expect(g.referenceIds[x]).to.equal(page.referenceIds[node]);
          expect(g.side[x]).to.equal(page.side[node]);
          for (let b = 0; b < column.size; b++) expect(Object.is(gathered.score(x, b), own.score(node, b)), `${x},${b}`).to.equal(true);
          x++;
        }
      }
    }
  });
});
