import { defineRelations } from "drizzle-orm";
import { aiRelations } from "./ai.js";
import { authRelations } from "./auth.js";
import { researchRelations } from "./research.js";
import { searchRelations } from "./search.js";
import * as tables from "./tables.js";
import { tokenRelations } from "./tokens.js";

type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;

interface RelationsPart {
  [table: string]: { relations: Record<string, unknown> };
}

/**
 * Each domain file declares the relations it owns (including reverse ones onto other domains' tables, such as
 * search's `researchArtifact.chunks`); this merges them table by table into the one config that drizzle and
 * Pothos read. A plain object spread would let a later part silently drop an earlier part's relations.
 */
function mergeRelationParts<Parts extends RelationsPart[]>(...parts: Parts): UnionToIntersection<Parts[number]> {
  const merged: RelationsPart = {};
  for (const part of parts) {
    for (const [tableName, config] of Object.entries(part)) {
      const existing = merged[tableName];
      merged[tableName] = existing
        ? { ...existing, relations: { ...existing.relations, ...config.relations } }
        : { ...config, relations: { ...config.relations } };
    }
  }
  return merged as UnionToIntersection<Parts[number]>;
}

export const relations = mergeRelationParts(
  defineRelations(tables),
  authRelations,
  aiRelations,
  researchRelations,
  searchRelations,
  tokenRelations,
);
export type Relations = typeof relations;
