// Where a job's time went: milliseconds per named step, for the job's return value (shown in
// Bull Board). lap(step) adds the time since the previous lap (or the start) to `step`.
export function lapTimer<K extends string>(steps: readonly K[]): { ms: Record<K, number>; lap: (step: K) => void } {
  const ms = Object.fromEntries(steps.map((s) => [s, 0])) as Record<K, number>;
  let t = Date.now();
  return {
    ms,
    lap(step) {
      const now = Date.now();
      ms[step] += now - t;
      t = now;
    },
  };
}
