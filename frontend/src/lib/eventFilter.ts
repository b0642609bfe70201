// The event log's filter: by type, exit reason and free text.

export interface VmEvent {
  seq: number;
  time: string;
  type: string;
  [key: string]: unknown;
}

export interface EventFilter {
  types: Set<string>; // empty: all types
  text: string; // case-insensitive substring of the JSON of the event
}

export function emptyFilter(): EventFilter {
  return { types: new Set(), text: "" };
}

/** The category shown in the type filter: exit events use their exit reason. */
export function eventCategory(e: VmEvent): string {
  const reason = e["exit_reason"];
  return typeof reason === "string" ? reason : e.type;
}

export function matches(e: VmEvent, f: EventFilter): boolean {
  if (f.types.size > 0 && !f.types.has(eventCategory(e)) && !f.types.has(e.type)) return false;
  if (f.text.trim() !== "") {
    return JSON.stringify(e).toLowerCase().includes(f.text.trim().toLowerCase());
  }
  return true;
}

export function applyFilter(events: readonly VmEvent[], f: EventFilter): VmEvent[] {
  return events.filter((e) => matches(e, f));
}

/** Appends events in seq order, dropping duplicates (a reconnect replays after=<seq>), keeping at most `limit`. */
export function appendEvents(log: VmEvent[], incoming: readonly VmEvent[], limit = 5000): VmEvent[] {
  const last = log.length ? log[log.length - 1].seq : -Infinity;
  const fresh = incoming.filter((e) => e.seq > last).sort((a, b) => a.seq - b.seq);
  const merged = log.concat(fresh);
  return merged.length > limit ? merged.slice(merged.length - limit) : merged;
}

/**
 * The seq column: "c<n>" for events this console saw itself, the service's seq otherwise, shortened to its
 * last four digits once it is long (the service numbers from the microsecond clock, so seqs keep growing
 * across restarts).
 */
export function seqLabel(e: VmEvent): string {
  if (e.local) return `c${e.seq}`;
  const s = String(e.seq);
  return s.length > 6 ? `…${s.slice(-4)}` : s;
}

/** A short one-line summary of an event for the log. */
export function summarize(e: VmEvent): string {
  const rest = Object.entries(e)
    .filter(([k]) => !["seq", "time", "type", "local"].includes(k))
    .map(([k, v]) => `${k}=${typeof v === "object" ? JSON.stringify(v) : String(v)}`);
  return rest.join(" ");
}
