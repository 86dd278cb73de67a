// docs/scoring.md's worked example, scored by the real scorer: the people in its JSON block, the
// points of each key in its table, and the two scores it states.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { CompatibilityScorer } from '../../../src/matching/compatibilityScorer.ts';
import { encodePage, type NodeInput } from '../../../src/matching/encodedPage.ts';

const DOC = readFileSync(new URL('../../../docs/scoring.md', import.meta.url), 'utf8');
const example = DOC.slice(DOC.indexOf('## A worked example'));
const people = JSON.parse(/```json\n([\s\S]*?)```/.exec(example)![1]) as NodeInput[];

const score = (nodes: NodeInput[], weights: Record<string, number> = {}, keys?: string[]): number => {
  const page = encodePage(nodes, keys ? { keys } : {});
  return new CompatibilityScorer({ weights }).bind(page, page).score(0, 1);
};

describe('docs/scoring.md', () => {
  it('the worked example: each key\'s points as its table says, scored by the real scorer', () => {
    const rows = [...example.matchAll(/^\| `(\w+)` \|.*\| (\S+) \|$/gm)].map((m) => ({ key: m[1], points: m[2] }));
    const keys = new Set(people.flatMap((p) => Object.keys(p.metadata)));
    expect(rows.map((r) => r.key).sort()).to.deep.equal([...keys].sort());
    for (const { key, points } of rows) {
      const both = people.every((p) => p.metadata[key] !== undefined);
      // the pair scored on this key alone: its points when both have it, 0 when one lacks it
      const alone = score(people, {}, [key]);
      if (both) expect(alone, key).to.equal(Number(points));
      else expect([alone, points], key).to.deep.equal([0, '—']);
    }
  });

  it('the scores it states: 3.5 / 8 = 0.4375, and 4.5 / 9 = 0.5 with skills weighing 2', () => {
    expect(score(people)).to.equal(0.4375);
    expect(example).to.contain('3.5 / 8 = **0.4375**');
    expect(score(people, { skills: 2 })).to.equal(0.5);
    expect(example).to.contain('4.5 / 9 = **0.5**');
  });

  it('what changed from the seed: two nodes sharing keys but no value score 0 (the seed\'s floor gave 0.4), and are no potential match', () => {
    const strangers: NodeInput[] = [
      { referenceId: 'c', metadata: { industry: 'Retail', city: 'Paris' } },
      { referenceId: 'd', metadata: { industry: 'Software', city: 'Berlin' } },
    ];
    const scorer = new CompatibilityScorer();
    expect(score(strangers)).to.equal(0);
    expect(score(strangers)).to.not.be.above(scorer.threshold);
    expect(DOC).to.contain('max(0, 0.4) = 0.4');
  });
});
