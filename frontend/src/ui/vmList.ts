// The VM list: state, memory, vcpus and MIPS, with the lifecycle actions and delete.
import { api } from "../api/endpoints";
import type { Capabilities } from "../api/capabilities";
import type { VmAction, VmView } from "../api/types";
import { errorText } from "../lib/problem";
import { ratePerSecond, type Sample } from "../lib/rate";
import { tryParseU64 } from "../lib/u64";
import { createDialog } from "./createVm";
import { h, notice, replace, toast } from "./dom";

function memoryOf(vm: VmView): string {
  const bytes = tryParseU64(vm.counters?.memory_bytes) ?? (vm.memory_regions ?? []).reduce((s, r) => s + (tryParseU64(r.memory_size) ?? 0n), 0n);
  return bytes >= 1048576n ? `${Number(bytes / 1048576n)} MiB` : `${Number(bytes / 1024n)} KiB`;
}

export function vmList(caps: Capabilities, nav: (hash: string) => void): { el: HTMLElement; dispose: () => void } {
  const body = h("div.vmtable", notice("Loading VMs…"));
  const samples = new Map<string, Sample>();
  const mips = new Map<string, number>();

  const act = async (vm: VmView, a: VmAction) => {
    try {
      await api.action(vm.id!, a);
      await refresh();
    } catch (e) {
      toast(`${a} ${vm.name ?? vm.id}: ${errorText(e)}`, "error");
    }
  };
  const del = async (vm: VmView) => {
    if (!confirm(`Delete VM ${vm.name ?? vm.id}?`)) return;
    try {
      await api.deleteVm(vm.id!);
      await refresh();
    } catch (e) {
      toast(`delete: ${errorText(e)}`, "error");
    }
  };

  const render = (vms: VmView[]) => {
    if (vms.length === 0) return replace(body, notice("No VMs yet. Create one from a template or a definition."));
    const b = (label: string, on: () => void, disabled = false) => h("button", { type: "button", disabled, on: { click: on }, dataset: { action: label.toLowerCase() } }, label);
    replace(
      body,
      h("table.vms",
        h("thead", h("tr", ["name", "state", "memory", "vcpus", "MIPS", ""].map((c) => h("th", c)))),
        h("tbody", vms.map((vm) => {
          const s = vm.state ?? "";
          return h("tr", { dataset: { vm: vm.id!, name: vm.name ?? "" } },
            h("td", h("a", { href: `#/vms/${vm.id}` }, vm.name || vm.id)),
            h("td", h("span.state." + s, s)),
            h("td", memoryOf(vm)),
            h("td", String(vm.vcpus?.length ?? 0)),
            h("td.num", mips.has(vm.id!) ? (mips.get(vm.id!)! / 1e6).toFixed(2) : "-"),
            h("td.actions",
              caps.has("actions")
                ? [
                    b("Start", () => void act(vm, "start"), s === "running" || s === "paused"),
                    b("Pause", () => void act(vm, "pause"), s !== "running"),
                    b("Resume", () => void act(vm, "resume"), s !== "paused"),
                    b("Reset", () => void act(vm, "reset")),
                    b("Stop", () => void act(vm, "stop"), s === "stopped" || s === "created"),
                  ]
                : h("span.pending", { title: caps.missing("actions", "Lifecycle actions") }, "actions pending"),
              b("Open", () => nav(`#/vms/${vm.id}`)),
              h("button.danger", { type: "button", dataset: { action: "delete" }, on: { click: () => void del(vm) } }, "Delete"),
            ),
          );
        })),
      ),
    );
  };

  const refresh = async () => {
    try {
      const vms = await api.listVms();
      const now = performance.now();
      for (const vm of vms) {
        if (!vm.id) continue;
        const direct = vm.counters?.instructions_per_second;
        if (typeof direct === "number") {
          mips.set(vm.id, vm.state === "running" ? direct : 0);
          continue;
        }
        const v = tryParseU64(vm.counters?.instructions_retired);
        if (v === null) continue;
        const prev = samples.get(vm.id);
        const s = { t: now, value: v };
        if (prev) mips.set(vm.id, ratePerSecond(prev, s));
        samples.set(vm.id, s);
      }
      render(vms);
    } catch (e) {
      replace(body, notice(`VMs: ${errorText(e)}`, "error"));
    }
  };

  const openCreate = () => {
    const dlg = createDialog(caps, (vm) => {
      dlg.remove();
      toast(`created ${vm.name ?? vm.id}`);
      nav(`#/vms/${vm.id}`);
    });
    dlg.addEventListener("close", () => dlg.remove());
    document.body.appendChild(dlg);
    dlg.showModal();
  };

  void refresh();
  const timer = setInterval(() => void refresh(), 1000);
  const el = h("section.vmlist", h("div.listbar", h("h1", "Virtual machines"), h("button.primary", { type: "button", "data-testid": "create-vm", on: { click: openCreate } }, "Create VM…")), body);
  return { el, dispose: () => clearInterval(timer) };
}
