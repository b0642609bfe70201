// The vcpu panel: regs, sregs and MSRs, editable when the vcpu is not running, with the
// values that changed in the last step highlighted.
import { api } from "../api/endpoints";
import type { KvmMsrs } from "../api/types";
import { msrName } from "../lib/msrNames";
import { errorText } from "../lib/problem";
import { changedPaths, flatten, setPath } from "../lib/regdiff";
import { parseU64, toHex } from "../lib/u64";
import { h, notice, replace, tabs, toast } from "./dom";
import type { VmSession } from "./session";

const GPRS = ["rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rsp", "rbp", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "rip", "rflags"];
const SEGMENTS = ["cs", "ds", "es", "fs", "gs", "ss", "tr", "ldt"];
const SEG_FIELDS = ["selector", "base", "limit", "type", "present", "dpl", "db", "s", "l", "g", "avl", "unusable"];
const CONTROL = ["cr0", "cr2", "cr3", "cr4", "cr8", "efer", "apic_base"];
// Architectural MSRs (SDM vol. 4) shown when KVM_GET_MSR_INDEX_LIST is not answered.
const COMMON_MSRS = [0x10, 0x1b, 0x174, 0x175, 0x176, 0x277, 0xc0000080, 0xc0000081, 0xc0000082, 0xc0000084, 0xc0000100, 0xc0000101, 0xc0000102];
const FLAG_BITS: [number, string][] = [[0, "CF"], [2, "PF"], [4, "AF"], [6, "ZF"], [7, "SF"], [8, "TF"], [9, "IF"], [10, "DF"], [11, "OF"]];

/** An input that commits on Enter or blur; u64 fields are validated before anything is sent. */
function field(name: string, value: string, changed: boolean, editable: boolean, commit: (v: string) => Promise<void>, u64 = true, label = name): HTMLElement {
  const input = h("input.reg", { value, name, disabled: !editable, spellcheck: false, "aria-label": name, dataset: { reg: name } });
  if (changed) input.classList.add("changed");
  let committed = value;
  let busy = false; // Enter and the blur's change event must not send the same write twice
  const go = async () => {
    if (input.value === committed || busy) return;
    busy = true;
    try {
      const v = u64 ? toHex(parseU64(input.value)) : String(Number(input.value));
      if (!u64 && !Number.isInteger(Number(input.value))) throw new SyntaxError(`"${input.value}" is not an integer`);
      committed = input.value;
      input.dataset.dirty = "0";
      await commit(v);
      input.classList.remove("invalid");
    } catch (e) {
      input.classList.add("invalid");
      toast(`${name}: ${errorText(e)}`, "error");
    } finally {
      busy = false;
    }
  };
  input.addEventListener("input", () => (input.dataset.dirty = input.value === committed ? "0" : "1"));
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter") void go().then(() => !input.classList.contains("invalid") && input.blur()); // Enter commits and leaves the field
    if (e.key === "Escape") {
      input.value = committed;
      input.dataset.dirty = "0";
    }
  });
  input.addEventListener("change", () => void go());
  return h("label.regfield", h("span.regname", { title: name }, label), input);
}

/**
 * Re-renders a box of fields without disturbing an edit: while a field of the box has the focus
 * the render waits until the focus leaves the box (a commit, Escape or a click elsewhere).
 */
const deferred = new WeakMap<HTMLElement, () => void>();
function rerender(box: HTMLElement, build: () => void): boolean {
  const active = document.activeElement as HTMLElement | null;
  if (active && box.contains(active)) {
    if (!deferred.has(box)) {
      const later = () => {
        deferred.delete(box);
        box.removeEventListener("focusout", onOut);
        build();
      };
      const onOut = (e: FocusEvent) => {
        if (!box.contains(e.relatedTarget as Node | null)) setTimeout(later, 0);
      };
      deferred.set(box, later);
      box.addEventListener("focusout", onOut);
    } else {
      deferred.set(box, deferred.get(box)!); // already waiting; the latest state is read then
    }
    return false;
  }
  build();
  return true;
}

function flagsText(rflags: string | undefined): string {
  if (!rflags) return "";
  const v = parseU64(rflags);
  return FLAG_BITS.filter(([bit]) => (v >> BigInt(bit)) & 1n).map(([, n]) => n).join(" ") || "-";
}

