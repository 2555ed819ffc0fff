// Engines measured in interleaved rounds (A B C, A B C, …) rather than one after another, so
// that a change in the machine's load during the bench (other processes, thermal, the
// harness's own garbage) falls on every engine alike instead of on whichever ran then.

/** Runs `measure` for each participant once per round, in the same order every round; results per participant, in round order. */
export async function inRounds<P, R>(participants: readonly P[], rounds: number, measure: (participant: P, round: number) => Promise<R>): Promise<Map<P, R[]>> {
  const results = new Map<P, R[]>(participants.map((p) => [p, []]));
  for (let round = 0; round < rounds; round++) {
    for (const participant of participants) results.get(participant)!.push(await measure(participant, round));
  }
  return results;
}
