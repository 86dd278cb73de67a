// Time-ordered node ids (UUID version 7 layout: 48-bit Unix milliseconds, then random bits and a
// counter). Ids made by one import sort in the order the rows were read, so the primary-key index
// of `nodes` grows at its right edge instead of taking a random page per row; gen_random_uuid()
// per row also costs PostgreSQL more CPU than the insert itself on a small machine.
import { randomBytes } from 'node:crypto';

const COUNTER_SPAN = 2 ** 32;

/** Returns a generator of distinct ids; each call to the generator yields the next id. */
export function nodeIdSequence(nowMs: number = Date.now()): () => string {
  let prefix = '';
  let counter = 0;
  const reseed = () => {
    const ms = nowMs.toString(16).padStart(12, '0').slice(-12);
    const r = randomBytes(6).toString('hex');
    // version nibble 7, variant bits 10xx
    const variant = (0x8 | (parseInt(r[3], 16) & 0x3)).toString(16);
    prefix = `${ms.slice(0, 8)}-${ms.slice(8, 12)}-7${r.slice(0, 3)}-${variant}${r.slice(4, 7)}-${r.slice(7, 11)}`;
    counter = 0;
  };
  reseed();
  return () => {
    if (counter === COUNTER_SPAN) {
      nowMs += 1;
      reseed();
    }
    return prefix + (counter++).toString(16).padStart(8, '0');
  };
}
