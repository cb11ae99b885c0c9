// Names that come from outside (a URL, a file, an option, a dataset's header) looked up in the
// project's tables. A plain `table[name]` finds Object.prototype's keys too: `?example=constructor`
// found a function and left the page half-started. Here those are unknown names like any other.

/** `table[name]` if the table itself has `name`, else undefined. */
export function lookup<T>(table: Readonly<Record<string, T>>, name: string): T | undefined {
  return Object.hasOwn(table, name) ? table[name] : undefined;
}
