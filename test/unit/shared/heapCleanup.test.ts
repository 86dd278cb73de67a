// The heap gauges of a perfect run's clean-up: "before" at once, "after" at the next major GC.
import { expect } from 'chai';
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { recordHeapCleanup } from '../../../src/shared/heapCleanup.ts';
import { metrics } from '../../../src/shared/metrics.ts';
import { until } from '../../support/waitFor.ts';

const gaugeValue = async (g: typeof metrics.heapUsageAfterCleanup): Promise<number> => (await g.get()).values[0]?.value ?? 0;

describe('heap gauges before and after clean-up', () => {
  it('sets heap_usage_before_cleanup at once and heap_usage_after_cleanup after the next full GC', async () => {
    metrics.heapUsageAfterCleanup.set(0);
    let garbage: Float64Array | null = new Float64Array(8 * 2 ** 20); // 64 MiB that the "run" lets go of
    garbage[0] = 1;
    recordHeapCleanup();
    const before = await gaugeValue(metrics.heapUsageBeforeCleanup);
    expect(before).to.be.greaterThan(64 * 2 ** 20);
    expect(await gaugeValue(metrics.heapUsageAfterCleanup), 'not before a GC').to.equal(0);
    garbage = null;
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    gc();
    const after = await until('heap_usage_after_cleanup to be set', async () => gaugeValue(metrics.heapUsageAfterCleanup));
    expect(after).to.be.lessThan(before);
    expect(garbage).to.equal(null);
  });
});
