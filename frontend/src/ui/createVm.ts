// The create dialog: from a template, or from a definition form (memory, vcpus, devices,
// boot image), with the resulting JSON shown and editable before it is sent.
import { api } from "../api/endpoints";
import type { Capabilities } from "../api/capabilities";
import type { Template, VmDefinition, VmView } from "../api/types";
import { errorText } from "../lib/problem";
import { parseU64, toHex } from "../lib/u64";
import { h, notice, replace } from "./dom";
import { loadTemplates } from "./templates";

export function createDialog(caps: Capabilities, created: (vm: VmView) => void): HTMLDialogElement {
  const dlg = h("dialog.create", { "aria-label": "Create VM" }) as HTMLDialogElement;
  const tplBox = h("div.templates", notice("Loading templates…"));
  const err = h("div.err");
  const name = h("input", { name: "name", value: "vm-" + Math.random().toString(36).slice(2, 6), "aria-label": "name" });
  const mem = h("input", { name: "memory", value: "16", type: "number", min: "0", "aria-label": "memory MiB" });
  const vcpus = h("input", { name: "vcpus", value: "1", type: "number", min: "0", max: "64", "aria-label": "vcpus" });
  const dev = (n: string, label: string, on = true) => h("label.chip", h("input", { type: "checkbox", name: n, checked: on }), label);
  const devices = h("fieldset", h("legend", "devices"), dev("com1", "COM1"), dev("pic", "PIC"), dev("pit", "PIT"), dev("rtc", "RTC"));
  const imageSel = h("select", { name: "image", "aria-label": "boot image" }, h("option", { value: "" }, "no boot image"));
  const upload = h("input", { type: "file", "aria-label": "upload image" });
  const loadAddr = h("input", { name: "load_address", value: "0x7c00", "aria-label": "load address" });
  const entry = h("select", { name: "entry" }, h("option", { value: "real" }, "real mode"), h("option", { value: "protected32" }, "protected32"));
  const json = h("textarea.defjson", { rows: 10, spellcheck: false, "aria-label": "definition JSON" });

  const fromForm = (): VmDefinition => {
    const checked = (n: string) => (devices.querySelector(`input[name=${n}]`) as HTMLInputElement).checked;
    const mib = Number(mem.value);
    const def: VmDefinition = { name: name.value.trim() || undefined, vcpus: Number(vcpus.value) };
    if (mib > 0) def.memory_regions = [{ slot: 0, flags: 1, guest_phys_addr: "0x0", memory_size: toHex(BigInt(mib) * 1048576n) }];
    def.devices = { serial: checked("com1") ? ["com1"] : [], pic: checked("pic"), pit: checked("pit"), rtc: checked("rtc") };
    if (caps.has("images")) {
      if (imageSel.value) {
        const at = toHex(parseU64(loadAddr.value));
        def.boot = { kind: "flat", image: imageSel.value, load_address: at, entry: entry.value as "real" | "protected32", entry_point: at };
      }
    }
    return def;
  };
  const sync = () => {
    try {
      json.value = JSON.stringify(fromForm(), null, 2);
      replace(err);
    } catch (e) {
      replace(err, notice(errorText(e), "error"));
    }
  };
  for (const el of [name, mem, vcpus, devices, imageSel, loadAddr, entry]) el.addEventListener("input", sync);
  for (const el of [devices, imageSel, entry]) el.addEventListener("change", sync);

  const submit = async (def: VmDefinition) => {
    try {
      const vm = await api.createVm(def);
      dlg.close();
      created(vm);
    } catch (e) {
      replace(err, notice(`Create failed: ${errorText(e)}`, "error"));
    }
  };
  const useTemplate = (t: Template) => {
    const def = { ...t.definition, name: t.definition.name ?? `${t.name}-${Math.random().toString(36).slice(2, 5)}` };
    void submit(def);
  };

  const refreshImages = async () => {
    if (!caps.has("images")) return;
    try {
      const imgs = await api.listImages();
      replace(imageSel, h("option", { value: "" }, "no boot image"), imgs.map((i) => h("option", { value: i.id }, `${i.name ?? i.id} (${i.size ?? "?"} bytes)`)));
    } catch (e) {
      replace(err, notice(`Images: ${errorText(e)}`, "error"));
    }
  };
  upload.addEventListener("change", async () => {
    const f = upload.files?.[0];
    if (!f) return;
    try {
      const img = await api.uploadImage(f.name, f);
      await refreshImages();
      imageSel.value = img.id;
      sync();
    } catch (e) {
      replace(err, notice(`Upload failed: ${errorText(e)}`, "error"));
    }
  });

  const bootRow = caps.has("images")
    ? h("div.row", h("label", "boot image ", imageSel), h("label", "or upload ", upload), h("label", "load/entry ", loadAddr), entry)
    : notice(caps.missing("images", "Booting an image (and choosing devices)"), "pending");

  dlg.append(
    h("form", { method: "dialog", on: { submit: (e: Event) => e.preventDefault() } },
      h("header", h("h2", "Create a VM"), h("button.close", { type: "button", "aria-label": "close", on: { click: () => dlg.close() } }, "×")),
      h("h3", "From a template"),
      tplBox,
      h("h3", "From a definition"),
      h("div.row", h("label", "name ", name), h("label", "memory MiB ", mem), h("label", "vcpus ", vcpus)),
      devices,
      bootRow,
      h("details", h("summary", "definition JSON (edit before creating)"), json),
      err,
      h("div.buttons",
        h("button.primary", { type: "button", "data-testid": "create-submit", on: { click: () => {
          try {
            void submit(JSON.parse(json.value) as VmDefinition);
          } catch (e) {
            replace(err, notice(`definition JSON: ${errorText(e)}`, "error"));
          }
        } } }, "Create"),
        h("button", { type: "button", on: { click: () => dlg.close() } }, "Cancel"),
      ),
    ),
  );
  sync();
  void refreshImages();
  void loadTemplates(caps).then(({ templates, demoNote }) =>
    replace(tplBox,
      demoNote ? notice(demoNote, "pending") : null,
      h("div.tplgrid", templates.map((t) =>
        h("button.tpl", { type: "button", dataset: { template: t.name }, on: { click: () => useTemplate(t) } },
          h("strong", t.title ?? t.name), h("span", t.description ?? "")),
      )),
    ),
  );
  return dlg;
}
