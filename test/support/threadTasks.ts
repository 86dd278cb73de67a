// Functions run by the ThreadPool test.
export function sum(input: { values: Float64Array }): { total: number; doubled: Float64Array } {
  let total = 0;
  const doubled = new Float64Array(input.values.length);
  for (let i = 0; i < input.values.length; i++) {
    total += input.values[i];
    doubled[i] = input.values[i] * 2;
  }
  return { total, doubled };
}

export function boom(): never {
  throw new Error('boom in thread');
}

export function spin(input: { ms: number }): number {
  const end = Date.now() + input.ms;
  let n = 0;
  while (Date.now() < end) n++;
  return n;
}
