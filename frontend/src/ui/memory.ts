// The memory hex viewer: by physical address, or by linear address through KVM_TRANSLATE;
// click a byte to edit it (PUT memory).
import { api } from "../api/endpoints";
import { hexRows, parseHexBytes } from "../lib/hex";
import { errorText } from "../lib/problem";
import { padHex, parseU64, toHex } from "../lib/u64";
import { h, notice, replace, toast } from "./dom";
import type { VmSession } from "./session";

const LENGTH = 256;

export function memoryPanel(session: VmSession): HTMLElement {
  const address = h("input.addr", { value: "0x0", "aria-label": "memory address", spellcheck: false });
  const mode = h("select", { "aria-label": "address kind" }, h("option", { value: "physical" }, "physical"), h("option", { value: "linear" }, "linear"));
  const out = h("div.hexview", { "data-testid": "hexview" });
  const status = h("div.memstatus");
  let physBase: bigint | null = null;

  const resolve = async (): Promise<{ phys: bigint; shown: bigint }> => {
    const a = parseU64(address.value);
    if (mode.value === "physical") return { phys: a, shown: a };
    if (!session.hasVcpu) throw new Error("linear addresses need a vcpu (translate)");
    const t = await session.exclusive(() => api.translate(session.id, session.vcpu, toHex(a)));
    if (!t.valid) throw new Error(`linear ${toHex(a)} is not mapped (translate: valid=0)`);
    replace(status, `linear ${toHex(a)} → physical ${t.physical_address} · writeable=${t.writeable} usermode=${t.usermode}`);
    return { phys: parseU64(t.physical_address!), shown: a };
  };

  const read = async () => {
    try {
      replace(status);
      const { phys, shown } = await resolve();
      const bytes = await api.readMemory(session.id, toHex(phys), LENGTH);
      physBase = phys;
      render(shown, bytes);
    } catch (e) {
      physBase = null;
      replace(out, notice(`Memory at ${address.value}: ${errorText(e)}`, "error"));
    }
  };

  const render = (shown: bigint, bytes: Uint8Array) => {
    const rows = hexRows(shown, bytes);
    replace(
      out,
      h(
        "table.hex",
        h("tbody", rows.map((r, ri) =>
          h("tr",
            h("th", padHex(r.address, 8)),
            r.hex.map((b, i) => h("td.byte", { dataset: { offset: String(ri * 16 + i) }, tabIndex: 0, title: "click to edit" }, b)),
            h("td.ascii", r.ascii),
          ),
        )),
      ),
    );
  };

  out.addEventListener("click", (e) => {
    const cell = (e.target as HTMLElement).closest("td.byte") as HTMLElement | null;
    if (!cell || cell.querySelector("input") || physBase === null) return;
    const offset = Number(cell.dataset.offset);
    const old = cell.textContent ?? "";
    const input = h("input.byteedit", { value: old, "aria-label": `byte at offset ${offset}`, maxLength: 64, spellcheck: false });
    cell.replaceChildren(input);
    input.focus();
    input.select();
    const commit = async () => {
      try {
        const bytes = parseHexBytes(input.value);
        if (bytes.length === 0) throw new Error("no bytes");
        await api.writeMemory(session.id, toHex(physBase! + BigInt(offset)), bytes);
        await read();
        session.changed.emit();
      } catch (err) {
        toast(`write: ${errorText(err)}`, "error");
        cell.textContent = old;
      }
    };
    input.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter") void commit();
      if (ev.key === "Escape") cell.textContent = old;
    });
  });

  address.addEventListener("keydown", (e) => e.key === "Enter" && void read());
  const atRip = () => {
    const rip = session.ripLinear();
    if (rip === null) return;
    address.value = toHex(rip);
    mode.value = "linear";
    void read();
  };
  replace(out, notice("Enter an address and press Read. Click a byte to edit (several bytes: \"90 90 cc\")."));
  return h(
    "section.memory",
    h("div.toolbar", address, mode, h("button", { type: "button", on: { click: () => void read() } }, "Read"), h("button", { type: "button", on: { click: atRip } }, "At RIP")),
    status,
    out,
  );
}
