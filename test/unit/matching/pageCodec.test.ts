import { expect } from 'chai';
import { CompatibilityScorer } from '../../../src/matching/compatibilityScorer.ts';
import { encodePage, SIDE_LEFT, SIDE_NONE, SIDE_RIGHT } from '../../../src/matching/encodedPage.ts';
import { deserializePage, serializePage } from '../../../src/matching/pageCodec.ts';
import { syntheticPeople } from '../../../src/synthetic/people.ts';

describe('encoded page codec', () => {
  const nodes = [...syntheticPeople({ count: 300, seed: 5, types: [['MENTOR', 0.4], ['MENTEE', 0.5], ['OTHER', 0.1]] })];
  nodes[3].metadata.note = 'ünïcödé 😀 text';
  nodes[4].metadata = {};

  it('round-trips every array, dictionary, LSH band and side, through an unaligned buffer', () => {
    const page = encodePage(nodes, {
      lsh: { bands: 12, rows: 3, seed: 9, numericTolerance: 0.6 },
      partition: { key: 'type', leftValues: ['mentor'], rightValues: ['MENTEE'] },
    });
    const buf = serializePage(page);
    const shifted = new Uint8Array(buf.length + 1);
    shifted.set(buf, 1);
    const back = deserializePage(shifted.subarray(1));
    expect(back).to.deep.equal(page);
    expect(page.side[nodes.findIndex((n) => n.type === 'MENTOR')]).to.equal(SIDE_LEFT);
    expect(page.side[nodes.findIndex((n) => n.type === 'MENTEE')]).to.equal(SIDE_RIGHT);
    expect(page.side[nodes.findIndex((n) => n.type === 'OTHER')]).to.equal(SIDE_NONE);
    expect(page.keys).to.not.include('type');
  });

  it('round-trips a page without LSH and scores the same after decoding', () => {
    const page = encodePage(nodes);
    const back = deserializePage(serializePage(page));
    expect(back.lsh).to.equal(null);
    const scorer = new CompatibilityScorer();
    const before = scorer.bind(page, page);
    const after = scorer.bind(back, back);
    for (let i = 0; i < 50; i++) for (let j = 0; j < 50; j++) expect(after.score(i, j)).to.equal(before.score(i, j));
  });

  it('rejects foreign and truncated buffers', () => {
    expect(() => deserializePage(Buffer.from('nope-nope'))).to.throw(/magic/);
    const buf = serializePage(encodePage(nodes));
    expect(() => deserializePage(buf.subarray(0, buf.length - 10))).to.throw(/truncated/);
  });
});
