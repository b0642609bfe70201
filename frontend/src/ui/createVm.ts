// The create dialog: from a template, or from a definition form (memory, vcpus, devices, boot
// source: none, a flat image or Linux), with the resulting JSON shown and editable before it is sent.
import { api } from "../api/endpoints";
import type { Capabilities } from "../api/capabilities";
import type { VmDefinition, VmView } from "../api/types";
import { buildDefinition, DEVICE_NAMES, LINUX_DEFAULTS, linuxSlotFor, type BootForm, type DeviceName, type LinuxEntry } from "../lib/definition";
import { errorText } from "../lib/problem";
import { h, notice, replace } from "./dom";
import { loadTemplates, type TemplateItem } from "./templates";

export function createDialog(caps: Capabilities, created: (vm: VmView) => void): HTMLDialogElement {
  const dlg = h("dialog.create", { "aria-label": "Create VM" }) as HTMLDialogElement;
  const tplBox = h("div.templates", notice("Loading templates…"));
  const err = h("div.err");
  const name = h("input", { name: "name", value: "vm-" + Math.random().toString(36).slice(2, 6), "aria-label": "name" });
  const mem = h("input", { name: "memory", value: "16", type: "number", min: "0", "aria-label": "memory MiB" });
  const vcpus = h("input", { name: "vcpus", value: "1", type: "number", min: "0", max: "64", "aria-label": "vcpus" });
  const dev = (n: DeviceName, label: string, on = true) => h("label.chip", h("input", { type: "checkbox", name: n, checked: on }), label);
  const devices = h("fieldset", h("legend", "devices"), dev("com1", "COM1"), dev("pic", "PIC"), dev("pit", "PIT"), dev("rtc", "RTC"),
    dev("system_control", "system control", false), dev("acpi", "ACPI", false));
  const devBox = (n: DeviceName) => devices.querySelector(`input[name=${n}]`) as HTMLInputElement;
  const bootKind = h("select", { name: "boot_kind", "aria-label": "boot kind" },
    h("option", { value: "none" }, "no boot source"), h("option", { value: "flat" }, "flat image"), h("option", { value: "linux" }, "Linux"));
  const imageSel = h("select", { name: "image", "aria-label": "boot image" }, h("option", { value: "" }, "no boot image"));
  const kernelSel = h("select", { name: "kernel", "aria-label": "kernel image" }, h("option", { value: "" }, "choose a kernel"));
  const initrdSel = h("select", { name: "initrd", "aria-label": "initrd image" }, h("option", { value: "" }, "no initrd"));
  const upload = h("input", { type: "file", "aria-label": "upload image" });
  const loadAddr = h("input", { name: "load_address", value: "0x7c00", "aria-label": "load address" });
  const entry = h("select", { name: "entry" }, h("option", { value: "real" }, "real mode"), h("option", { value: "protected32" }, "protected32"));
  const cmdline = h("input.cmdline", { name: "cmdline", value: LINUX_DEFAULTS.cmdline, "aria-label": "kernel command line" });
  const linuxEntry = h("select", { name: "linux_entry", "aria-label": "linux entry" }, h("option", { value: "" }, "entry: default"),
    (["vmlinux64", "bzimage64", "bzimage32"] as const).map((v) => h("option", { value: v }, v)));
  const json = h("textarea.defjson", { rows: 10, spellcheck: false, "aria-label": "definition JSON" });

  const bootForm = (): BootForm => {
    if (bootKind.value === "flat") return { kind: "flat", image: imageSel.value, loadAddress: loadAddr.value, entry: entry.value as "real" | "protected32" };
    if (bootKind.value === "linux") return { kind: "linux", kernel: kernelSel.value, initrd: initrdSel.value, cmdline: cmdline.value, linuxEntry: linuxEntry.value as LinuxEntry | "" };
    return { kind: "none" };
  };
  const fromForm = (): VmDefinition => buildDefinition({
    name: name.value,
    memoryMiB: Number(mem.value),
    vcpus: Number(vcpus.value),
    devices: Object.fromEntries(DEVICE_NAMES.map((n) => [n, devBox(n).checked])) as Record<DeviceName, boolean>,
    boot: caps.has("images") ? bootForm() : undefined,
  });
  const sync = () => {
    try {
      json.value = JSON.stringify(fromForm(), null, 2);
      replace(err);
    } catch (e) {
      replace(err, notice(errorText(e), "error"));
    }
  };
  const flatRow = h("div.row", h("label", "boot image ", imageSel), h("label", "load/entry ", loadAddr), entry);
  const linuxRow = h("div.linux",
    h("div.row", h("label", "kernel ", kernelSel), h("label", "initrd ", initrdSel), linuxEntry),
    h("div.row", h("label.wide", "command line ", cmdline)),
    h("p.hint", "Linux (Debian kernel + initramfs): the kernel (vmlinuz) and the initramfs are uploaded images; upload them here and pick them above. README \"Booting Linux\" explains how to fetch and build them."));
  const showBoot = () => {
    flatRow.hidden = bootKind.value !== "flat";
    linuxRow.hidden = bootKind.value !== "linux";
  };
  bootKind.addEventListener("change", () => {
    if (bootKind.value === "linux") {
      for (const n of LINUX_DEFAULTS.devices) devBox(n).checked = true;
      mem.value = String(LINUX_DEFAULTS.memoryMiB);
    }
    showBoot();
  });
  for (const el of [name, mem, vcpus, devices, imageSel, kernelSel, initrdSel, loadAddr, entry, cmdline, linuxEntry]) el.addEventListener("input", sync);
  for (const el of [devices, bootKind, imageSel, kernelSel, initrdSel, entry, linuxEntry]) el.addEventListener("change", sync);

  const submit = async (def: VmDefinition) => {
    try {
      const vm = await api.createVm(def);
      dlg.close();
      created(vm);
    } catch (e) {
      replace(err, notice(`Create failed: ${errorText(e)}`, "error"));
    }
  };
  const useTemplate = (t: TemplateItem) => {
    const def = { ...t.definition, name: t.definition.name ?? `${t.id}-${Math.random().toString(36).slice(2, 5)}` };
    void submit(def);
  };

  const refreshImages = async () => {
    if (!caps.has("images")) return;
    try {
      const imgs = await api.listImages();
      for (const sel of [imageSel, kernelSel, initrdSel]) {
        const keep = sel.value;
        replace(sel, sel.options[0], imgs.map((i) => h("option", { value: i.id ?? "" }, `${i.name ?? i.id} (${i.size ?? "?"} bytes)`)));
        sel.value = keep;
      }
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
      if (bootKind.value !== "linux") {
        bootKind.value = "flat";
        showBoot();
        imageSel.value = img.id ?? "";
      } else {
        (linuxSlotFor(f.name) === "initrd" ? initrdSel : kernelSel).value = img.id ?? "";
      }
      sync();
    } catch (e) {
      replace(err, notice(`Upload failed: ${errorText(e)}`, "error"));
    }
  });

  const bootRow = caps.has("images")
    ? h("div.boot", h("div.row", h("label", "boot ", bootKind), h("label", "upload image ", upload)), flatRow, linuxRow)
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
  showBoot();
  sync();
  void refreshImages();
  void loadTemplates(caps).then(({ templates, demoNote }) =>
    replace(tplBox,
      demoNote ? notice(demoNote, "pending") : null,
      h("div.tplgrid", templates.map((t) =>
        h("button.tpl", { type: "button", dataset: { template: t.id }, on: { click: () => useTemplate(t) } },
          h("strong", t.title), h("span", t.description)),
      )),
    ),
  );
  return dlg;
}
