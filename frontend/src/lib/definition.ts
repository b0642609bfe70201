// The VM definition the create dialog's form describes (pure: no DOM, unit-tested).
import type { BootSource, Devices, VmDefinition } from "../api/types";
import { parseU64, toHex } from "./u64";

export const DEVICE_NAMES = ["com1", "pic", "pit", "rtc", "system_control", "acpi"] as const;
export type DeviceName = (typeof DEVICE_NAMES)[number];
export type LinuxEntry = NonNullable<BootSource["linux_entry"]>;

export type BootForm =
  | { kind: "none" }
  | { kind: "flat"; image: string; loadAddress: string; entry: "real" | "protected32" }
  | { kind: "linux"; kernel: string; initrd: string; cmdline: string; linuxEntry: LinuxEntry | "" };

export interface DefinitionForm {
  name: string;
  memoryMiB: number;
  vcpus: number;
  devices: Record<DeviceName, boolean>;
  /** Absent when the service cannot boot images (then no boot source and no devices beyond these). */
  boot?: BootForm;
}

/** What choosing Linux presets: the devices the kernel needs (system control for `reboot`, ACPI for `poweroff`). */
export const LINUX_DEFAULTS = {
  cmdline: "console=ttyS0 pci=off tsc=reliable cryptomgr.notests mitigations=off 8250.nr_uarts=1",
  memoryMiB: 256,
  devices: ["com1", "pic", "pit", "rtc", "system_control", "acpi"] as DeviceName[],
};

/** The definition: one memory region at 0 (when memory > 0), the devices, the boot source if one is chosen. */
export function buildDefinition(f: DefinitionForm): VmDefinition {
  const def: VmDefinition = { name: f.name.trim() || undefined, vcpus: f.vcpus };
  if (f.memoryMiB > 0) {
    def.memory_regions = [{ slot: 0, flags: 1, guest_phys_addr: "0x0", memory_size: toHex(BigInt(Math.floor(f.memoryMiB)) * 1048576n) }];
  }
  const d = f.devices;
  const devices: Devices = { serial: d.com1 ? ["com1"] : [], pic: d.pic, pit: d.pit, rtc: d.rtc };
  if (d.system_control) devices.system_control = true;
  if (d.acpi) devices.acpi = true;
  def.devices = devices;
  const boot = f.boot ? bootSource(f.boot) : undefined;
  if (boot) def.boot = boot;
  return def;
}

/** The boot source of the form; none for "none" and for a flat boot without an image. */
export function bootSource(b: BootForm): BootSource | undefined {
  switch (b.kind) {
    case "none":
      return undefined;
    case "flat": {
      if (!b.image) return undefined;
      const at = toHex(parseU64(b.loadAddress));
      return { kind: "flat", image: b.image, load_address: at, entry: b.entry, entry_point: at };
    }
    case "linux": {
      // Without a kernel the service answers with a problem naming boot.kernel; the preview still shows the rest.
      const s: BootSource = { kind: "linux" };
      if (b.kernel) s.kernel = b.kernel;
      if (b.initrd) s.initrd = b.initrd;
      if (b.cmdline.trim()) s.cmdline = b.cmdline.trim();
      if (b.linuxEntry) s.linux_entry = b.linuxEntry;
      return s;
    }
  }
}

/** Which Linux select a freshly uploaded image goes to: initrds and cpio archives to initrd, the rest to kernel. */
export function linuxSlotFor(fileName: string): "kernel" | "initrd" {
  return /initr|cpio/i.test(fileName) ? "initrd" : "kernel";
}
