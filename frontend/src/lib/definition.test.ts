import { describe, expect, it } from "vitest";
import { buildDefinition, LINUX_DEFAULTS, linuxSlotFor, type DefinitionForm } from "./definition";

const base = (over: Partial<DefinitionForm> = {}): DefinitionForm => ({
  name: " vm-1 ",
  memoryMiB: 16,
  vcpus: 1,
  devices: { com1: true, pic: true, pit: true, rtc: true, system_control: false, acpi: false },
  boot: { kind: "none" },
  ...over,
});

describe("buildDefinition", () => {
  it("builds a bare definition without a boot source", () => {
    expect(buildDefinition(base())).toEqual({
      name: "vm-1",
      vcpus: 1,
      memory_regions: [{ slot: 0, flags: 1, guest_phys_addr: "0x0", memory_size: "0x1000000" }],
      devices: { serial: ["com1"], pic: true, pit: true, rtc: true },
    });
  });

  it("omits memory when it is 0 and the name when it is blank", () => {
    const def = buildDefinition(base({ name: "  ", memoryMiB: 0 }));
    expect(def.name).toBeUndefined();
    expect(def.memory_regions).toBeUndefined();
  });

  it("sizes Linux's default memory as 256 MiB", () => {
    expect(buildDefinition(base({ memoryMiB: LINUX_DEFAULTS.memoryMiB })).memory_regions?.[0].memory_size).toBe("0x10000000");
  });

  it("lists devices: no serial when COM1 is off, system control and ACPI only when on", () => {
    const off = buildDefinition(base({ devices: { com1: false, pic: false, pit: false, rtc: false, system_control: false, acpi: false } }));
    expect(off.devices).toEqual({ serial: [], pic: false, pit: false, rtc: false });
    const all = buildDefinition(base({ devices: { com1: true, pic: true, pit: true, rtc: true, system_control: true, acpi: true } }));
    expect(all.devices).toEqual({ serial: ["com1"], pic: true, pit: true, rtc: true, system_control: true, acpi: true });
  });

  it("builds a flat boot source with the load address as entry point", () => {
    const def = buildDefinition(base({ boot: { kind: "flat", image: "img-1", loadAddress: "31744", entry: "real" } }));
    expect(def.boot).toEqual({ kind: "flat", image: "img-1", load_address: "0x7c00", entry: "real", entry_point: "0x7c00" });
  });

  it("has no boot source for a flat boot without an image, or when booting is unavailable", () => {
    expect(buildDefinition(base({ boot: { kind: "flat", image: "", loadAddress: "0x7c00", entry: "real" } })).boot).toBeUndefined();
    expect(buildDefinition(base({ boot: undefined })).boot).toBeUndefined();
  });

  it("rejects a malformed load address", () => {
    expect(() => buildDefinition(base({ boot: { kind: "flat", image: "i", loadAddress: "0xzz", entry: "real" } }))).toThrow();
  });

  it("builds a Linux boot source", () => {
    const def = buildDefinition(base({
      memoryMiB: 256,
      boot: { kind: "linux", kernel: "k1", initrd: "i1", cmdline: ` ${LINUX_DEFAULTS.cmdline} `, linuxEntry: "bzimage64" },
    }));
    expect(def.boot).toEqual({ kind: "linux", kernel: "k1", initrd: "i1", cmdline: LINUX_DEFAULTS.cmdline, linux_entry: "bzimage64" });
  });

  it("leaves out what a Linux form does not set (the service reports a missing kernel)", () => {
    const def = buildDefinition(base({ boot: { kind: "linux", kernel: "", initrd: "", cmdline: " ", linuxEntry: "" } }));
    expect(def.boot).toEqual({ kind: "linux" });
  });

  it("presets the devices Linux needs and the documented command line", () => {
    expect(LINUX_DEFAULTS.devices).toEqual(["com1", "pic", "pit", "rtc", "system_control", "acpi"]);
    expect(LINUX_DEFAULTS.cmdline).toBe("console=ttyS0 pci=off tsc=reliable cryptomgr.notests mitigations=off 8250.nr_uarts=1");
  });
});

describe("linuxSlotFor", () => {
  it("sends initrds and cpio archives to the initrd select, the rest to the kernel", () => {
    expect(linuxSlotFor("initramfs.cpio")).toBe("initrd");
    expect(linuxSlotFor("initrd.img-6.1.0-27-amd64")).toBe("initrd");
    expect(linuxSlotFor("rootfs.CPIO.gz")).toBe("initrd");
    expect(linuxSlotFor("vmlinuz")).toBe("kernel");
    expect(linuxSlotFor("bzImage")).toBe("kernel");
  });
});
