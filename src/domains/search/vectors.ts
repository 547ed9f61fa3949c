import { EMBEDDING_DIMENSIONS } from "../../../schema/index.js";
import { GatewayError } from "../../platform/errors.js";

// Embedding vectors as the gateway accepts them: exactly EMBEDDING_DIMENSIONS finite numbers that fit the
// column's half precision, not all zero. Both stored and query vectors are unit-normalized: cosine similarity
// does not depend on length, and a unit vector cannot underflow to the zero vector in half precision (whose
// cosine distance is NaN).

/** The largest finite half-precision value: larger numbers would overflow `halfvec`. */
export const HALFVEC_MAX = 65504;

/**
 * Checks one vector and returns it unit-normalized. Throws BAD_USER_INPUT naming `field` otherwise:
 * wrong length, a value that is not a finite number, a value beyond ±65504, or the zero vector.
 */
export function validateEmbedding(value: unknown, field = "embedding"): number[] {
  const bad = (message: string, extra: Record<string, unknown> = {}) =>
    new GatewayError("BAD_USER_INPUT", `${field}: ${message}`, { field, ...extra });
  if (!Array.isArray(value)) throw bad(`must be a list of ${EMBEDDING_DIMENSIONS} numbers`);
  if (value.length !== EMBEDDING_DIMENSIONS) {
    throw bad(`must have exactly ${EMBEDDING_DIMENSIONS} numbers, got ${value.length}`, {
      expectedDimensions: EMBEDDING_DIMENSIONS,
      actualDimensions: value.length,
    });
  }
  let sumOfSquares = 0;
  for (let i = 0; i < value.length; i++) {
    const x: unknown = value[i];
    if (typeof x !== "number" || !Number.isFinite(x)) throw bad(`value ${i} is not a finite number`, { index: i });
    if (Math.abs(x) > HALFVEC_MAX) {
      throw bad(`value ${i} is out of range (at most ±${HALFVEC_MAX} in half precision)`, { index: i });
    }
    sumOfSquares += x * x;
  }
  if (!(sumOfSquares > 0)) throw bad("must not be the zero vector (cosine similarity is undefined for it)");
  const norm = Math.sqrt(sumOfSquares);
  return (value as number[]).map((x) => x / norm);
}

/**
 * A unit vector as pgvector's text input (`[x,y,…]`) with six decimals: finer than half precision resolves
 * components of a unit vector (2^-11 relative, about 1e-5 at the typical 0.025), and several times faster to
 * format than shortest round-trip digits.
 */
export function vectorLiteral(vector: readonly number[]): string {
  let out = "[";
  for (let i = 0; i < vector.length; i++) {
    if (i > 0) out += ",";
    out += String(Math.round((vector[i] ?? 0) * 1e6) / 1e6);
  }
  return `${out}]`;
}

/** Cosine similarity in [-1, 1] from pgvector's cosine distance (`<=>`, in [0, 2]). */
export function scoreFromDistance(distance: number): number {
  return 1 - distance;
}
