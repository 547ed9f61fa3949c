import { type Column, getTableName, is, Relation, type Table } from "drizzle-orm";
import { getTableConfig, type PgTable } from "drizzle-orm/pg-core";

// Relations ↔ foreign keys: every foreign key the schema declares (table-level foreignKey() and column
// .references() alike, both in getTableConfig().foreignKeys) must have a Drizzle relation joining exactly its
// columns, and every relation that names from/to columns must be backed by a foreign key, in either direction.

/** One side of a join: a table and its columns, paired in order with the other side's. */
interface Link {
  from: string;
  to: string;
  /** "fromColumn=toColumn" pairs, sorted, so column order does not matter. */
  pairs: string[];
}

const linkKey = (link: Link) => `${link.from}(${link.pairs.join(",")})->${link.to}`;
const reversed = (link: Link): Link => ({
  from: link.to,
  to: link.from,
  pairs: link.pairs.map((p) => p.split("=").reverse().join("=")).sort(),
});
const describeLink = (link: Link) => {
  const own = link.pairs.map((p) => p.split("=")[0]).join(", ");
  const other = link.pairs.map((p) => p.split("=")[1]).join(", ");
  return `${link.from}(${own}) → ${link.to}(${other})`;
};

function pairsOf(from: Column[], to: Column[]): string[] {
  return from.map((column, i) => `${column.name}=${to[i]?.name ?? "?"}`).sort();
}

interface RelationsConfig {
  [exportName: string]: { relations: Record<string, unknown> };
}

/** Readable mismatches between the tables' foreign keys and the relations config; empty when in sync. */
export function relationForeignKeyMismatches(tables: PgTable[], relations: RelationsConfig): string[] {
  const foreignKeys: { name: string; link: Link }[] = [];
  for (const table of tables) {
    const config = getTableConfig(table);
    for (const fk of config.foreignKeys) {
      const reference = fk.reference();
      foreignKeys.push({
        name: fk.getName(),
        link: {
          from: config.name,
          to: getTableConfig(reference.foreignTable).name,
          pairs: pairsOf(reference.columns, reference.foreignColumns),
        },
      });
    }
  }

  const relationLinks: { label: string; link: Link }[] = [];
  const problems: string[] = [];
  for (const [exportName, entry] of Object.entries(relations)) {
    for (const [fieldName, relation] of Object.entries(entry.relations)) {
      if (!is(relation, Relation)) continue;
      const label = `relation ${exportName}.${fieldName}`;
      if (relation.through || relation.throughTable) {
        problems.push(
          `${label} goes through a junction table: extend test/support/relations-sync.ts to check both legs`,
        );
        continue;
      }
      if (relation.sourceColumns.length === 0) continue;
      relationLinks.push({
        label,
        link: {
          from: getTableName(relation.sourceTable as Table),
          to: getTableName(relation.targetTable as Table),
          pairs: pairsOf(relation.sourceColumns, relation.targetColumns),
        },
      });
    }
  }

  const relationKeys = new Set(relationLinks.map((r) => linkKey(r.link)));
  for (const fk of foreignKeys) {
    if (!relationKeys.has(linkKey(fk.link)) && !relationKeys.has(linkKey(reversed(fk.link)))) {
      problems.push(`foreign key ${fk.name} ${describeLink(fk.link)} has no relation joining exactly these columns`);
    }
  }
  const foreignKeyKeys = new Set(foreignKeys.map((fk) => linkKey(fk.link)));
  for (const r of relationLinks) {
    if (!foreignKeyKeys.has(linkKey(r.link)) && !foreignKeyKeys.has(linkKey(reversed(r.link)))) {
      problems.push(`${r.label} ${describeLink(r.link)} has no foreign key in either direction`);
    }
  }
  return problems.sort();
}
