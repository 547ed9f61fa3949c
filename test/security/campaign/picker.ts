import fc from "fast-check";

// One imperative face over fast-check's `gen()`: the campaign's generators walk a schema, so each choice
// depends on the one before it (which field, then which of its arguments, then which value). Every draw
// goes through fast-check, so a seed replays the same cases.

export class Picker {
  constructor(private readonly draw: fc.GeneratorValue) {}

  /** One of `items` (at least one). */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error("Picker.pick: nothing to pick from");
    return items[this.int(0, items.length - 1)] as T;
  }

  /** True with probability `p` (to a thousandth). */
  chance(p: number): boolean {
    return this.draw(fc.integer, { min: 0, max: 999 }) < p * 1000;
  }

  int(min: number, max: number): number {
    return this.draw(fc.integer, { min, max });
  }

  /** A value of any fast-check arbitrary. */
  from<T>(arbitrary: fc.Arbitrary<T>): T {
    return this.draw(() => arbitrary);
  }

  /** One of the generators, chosen by weight. */
  weighted<T>(choices: readonly (readonly [number, () => T])[]): T {
    const total = choices.reduce((sum, [weight]) => sum + weight, 0);
    let roll = this.int(0, total - 1);
    for (const [weight, make] of choices) {
      if (roll < weight) return make();
      roll -= weight;
    }
    throw new Error("Picker.weighted: no choice");
  }
}
