// Group settings documents: one validator for files, the API and the stored configuration; errors
// name the field (and, in a file, its line); what is stored reads back as what was declared.
import { expect } from 'chai';
import { effectiveSpec } from '../../../src/groups/effectiveSpec.ts';
import { groupSettings, perfectSettings, settingsFingerprint } from '../../../src/groups/groupSettings.ts';
import { groupsFileText, GroupsFileError, readGroupsFile } from '../../../src/groups/groupsFile.ts';
import { canonicalSpec, configurationOf, GroupSettingsError, readGroupSpec, storedSpec, type GroupSpec } from '../../../src/groups/groupSpec.ts';
import { loadConfig } from '../../../src/shared/config.ts';

const cfg = loadConfig({});
const group = (matchType: 'SYMMETRIC' | 'BIPARTITE') => ({ id: 'g', domainId: 'd', name: 'g', matchType });

function problem(raw: unknown): { path: string; message: string } {
  try {
    readGroupSpec(raw);
  } catch (err) {
    if (err instanceof GroupSettingsError) return { path: err.path.join('.'), message: err.message };
    throw err;
  }
  throw new Error('expected a GroupSettingsError');
}

/** The file's problems, or [] when it reads. */
function fileProblems(text: string): string[] {
  try {
    readGroupsFile(text, 'groups.yaml');
    return [];
  } catch (err) {
    if (err instanceof GroupsFileError) return err.problems;
    throw err;
  }
}

