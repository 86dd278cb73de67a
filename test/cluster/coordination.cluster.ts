// The mutex, semaphore and leader-lease tests (test/support/coordinationSuite.ts) on a local Redis
// Cluster of 3 masters: every coordination script keeps its keys in the slot of {QUEUE_PREFIX}.
import { startLocalCluster, type LocalCluster } from '../support/redis/localCluster.ts';
import { coordinationSuite } from '../support/coordinationSuite.ts';

describe('redis coordination on a Redis Cluster of 3 masters', function () {
  this.timeout(60_000);
  let cluster: LocalCluster;

  before(async () => {
    cluster = await startLocalCluster({ masters: 3 });
  });
  after(async () => {
    await cluster?.stop();
  });

  coordinationSuite(() => cluster.env);
});
