// Redis coordination against the real Redis server (the tests: test/support/coordinationSuite.ts).
import { coordinationSuite } from '../support/coordinationSuite.ts';

describe('redis coordination', function () {
  this.timeout(30_000);
  coordinationSuite();
});
