import { decodeGlobalID } from "@pothos/plugin-relay";

/**
 * An ID argument as the database id it names: the row's global ID (what `id` answers, the Relay way) or its
 * database id (`databaseId`). A text that does not decode to `<Type>:<id>` (of `typename`, when given) is taken
 * as a database id; an ID may also arrive as a number.
 */
export function databaseIdOf(value: unknown, typename?: string): string {
  const text = String(value);
  try {
    const decoded = decodeGlobalID(text);
    // A database id can be valid base64 too (Better Auth's are 32 letters and digits): it decodes to bytes that
    // are almost never a type name, a colon and printable text, which every global ID is.
    const isGlobalId = /^[A-Z][A-Za-z]*$/.test(decoded.typename) && /^[\x21-\x7e]+$/.test(decoded.id);
    if (isGlobalId && (typename === undefined || decoded.typename === typename)) return decoded.id;
  } catch {
    // not base64, or no `<Type>:`: a database id
  }
  return text;
}