export function cpuPanel(session: VmSession): { el: HTMLElement; dispose: () => void } {
  const regsBox = h("div.regs", { "data-testid": "regs" });
  const sregsBox = h("div.sregs");
  const msrsBox = h("div.msrs");
  let msrIndices: number[] | null = null;
  let msrs: KvmMsrs | null = null;
  let prevMsrs: KvmMsrs | null = null;
  let msrNote: string | null = null;

  const renderRegs = () => rerender(regsBox, renderRegsNow);
  const renderRegsNow = () => {
    if (!session.hasVcpu) return replace(regsBox, notice("This VM has no vcpu."));
    if (!session.cpuReadable && session.regs) {
      // keep the last values, read-only, while the service runs the vcpu
    } else if (!session.cpuReadable) return replace(regsBox, notice("The VM is running: pause it to read registers."));
    if (!session.regs) return replace(regsBox, notice(session.error ?? "Reading registers…", session.error ? "error" : "info"));
    const regs = session.regs as Record<string, string>;
    const changed = changedPaths(session.prevRegs, session.regs);
    replace(
      regsBox,
      h("div.reggrid", GPRS.map((r) => field(r, regs[r] ?? "", changed.has(r), session.editable, (v) => session.writeRegs({ ...session.regs!, [r]: v })))),
      h("div.flags", "flags: ", h("span", { "data-testid": "flags" }, flagsText(regs.rflags))),
      session.editable ? null : h("p.hint", session.cpuReadable ? "Registers are read-only while the vcpu runs." : "Running: these are the values at the last stop. Pause to read and edit."),
    );
  };

  const renderSregs = () => rerender(sregsBox, renderSregsNow);
  const renderSregsNow = () => {
    if (!session.sregs) return replace(sregsBox, notice(session.error ?? "Reading special registers…", session.error ? "error" : "info"));
    const s = session.sregs;
    const changed = changedPaths(session.prevSregs, s);
    const flat = flatten(s);
    const commit = (path: string) => (v: string) => session.writeSregs(setPath(session.sregs!, path, path.endsWith(".base") || !path.includes(".") || path.startsWith("interrupt_bitmap") ? v : Number(v)));
    replace(
      sregsBox,
      h("div.reggrid", CONTROL.map((r) => field(r, flat[r] ?? "", changed.has(r), session.editable, commit(r)))),
      h("div.segwrap", h(
        "table.segtable",
        h("thead", h("tr", h("th", "seg"), SEG_FIELDS.map((f) => h("th", f)))),
        h(
          "tbody",
          SEGMENTS.map((seg) =>
            h(
              "tr",
              h("th", seg),
              SEG_FIELDS.map((f) => {
                const path = `${seg}.${f}`;
                const u64 = f === "base";
                return h("td", field(path, flat[path] ?? "", changed.has(path), session.editable, (v) => session.writeSregs(setPath(session.sregs!, path, u64 ? v : Number(v))), u64));
              }),
            ),
          ),
        ),
      )),
      h(
        "div.reggrid",
        ["gdt", "idt"].flatMap((t) => [
          field(`${t}.base`, flat[`${t}.base`] ?? "", changed.has(`${t}.base`), session.editable, commit(`${t}.base`)),
          field(`${t}.limit`, flat[`${t}.limit`] ?? "", changed.has(`${t}.limit`), session.editable, (v) => session.writeSregs(setPath(session.sregs!, `${t}.limit`, Number(v))), false),
        ]),
      ),
    );
  };

  const loadMsrs = async (afterStep: boolean) => {
    if (!session.hasVcpu) return replace(msrsBox, notice("This VM has no vcpu."));
    if (!session.cpuReadable) return replace(msrsBox, notice("The VM is running: pause it to read MSRs."));
    try {
      if (!msrIndices) {
        try {
          msrIndices = ((await api.msrIndexList()).indices ?? []).map(Number);
          msrNote = null;
        } catch (e) {
          msrIndices = COMMON_MSRS;
          msrNote = `GET /msr-index-list: ${errorText(e)}. Showing the architectural MSRs instead.`;
        }
      }
      const indices = msrIndices;
      const next = await session.vcpuCall(() => api.getMsrs(session.id, session.vcpu, indices));
      prevMsrs = afterStep ? msrs : null;
      msrs = next;
      renderMsrs();
    } catch (e) {
      replace(msrsBox, notice(`MSRs: ${errorText(e)}`, "error"));
    }
  };
  const renderMsrs = () => rerender(msrsBox, renderMsrsNow);
  const renderMsrsNow = () => {
    if (!msrs) return replace(msrsBox, notice("Reading MSRs…"));
    const before = new Map((prevMsrs?.entries ?? []).map((e) => [Number(e.index), e.data]));
    replace(
      msrsBox,
      msrNote ? notice(msrNote, "error") : null,
      h(
        "div.reggrid.msrgrid",
        (msrs.entries ?? []).map((e) => {
          const idx = Number(e.index);
          const name = "0x" + idx.toString(16);
          const changed = prevMsrs !== null && before.get(idx) !== e.data;
          return field(name, e.data ?? "", changed, session.editable, async (v) => {
            await session.exclusive(() => api.setMsrs(session.id, session.vcpu, [{ index: idx, data: v }]));
            await loadMsrs(false);
          }, true, msrName(idx));
        }),
      ),
    );
  };

  let lastRip: string | undefined;
  let lastEditable: boolean | undefined;
  const off = session.changed.on(() => {
    const rip = session.regs?.rip;
    renderRegs();
    renderSregs();
    const stepped = rip !== lastRip;
    if (stepped || lastEditable !== session.editable) {
      if (msrsBox.isConnected && !msrsBox.closest("[hidden]")) void loadMsrs(stepped && lastRip !== undefined);
      else renderMsrs();
    }
    lastRip = rip;
    lastEditable = session.editable;
  });
  renderRegs();
  renderSregs();

  const el = h(
    "section.panel.cpu",
    h("header.panel-head", h("h2", "vcpu 0")),
    tabs([
      { id: "regs", label: "regs", build: () => regsBox },
      { id: "sregs", label: "sregs", build: () => sregsBox },
      {
        id: "msrs",
        label: "MSRs",
        build: () => {
          void loadMsrs(false);
          return msrsBox;
        },
      },
    ]),
  );
  el.querySelectorAll<HTMLButtonElement>("button.tab[data-tab=msrs]").forEach((b) => b.addEventListener("click", () => void loadMsrs(false)));
  return { el, dispose: off };
}
