// The dirty-page map of one slot, drawn as a grid: bright cells were written since the last
// read (KVM_GET_DIRTY_LOG reads and clears), dim cells at some earlier read.
import { api } from "../api/endpoints";
import { base64ToBytes } from "../lib/hex";
import { bitSet, countBits, gridShape, orInto } from "../lib/bitmap";
import { errorText } from "../lib/problem";
import { parseU64 } from "../lib/u64";
import { h, notice, replace } from "./dom";
import type { VmSession } from "./session";

const PAGE = 4096n;

export function dirtyPanel(session: VmSession): { el: HTMLElement; dispose: () => void } {
  const slotSel = h("select", { "aria-label": "memory slot" });
  const auto = h("input", { type: "checkbox", checked: true });
  const canvas = h("canvas.dirtygrid", { width: 640, height: 200, "data-testid": "dirty-grid" }) as HTMLCanvasElement;
  const status = h("div.dirtystatus");
  const box = h("div.dirtybox", canvas);
  const history = new Map<number, Uint8Array>();

  const slots = () => session.vm?.memory_regions ?? [];
  const fillSlots = () => {
    const current = slotSel.value;
    replace(slotSel, slots().map((r) => h("option", { value: String(r.slot) }, `slot ${r.slot} @ ${r.guest_phys_addr} (${r.memory_size})`)));
    if (current) slotSel.value = current;
  };

  const draw = (slot: number, pages: number, fresh: Uint8Array) => {
    const acc = history.get(slot) ?? new Uint8Array();
    const { columns, rows } = gridShape(pages, pages > 4096 ? 256 : 64);
    const width = box.clientWidth || 640;
    const cell = Math.max(2, Math.min(12, Math.floor(width / columns)));
    canvas.width = columns * cell;
    canvas.height = Math.min(rows * cell, 4000);
    const ctx = canvas.getContext("2d")!;
    ctx.fillStyle = "#161b22";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    for (let p = 0; p < pages; p++) {
      const x = (p % columns) * cell;
      const y = Math.floor(p / columns) * cell;
      if (y >= canvas.height) break;
      ctx.fillStyle = bitSet(fresh, p) ? "#f78166" : bitSet(acc, p) ? "#6e3a2c" : "#21262d";
      ctx.fillRect(x, y, cell - (cell > 3 ? 1 : 0), cell - (cell > 3 ? 1 : 0));
    }
    replace(status, `${pages} pages of 4 KiB · ${countBits(fresh, pages)} dirty since the last read · ${countBits(acc, pages)} ever`);
  };

  const read = async () => {
    const slot = Number(slotSel.value);
    const region = slots().find((r) => r.slot === slot);
    if (!region) return replace(status, notice("This VM has no memory slot.", "info"));
    try {
      const log = await api.dirtyLog(session.id, slot);
      const fresh = base64ToBytes(log.dirty_bitmap ?? "");
      const pages = Number(parseU64(region.memory_size ?? "0") / PAGE);
      history.set(slot, orInto(history.get(slot) ?? new Uint8Array(), fresh));
      draw(slot, pages, fresh);
    } catch (e) {
      auto.checked = false; // one readable message, not one failed request a second
      replace(status, notice(`Dirty log of slot ${slot}: ${errorText(e)}`, "error"));
    }
  };

  const off = session.changed.on(() => {
    if (slotSel.options.length !== slots().length) fillSlots();
  });
  fillSlots();
  const timer = setInterval(() => {
    if (auto.checked && !canvas.closest("[hidden]") && slotSel.value) void read();
  }, 1000);
  if (slots().length === 0) replace(status, notice("This VM has no memory slot.", "info"));
  return {
    el: h(
      "section.dirty",
      h("div.toolbar", slotSel, h("button", { type: "button", on: { click: () => void read() } }, "Read dirty log"), h("label", auto, " every second"), h("span.legend", h("i.fresh"), " new ", h("i.old"), " earlier")),
      status,
      box,
    ),
    dispose: () => (off(), clearInterval(timer)),
  };
}
