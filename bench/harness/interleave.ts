/** A Trial is one contender's run in a group; it records its own figures when it runs. */
export interface Trial {
  contender: string
  run: (repetition: number) => Promise<void>
}

/**
 * interleave runs every trial once per repetition, starting each repetition one trial
 * later, so a drift in the machine (another job, a warm cache, a busy disk) lands on every
 * contender alike and each repetition's samples form a fair pair.
 */
export async function interleave(trials: Trial[], repetitions: number): Promise<void> {
  for (let repetition = 0; repetition < repetitions; repetition++) {
    for (let k = 0; k < trials.length; k++) {
      const trial = trials[(k + repetition) % trials.length]!
      await trial.run(repetition)
    }
  }
}