describe('group settings documents', () => {
  const full: GroupSpec = {
    matchType: 'BIPARTITE',
    strategy: 'metadata',
    topK: 40,
    partition: { key: 'role', left: ['mentor'], right: ['mentee', 'student'] },
    scorer: { name: 'metadata-compatibility', weights: { skills: 2, city: 0.5 }, numericTolerance: 0.4 },
    lsh: { tables: 4, bandsPerTable: 10, similarityThreshold: 0.5 },
    perfect: { algorithm: 'stable', leftCapacity: 2, rightCapacity: 3 },
  };

  it('a full document reads back as itself, and what is stored reads back as what was declared', () => {
    expect(readGroupSpec(full)).to.deep.equal(full);
    const stored = storedSpec(group('BIPARTITE'), configurationOf(canonicalSpec(full)));
    expect(stored).to.deep.equal(canonicalSpec(full));
    expect(canonicalSpec(full)).to.deep.equal({ ...full, scorer: { weights: { skills: 2, city: 0.5 }, numericTolerance: 0.4 } });
  });

  it('canonical form: defaults that no process setting decides are left out', () => {
    const spec = readGroupSpec({
      matchType: 'SYMMETRIC', strategy: 'metadata', scorer: { name: 'metadata-compatibility', numericTolerance: 0.6, weights: {} },
      perfect: { algorithm: 'blossom' },
    });
    expect(canonicalSpec(spec)).to.deep.equal({ matchType: 'SYMMETRIC' });
    expect(configurationOf(canonicalSpec(spec))).to.deep.equal({ algorithmId: 'blossom', params: {} });
  });

  it('settings from a document equal those the stored configuration gives, and the fingerprint of old configurations is kept', () => {
    const conf = { algorithmId: 'top-k', params: { candidateStrategy: 'flat', topK: 5, scorerOptions: { weights: { a: 2 } } } };
    const s = groupSettings(cfg, group('SYMMETRIC'), conf);
    expect(s).to.deep.include({ strategy: 'flat', candidates: 'flat', topK: 5, partition: null, lsh: null });
    expect(s.scorer).to.deep.equal({ name: 'metadata-compatibility', options: { weights: { a: 2 } } });
    // what the fingerprint hashed before settings were documents: the stored options as they are
    expect(settingsFingerprint(s)).to.equal(settingsFingerprint({ ...s, scorer: { name: 'metadata-compatibility', options: conf.params.scorerOptions } }));
    expect(perfectSettings(cfg, group('SYMMETRIC'), conf)).to.deep.include({ strategy: 'top-k', partition: null });
    expect(perfectSettings(cfg, group('SYMMETRIC'), conf).options.topK).to.equal(5);
    const b = perfectSettings(cfg, group('BIPARTITE'), null);
    expect(b.strategy).to.equal('assignment');
    expect(b.partition).to.deep.equal({ key: 'type', leftValues: ['MENTOR'], rightValues: ['MENTEE'] });
  });

  it('names the field at fault', () => {
    const cases: Array<[unknown, string, RegExp]> = [
      [{}, 'matchType', /^matchType is required/],
      [{ matchType: 'BOTH' }, 'matchType', /must be one of SYMMETRIC, BIPARTITE/],
      [{ matchType: 'SYMMETRIC', topK: 0 }, 'topK', /^topK must be a positive integer$/],
      [{ matchType: 'SYMMETRIC', topK: '5' }, 'topK', /^topK must be a positive integer$/],
      [{ matchType: 'SYMMETRIC', top_k: 5 }, 'top_k', /is not a known setting here/],
      [{ matchType: 'SYMMETRIC', strategy: 'fuzzy' }, 'strategy', /must be one of flat, metadata, bipartite/],
      [{ matchType: 'SYMMETRIC', scorer: { name: 'item-jaccard', weights: { a: 1 } } }, 'scorer.weights', /not a known setting/],
      [{ matchType: 'SYMMETRIC', scorer: { weights: { city: -1 } } }, 'scorer.weights.city', /must be a number ≥ 0/],
      [{ matchType: 'SYMMETRIC', scorer: { threshold: 1 } }, 'scorer.threshold', /in \[0, 1\)/],
      [{ matchType: 'SYMMETRIC', strategy: 'flat', lsh: { tables: 2 } }, 'lsh', /only to the metadata strategy/],
      [{ matchType: 'SYMMETRIC', lsh: { similarityThreshold: 1.5 } }, 'lsh.similarityThreshold', /\(0, 1\)/],
      [{ matchType: 'SYMMETRIC', partition: { key: 'type' } }, 'partition', /only to a BIPARTITE group/],
      [{ matchType: 'BIPARTITE', partition: { left: [] } }, 'partition.left', /non-empty list/],
      [{ matchType: 'BIPARTITE', partition: { left: ['A', ''] } }, 'partition.left.1', /non-empty string/],
      [{ matchType: 'BIPARTITE', partition: { left: ['Mentor'], right: ['mentor '] } }, 'partition.right', /shares 'mentor '/],
      [{ matchType: 'SYMMETRIC', perfect: { algorithm: 'assignment' } }, 'perfect.algorithm', /needs matchType BIPARTITE/],
      [{ matchType: 'SYMMETRIC', perfect: { topK: 3 } }, 'perfect.topK', /only to the top-k and mutual-top-k/],
      [{ matchType: 'BIPARTITE', perfect: { rightCapacity: 2 } }, 'perfect.rightCapacity', /only to the stable algorithm/],
    ];
    for (const [raw, path, message] of cases) {
      const p = problem(raw);
      expect(p.path, JSON.stringify(raw)).to.equal(path);
      expect(p.message, JSON.stringify(raw)).to.match(message);
    }
  });

  it('the stored configuration goes through the same validator', () => {
    expect(() => groupSettings(cfg, group('SYMMETRIC'), { algorithmId: 'top-k', params: { topK: -1 } })).to.throw(GroupSettingsError, /^topK must be/);
    expect(() => groupSettings(cfg, group('SYMMETRIC'), { algorithmId: 'top-k', params: { scorer: 'nope' } })).to.throw(GroupSettingsError, /^scorer\.name/);
  });

  it('a groups file: every problem with its line, and nothing read when one group is wrong', () => {
    const text = [
      'domains:', //                       1
      '  demo:', //                        2
      '    groups:', //                    3
      '      good:', //                    4
      '        matchType: SYMMETRIC', //   5
      '      people:', //                  6
      '        matchType: SYMMETRIC', //   7
      '        scorer:', //                8
      '          weights:', //             9
      '            city: heavy', //        10
      '      mentors:', //                 11
      '        matchType: BIPARTITE', //   12
      '        topK: 0', //                13
      '      nothing:', //                 14
      '        strategy: flat', //         15
    ].join('\n');
    expect(fileProblems(text)).to.deep.equal([
      'groups.yaml:10: scorer.weights.city must be a number ≥ 0 (domain demo, group people)',
      'groups.yaml:13: topK must be a positive integer (domain demo, group mentors)',
      'groups.yaml:14: matchType is required (SYMMETRIC, BIPARTITE) (domain demo, group nothing)',
    ]);
    expect(fileProblems('domains:\n  demo:\n    groups:\n      a: {matchType: SYMMETRIC}\n      a: {matchType: SYMMETRIC}\n')[0])
      .to.match(/^groups\.yaml:5: Map keys must be unique/);
    expect(fileProblems('domains: [1, 2\n')[0]).to.match(/^groups\.yaml:\d+: /);
    expect(fileProblems('groups: {}\n')).to.deep.equal(["groups.yaml:1: the file must be a mapping with 'domains' (domain name → groups)"]);
  });

  it('what `groups show` prints reads back, and gives the same effective settings', () => {
    for (const spec of [full, readGroupSpec({ matchType: 'SYMMETRIC' }), readGroupSpec({ matchType: 'BIPARTITE', perfect: { algorithm: 'top-k' } })]) {
      const effective = effectiveSpec(cfg, spec);
      const [entry] = readGroupsFile(groupsFileText([{ domain: 'd', group: 'g', spec: effective }], 'a comment'), 'show.yaml');
      expect(entry.spec).to.deep.equal(effective);
      expect(effectiveSpec(cfg, entry.spec)).to.deep.equal(effective);
      expect(groupSettings(cfg, group(spec.matchType), configurationOf(canonicalSpec(entry.spec))))
        .to.deep.equal(groupSettings(cfg, group(spec.matchType), configurationOf(canonicalSpec(spec))));
    }
  });
});
