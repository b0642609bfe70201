// Disassembly around RIP (GET .../disassembly lists by CS offset, like RIP). The gutter
// toggles execution breakpoints, which KVM_SET_GUEST_DEBUG takes as linear addresses
// (CS.base + offset outside long mode). Without the disassembly endpoint the listing falls
// back to one row per byte, so that breakpoints still work.
import { api } from "../api/endpoints";
import { byteRows, toggleBreakpoint, type DisasmLine } from "../lib/debugger";
import { errorText } from "../lib/problem";
import { toHex, tryParseU64 } from "../lib/u64";
import { h, notice, replace, toast } from "./dom";
import type { VmSession } from "./session";

const COUNT = 24;
const FALLBACK_BYTES = 32;

export function disasmPanel(session: VmSession): { el: HTMLElement; dispose: () => void } {
  const list = h("div.disasm-list", { "data-testid": "disasm", role: "list" });
  const info = h("div.disasm-info");
  const goto = h("input.goto", { placeholder: "offset (like RIP)", "aria-label": "disassemble at address", spellcheck: false });
  let lines: DisasmLine[] = [];
  let origin: bigint | null = null; // CS offset where the listing starts
  let pinned = false; // the user asked for an address: do not follow RIP away from it
  let loading = false;

  const physicalOf = async (linear: bigint): Promise<bigint> => {
    const t = await session.vcpuCall(() => api.translate(session.id, session.vcpu, toHex(linear)));
    if (!t.valid) throw new Error(`linear ${toHex(linear)} is not mapped`);
    return tryParseU64(t.physical_address) ?? 0n;
  };

  const load = async (start: bigint) => {
    loading = true;
    try {
      if (session.caps.has("disassembly")) {
        const got = await session.vcpuCall(() => api.disassembly(session.id, session.vcpu, toHex(start), COUNT));
        lines = got.filter((l) => l.address).map((l) => ({ address: l.address!, bytes: l.bytes ?? "", text: l.text ?? "" }));
        replace(info);
      } else {
        const phys = await physicalOf(session.linearOf(start));
        if (!session.inRam(phys, FALLBACK_BYTES)) throw new Error(`no RAM at physical ${toHex(phys)} (no memory slot covers it)`);
        const bytes = await api.readMemory(session.id, toHex(phys), FALLBACK_BYTES);
        lines = byteRows(start, bytes);
        replace(info, notice(session.caps.missing("disassembly", "Disassembly") + " Showing raw bytes, one per row.", "pending"));
      }
      origin = start;
    } catch (e) {
      lines = [];
      // Refused because the service runs the vcpu: a state, not an error.
      if (!session.cpuReadable) replace(info, notice("The VM is running: pause it to see the code at RIP."));
      else replace(info, notice(`Disassembly at ${toHex(start)}: ${errorText(e)}`, "error"));
    } finally {
      loading = false;
    }
  };

  const render = () => {
    const rip = session.rip();
    const bps = new Set(session.breakpoints);
    if (!session.hasVcpu) return replace(list, notice("This VM has no vcpu."));
    if (lines.length === 0 && !info.textContent) return replace(list, notice("Reading code at RIP…"));
    session.disasmAtRip = lines.find((l) => tryParseU64(l.address) === rip);
    replace(
      list,
      lines.map((l) => {
        const ip = tryParseU64(l.address) ?? 0n;
        const linear = session.linearOf(ip);
        const isBp = bps.has(linear);
        const current = ip === rip;
        return h(
          "div.dline",
          { role: "listitem", dataset: { address: toHex(ip), linear: toHex(linear) }, class: `dline${current ? " current" : ""}${isBp ? " bp" : ""}` },
          h("button.gutter", { type: "button", title: isBp ? "Remove breakpoint" : "Set breakpoint", "aria-label": `breakpoint at ${toHex(ip)}`, "aria-pressed": String(isBp), on: { click: () => void toggle(linear) } }, isBp ? "●" : current ? "▶" : ""),
          h("span.daddr", toHex(ip)),
          h("span.dbytes", l.bytes),
          h("span.dtext", { title: l.text }, l.text),
        );
      }),
    );
    list.querySelector(".current")?.scrollIntoView({ block: "nearest" });
  };

  const toggle = async (linear: bigint) => {
    try {
      await session.setBreakpoints(toggleBreakpoint(session.breakpoints, linear));
    } catch (e) {
      toast(errorText(e), "error");
    }
  };

  /** Follows RIP: keeps the listing while RIP is inside it (the highlight moves), reloads otherwise. */
  const follow = async () => {
    const rip = session.rip();
    if (rip === null || loading || !session.cpuReadable) return render();
    const inside = lines.some((l) => tryParseU64(l.address) === rip);
    if (!pinned && (!inside || origin === null)) await load(rip);
    else if (!pinned && !session.caps.has("disassembly") && origin !== null) await load(origin); // raw bytes: catch code edits
    render();
  };

  goto.addEventListener("keydown", (e) => {
    if (e.key !== "Enter") return;
    const a = tryParseU64(goto.value);
    if (a === null) return toast(`"${goto.value}" is not an address`, "error");
    pinned = true;
    void load(a).then(render);
  });
  const toRip = () => {
    pinned = false;
    goto.value = "";
    origin = null;
    lines = [];
    void follow();
  };

  let lastKey = "";
  const off = session.changed.on(() => {
    const key = `${session.regs?.rip}|${session.sregs?.cs?.base}|${session.activity}|${session.codeVersion}`;
    if (key !== lastKey) {
      lastKey = key;
      if (session.activity === "idle") void follow();
    } else render();
  });

  const bpList = h("div.bplist");
  const offBp = session.changed.on(() => replace(bpList, session.breakpoints.length ? "breakpoints (linear): " + session.breakpoints.map(toHex).join(", ") : "no breakpoints (click the gutter)"));

  const el = h(
    "section.panel.disasm",
    h("header.panel-head", h("h2", "Disassembly"), goto, h("button", { type: "button", on: { click: toRip } }, "RIP")),
    info,
    list,
    bpList,
  );
  return { el, dispose: () => (off(), offBp()) };
}
