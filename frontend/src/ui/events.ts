// The event log: the /vms/{id}/events stream (reconnecting, resuming after the last seq)
// plus exits the console itself saw, with type and text filters.
import { appendEvents, applyFilter, emptyFilter, eventCategory, seqLabel, summarize, type VmEvent } from "../lib/eventFilter";
import { h, notice, replace } from "./dom";
import { Emitter } from "./emitter";
import type { VmSession } from "./session";

/** One line of the log; the full summary is the hover text of the (ellipsized) payload. */
function eventRow(e: VmEvent): HTMLElement {
  const text = summarize(e);
  return h(
    "div.ev",
    h("span.evseq", { title: e.local ? "seen by this console (KVM_RUN)" : `service event seq ${e.seq}`, dataset: { seq: String(e.seq) } }, seqLabel(e)),
    h("span.evtime", e.time.slice(11, 23)),
    h("span.evtype", eventCategory(e)),
    h("span.evtext", { title: text }, text),
  );
}

export function eventsPanel(session: VmSession, perSecond: Emitter<number>): { el: HTMLElement; dispose: () => void } {
  let log: VmEvent[] = [];
  let local: VmEvent[] = [];
  const filter = emptyFilter();
  const categories = new Set<string>();
  const typeBox = h("div.types");
  const text = h("input", { placeholder: "filter text", "aria-label": "filter events", on: { input: () => ((filter.text = text.value), render()) } });
  const list = h("div.eventlist", { "data-testid": "events" });
  const status = h("span.evstatus");
  let count = 0;

  const addCategory = (c: string) => {
    if (categories.has(c)) return;
    categories.add(c);
    const cb = h("input", { type: "checkbox", on: { change: () => ((cb.checked ? filter.types.add(c) : filter.types.delete(c)), render()) } });
    typeBox.appendChild(h("label.chip", cb, c));
  };

  let pending = false;
  const render = () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      const all = [...log, ...local].sort((a, b) => a.time.localeCompare(b.time));
      const shown = applyFilter(all, filter).slice(-500);
      if (all.length === 0) {
        replace(list, notice(session.caps.has("events") ? "No events yet." : `${session.caps.missing("events", "The live event log")} Exits seen by this console are listed here.`, session.caps.has("events") ? "info" : "pending"));
        return;
      }
      const atBottom = list.scrollTop + list.clientHeight >= list.scrollHeight - 4;
      replace(list, shown.map(eventRow));
      if (atBottom) list.scrollTop = list.scrollHeight;
    });
  };

  const add = (into: "log" | "local", events: VmEvent[]) => {
    for (const e of events) addCategory(eventCategory(e));
    count += events.length;
    if (into === "log") log = appendEvents(log, events);
    else local = appendEvents(local, events, 2000);
    render();
  };

  // Counter samples feed the chart, not the log of exits.
  const offStream = session.events.on((e) => e.type !== "counters" && add("log", [e]));
  const offState = session.eventState.on((s) => (status.textContent = s));
  if (!session.caps.has("events")) status.textContent = "console exits only";
  const offLocal = session.localEvents.on((e) => add("local", [e]));
  const tick = setInterval(() => {
    perSecond.emit(count);
    count = 0;
  }, 1000);
  render();

  const el = h(
    "section.events",
    h("div.toolbar", text, status, h("button", { type: "button", on: { click: () => ((log = []), (local = []), render()) } }, "Clear")),
    typeBox,
    list,
  );
  return { el, dispose: () => (offStream(), offState(), offLocal(), clearInterval(tick)) };
}
