/**
 * Counts in messages: "1 workload", "2 workloads", "1 malformed line".
 */

/** `n` with the noun in the right number (`plural` defaults to the noun + "s"). */
export function plural(n: number, noun: string, pluralNoun = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : pluralNoun}`;
}

/** Up to `max` names joined with commas, then "and N more". */
export function listSome(names: readonly string[], max = 3): string {
  if (names.length <= max) return names.join(", ");
  return `${names.slice(0, max).join(", ")} and ${names.length - max} more`;
}
