// Snapshots: take, list, restore, clone, delete (/vms/{id}/snapshots).
import { api } from "../api/endpoints";
import type { Snapshot } from "../api/types";
import { errorText } from "../lib/problem";
import { tryParseU64 } from "../lib/u64";
import { h, notice, replace, toast } from "./dom";
import type { VmSession } from "./session";

function sizeText(size: unknown): string {
  const n = tryParseU64(size as string | number | undefined);
  if (n === null) return "";
  return n >= 1048576n ? `${(Number(n) / 1048576).toFixed(1)} MiB` : `${(Number(n) / 1024).toFixed(1)} KiB`;
}

export function snapshotsPanel(session: VmSession, openVm: (id: string) => void): HTMLElement {
  const name = h("input", { placeholder: "snapshot name", "aria-label": "snapshot name", value: "" });
  const list = h("div.snaplist", { "data-testid": "snapshots" });
  if (!session.caps.has("snapshots")) {
    return h("section.snapshots", notice(session.caps.missing("snapshots", "Snapshots (take, list, restore, clone)"), "pending"));
  }

  const refresh = async () => {
    try {
      const snaps = await api.listSnapshots(session.id);
      render(snaps);
    } catch (e) {
      replace(list, notice(`Snapshots: ${errorText(e)}`, "error"));
    }
  };
  const guarded = (what: string, fn: () => Promise<unknown>) => async () => {
    try {
      await fn();
      await refresh();
    } catch (e) {
      toast(`${what}: ${errorText(e)}`, "error");
    }
  };
  const render = (snaps: Snapshot[]) => {
    if (snaps.length === 0) return replace(list, notice("No snapshots yet."));
    replace(
      list,
      h(
        "table.snaps",
        h("thead", h("tr", h("th", "name"), h("th", "taken"), h("th", "size"), h("th", ""))),
        h("tbody", snaps.map((s) =>
          h("tr", { dataset: { snapshot: s.id } },
            h("td", s.name ?? s.id),
            h("td", s.created_at ? new Date(s.created_at).toLocaleString() : ""),
            h("td", sizeText(s.size)),
            h("td.actions",
              h("button", { type: "button", on: { click: guarded("restore", async () => { session.vm = await api.restoreSnapshot(session.id, s.id); await session.refreshCpu(); toast(`restored ${s.name ?? s.id}`); }) } }, "Restore"),
              h("button", { type: "button", on: { click: guarded("clone", async () => { const vm = await api.cloneSnapshot(session.id, s.id, `${s.name ?? "snapshot"}-clone`); toast(`cloned into ${vm.name ?? vm.id}`); openVm(vm.id!); }) } }, "Clone"),
              h("button.danger", { type: "button", on: { click: guarded("delete", () => api.deleteSnapshot(session.id, s.id)) } }, "Delete"),
            ),
          ),
        )),
      ),
    );
  };
  const take = guarded("snapshot", async () => {
    const s = await api.takeSnapshot(session.id, name.value.trim() || `snap-${new Date().toISOString().slice(11, 19)}`);
    toast(`snapshot ${s.name ?? s.id} taken`);
    name.value = "";
  });
  void refresh();
  return h("section.snapshots", h("div.toolbar", name, h("button", { type: "button", on: { click: () => void take() } }, "Take snapshot"), h("button", { type: "button", on: { click: () => void refresh() } }, "Refresh")), list);
}
