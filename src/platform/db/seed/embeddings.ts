import { EMBEDDING_DIMENSIONS } from "../../../../schema/index.js";

/** A small, fast, seedable PRNG (mulberry32): the same seed gives the same demo data on every machine. */
export function seededRandom(seed: string): () => number {
  let state = 0;
  for (const char of seed) state = (Math.imul(state ^ char.charCodeAt(0), 2654435761) + 1) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normalize(vector: number[]): number[] {
  const norm = Math.sqrt(vector.reduce((sum, x) => sum + x * x, 0)) || 1;
  return vector.map((x) => x / norm);
}

/** A unit vector for a topic: the centre of a cluster. */
export function topicEmbedding(topic: string): number[] {
  const random = seededRandom(`topic:${topic}`);
  return normalize(Array.from({ length: EMBEDDING_DIMENSIONS }, () => random() * 2 - 1));
}

/** A unit vector near `centre`: deterministic for a given key, `spread` sets how far it strays. */
export function embeddingNear(centre: number[], key: string, spread = 0.35): number[] {
  const random = seededRandom(`chunk:${key}`);
  return normalize(centre.map((x) => x + (random() * 2 - 1) * spread * (2 / Math.sqrt(EMBEDDING_DIMENSIONS))));
}
