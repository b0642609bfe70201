// VM templates for the create dialog. The service's own templates (GET /templates, e.g. the
// built-in demo guest) come first when it has them; the console adds a few bare definitions.
// Hook for the demo guest: a service template named "demo", or else an uploaded image whose
// name starts with "demo" is booted flat in real mode with COM1, PIC, PIT and RTC.
import { api } from "../api/endpoints";
import type { Capabilities } from "../api/capabilities";
import type { Template, VmDefinition } from "../api/types";

const MiB = (n: number) => "0x" + (n * 1024 * 1024).toString(16);

export const builtInTemplates: Template[] = [
  {
    name: "real-mode",
    title: "Real mode, 1 MiB, 1 vcpu, COM1",
    description: "One memory slot at 0 (dirty logging on), one vcpu, COM1; load code with the memory editor and step it.",
    definition: { memory_regions: [{ slot: 0, flags: 1, guest_phys_addr: "0x0", memory_size: MiB(1) }], vcpus: 1, devices: { serial: ["com1"] } },
  },
  {
    name: "pc-small",
    title: "Small PC, 16 MiB, COM1 + PIC/PIT/RTC",
    description: "A 16 MiB machine with the built-in legacy devices; add a boot image to run something.",
    definition: {
      memory_regions: [{ slot: 0, flags: 1, guest_phys_addr: "0x0", memory_size: MiB(16) }],
      vcpus: 1,
      devices: { serial: ["com1"], pic: true, pit: true, rtc: true },
    },
  },
  { name: "bare", title: "Bare VM", description: "KVM_CREATE_VM alone: no memory, no vcpu.", definition: {} },
];

/** A demo definition for a flat image (the hook for the demo guest shipped as an image). */
export function demoFromImage(imageId: string): VmDefinition {
  return {
    name: "demo",
    memory_regions: [{ slot: 0, flags: 1, guest_phys_addr: "0x0", memory_size: MiB(16) }],
    vcpus: 1,
    devices: { serial: ["com1"], pic: true, pit: true, rtc: true },
    boot: { kind: "flat", image: imageId, load_address: "0x7c00", entry: "real", entry_point: "0x7c00" },
  };
}

export interface TemplateList {
  templates: Template[];
  demoNote: string | null; // why there is no demo template, when there is none
}

export async function loadTemplates(caps: Capabilities): Promise<TemplateList> {
  const out: Template[] = [];
  let demoNote: string | null = null;
  if (caps.has("templates")) {
    try {
      out.push(...(await api.listTemplates()));
    } catch (e) {
      demoNote = `GET /templates failed: ${(e as Error).message}`;
    }
  }
  if (!out.some((t) => t.name === "demo") && caps.has("images")) {
    try {
      const img = (await api.listImages()).find((i) => (i.name ?? "").toLowerCase().startsWith("demo"));
      if (img) out.push({ name: "demo", title: "Demo guest (interactive, COM1)", description: `Boots image ${img.name}`, definition: demoFromImage(img.id) });
    } catch {
      /* keep going with the built-ins */
    }
  }
  if (!out.some((t) => t.name === "demo")) {
    demoNote ??= "The demo guest is not available from this service yet (it comes as GET /templates or an image named demo*).";
  }
  return { templates: [...out, ...builtInTemplates], demoNote };
}
