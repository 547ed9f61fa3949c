import fc from "fast-check";
import type { GraphQLSchema } from "graphql";
import { type CampaignCaller, type Reply, send } from "./callers.js";
import { type CampaignOperation, writeOperation } from "./operations.js";
import { Picker } from "./picker.js";
import type { Pools } from "./values.js";

// The campaign's cases and their run: every root query field and mutation gets the same share of cases,
// each from its own seed (seed + the field's index), so a seed always yields the same operations; the
// cases run interleaved across fields, a few at a time, as separate clients would send them.

export interface CampaignCase {
  index: number;
  caller: CampaignCaller;
  operation: CampaignOperation;
}

export interface CaseOutcome {
  case: CampaignCase;
  requestId: string;
  reply: Reply;
}

/** A positive whole number from `env[name]`, `fallback` when unset; a typo must not run zero cases. */
export function positiveWholeNumber(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1)
    throw new Error(`${name} must be a positive whole number, got "${raw}"`);
  return value;
}

/** `FUZZ_RUNS` (default 2100) and `FUZZ_SEED` (default 16). */
export function campaignSettings(env: NodeJS.ProcessEnv = process.env): { runs: number; seed: number } {
  return { runs: positiveWholeNumber(env, "FUZZ_RUNS", 2100), seed: positiveWholeNumber(env, "FUZZ_SEED", 16) };
}

export function rootFields(schema: GraphQLSchema) {
  const fields = [
    ...Object.values(schema.getQueryType()?.getFields() ?? {}).map((field) => ({ kind: "query" as const, field })),
    ...Object.values(schema.getMutationType()?.getFields() ?? {}).map((field) => ({
      kind: "mutation" as const,
      field,
    })),
  ];
  return fields.filter(({ field }) => field.name !== "_service");
}

export function generateCases(
  schema: GraphQLSchema,
  pools: Pools,
  callers: CampaignCaller[],
  runs: number,
  seed: number,
): CampaignCase[] {
  const fields = rootFields(schema);
  const perField = Math.ceil(runs / fields.length);
  const byField = fields.map(({ kind, field }, fieldIndex) => {
    const arbitrary = fc.gen().map((draw) => {
      const picker = new Picker(draw);
      const caller = picker.pick(callers);
      const strict = picker.chance(0.7);
      return {
        caller,
        operation: writeOperation(schema, kind, field, { picker, pools, caller: caller.label, strict }),
      };
    });
    return fc.sample(arbitrary, { seed: seed + fieldIndex, numRuns: perField });
  });
  const cases: CampaignCase[] = [];
  for (let round = 0; round < perField; round++) {
    for (const samples of byField) {
      const sample = samples[round];
      if (sample) cases.push({ index: cases.length, ...sample });
    }
  }
  return cases;
}

export async function runCases(
  baseUrl: string,
  cases: CampaignCase[],
  options: { concurrency: number; requestIdPrefix: string },
): Promise<CaseOutcome[]> {
  const outcomes: CaseOutcome[] = [];
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < cases.length; i = next++) {
      const campaignCase = cases[i] as CampaignCase;
      const requestId = `${options.requestIdPrefix}-${campaignCase.index}`;
      const { operationName, query, variables } = campaignCase.operation;
      const reply = await send(
        baseUrl,
        campaignCase.caller,
        { operationName, query, variables },
        {
          "x-request-id": requestId,
        },
      );
      outcomes.push({ case: campaignCase, requestId, reply });
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return outcomes.sort((a, b) => a.case.index - b.case.index);
}
