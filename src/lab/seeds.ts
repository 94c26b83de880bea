// Seeds of a lab's runs: run i of a lab over base seed S replays with seed "S/lab/i".
//
// The seed is the scenario's seed material (traffic.ts hashes String(seed)), so run i can be
// replayed alone with `canary replay` by writing `seed: "S/lab/i"` into the file. The seeds
// depend on S and i only: the same N gives the same runs on any machine and any --jobs.

export function labSeed(base: number | string, i: number): string {
  return `${String(base)}/lab/${i}`;
}
