import { expect } from 'chai';
import {
  afterFailure, afterSuccess, allowsRun, breakerSettings, breakerStatus, CLOSED, reopensAt, type BreakerState,
} from '../../../src/shared/circuitBreaker.ts';
import { loadConfig } from '../../../src/shared/config.ts';

const settings = { failureThreshold: 5, openMs: 15 * 60_000 };

function failTimes(n: number, start: BreakerState, at: number): BreakerState {
  let s = start;
  for (let i = 0; i < n; i++) s = afterFailure(s, at, settings);
  return s;
}

describe('circuit breaker (pure)', () => {
  it('takes the seed defaults from config: 5 failures, 15 minutes', () => {
    expect(breakerSettings(loadConfig({}))).to.deep.equal({ failureThreshold: 5, openMs: 900_000 });
  });

  it('stays closed below the threshold and opens on the fifth consecutive failure', () => {
    const four = failTimes(4, CLOSED, 1000);
    expect(breakerStatus(four, 1000, settings)).to.equal('closed');
    expect(allowsRun(four, 1000, settings)).to.equal(true);
    const five = afterFailure(four, 2000, settings);
    expect(five).to.deep.equal({ consecutiveFailures: 5, openedAt: 2000 });
    expect(breakerStatus(five, 2000, settings)).to.equal('open');
    expect(allowsRun(five, 2000, settings)).to.equal(false);
    expect(reopensAt(five, 2000, settings)).to.equal(2000 + settings.openMs);
  });

  it('a success in between resets the count (failures must be consecutive)', () => {
    const fourThenSuccess = afterSuccess();
    expect(failTimes(4, CLOSED, 0).consecutiveFailures).to.equal(4);
    const fourMore = failTimes(4, fourThenSuccess, 0);
    expect(fourMore.consecutiveFailures).to.equal(4);
    expect(breakerStatus(fourMore, 0, settings)).to.equal('closed');
  });

  it('is open for exactly openMs, then half-open', () => {
    const open = failTimes(5, CLOSED, 10_000);
    expect(breakerStatus(open, 10_000 + settings.openMs - 1, settings)).to.equal('open');
    expect(breakerStatus(open, 10_000 + settings.openMs, settings)).to.equal('half-open');
    expect(allowsRun(open, 10_000 + settings.openMs, settings)).to.equal(true);
    expect(reopensAt(open, 10_000 + settings.openMs, settings)).to.equal(null);
  });

  it('half-open: a failed trial opens it again for a full window; a success closes it', () => {
    const open = failTimes(5, CLOSED, 0);
    const trialAt = settings.openMs + 5;
    const reopened = afterFailure(open, trialAt, settings);
    expect(reopened.openedAt).to.equal(trialAt);
    expect(breakerStatus(reopened, trialAt + settings.openMs - 1, settings)).to.equal('open');
    expect(breakerStatus(afterSuccess(), trialAt, settings)).to.equal('closed');
  });

  it('a late failure while open does not stretch the open window', () => {
    const open = failTimes(5, CLOSED, 0);
    const late = afterFailure(open, 60_000, settings);
    expect(late.openedAt).to.equal(0);
    expect(late.consecutiveFailures).to.equal(6);
  });

  it('threshold 1 opens on the first failure', () => {
    const s = afterFailure(CLOSED, 7, { failureThreshold: 1, openMs: 10 });
    expect(breakerStatus(s, 7, { failureThreshold: 1, openMs: 10 })).to.equal('open');
  });
});
