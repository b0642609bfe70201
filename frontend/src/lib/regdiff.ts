// Which register fields changed between two reads, for highlighting after a step.
// Works on any nested JSON (regs, sregs with segments, MSR entries keyed by index).

export type Flat = Record<string, string>;

/** Flattens {cs: {base: "0x0"}} into {"cs.base": "0x0"}; arrays use [i]. */
export function flatten(value: unknown, prefix = "", out: Flat = {}): Flat {
  if (Array.isArray(value)) {
    value.forEach((v, i) => flatten(v, `${prefix}[${i}]`, out));
  } else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      flatten(v, prefix ? `${prefix}.${k}` : k, out);
    }
  } else if (value !== undefined) {
    out[prefix] = String(value);
  }
  return out;
}

/** The set of flattened paths whose value differs (or appeared/disappeared). Compares hex case-insensitively. */
export function changedPaths(before: unknown, after: unknown): Set<string> {
  const changed = new Set<string>();
  if (before === undefined || before === null) return changed;
  const a = flatten(before);
  const b = flatten(after);
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (normal(a[key]) !== normal(b[key])) changed.add(key);
  }
  return changed;
}

function normal(v: string | undefined): string | undefined {
  if (v === undefined) return v;
  const m = /^0x0*([0-9a-f]+)$/i.exec(v);
  return m ? "0x" + m[1].toLowerCase() : v;
}

/** Sets a flattened path ("cs.base", "interrupt_bitmap[2]") inside a deep copy of obj. */
export function setPath<T>(obj: T, path: string, value: unknown): T {
  const copy = structuredClone(obj) as Record<string, unknown>;
  const keys = path.split(/\.|\[(\d+)\]/).filter((k) => k !== undefined && k !== "");
  let node: Record<string, unknown> = copy;
  for (let i = 0; i < keys.length - 1; i++) {
    const next = node[keys[i]];
    if (next === null || typeof next !== "object") throw new Error(`no field ${path}`);
    node = next as Record<string, unknown>;
  }
  node[keys[keys.length - 1]] = value;
  return copy as T;
}
