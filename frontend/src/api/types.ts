// Names for the generated OpenAPI types (schema.d.ts, from openapi/restvisor.yaml by
// `npm run gen`). Shapes of endpoints that the committed document does not describe yet are
// taken from the generated schema as soon as it has them (Pick<...> below); until then the
// `Pending*` fallbacks follow API-CONTRACT.md. Delete a fallback once its schema exists.
import type { components } from "./schema";

type Schemas = components["schemas"];
type FromSchema<Name extends string, Fallback> = Name extends keyof Schemas ? Schemas[Name] : Fallback;

export type VmView = Schemas["VmView"];
export type VmDefinitionBase = Schemas["VmDefinition"];
export type VcpuView = Schemas["VcpuView"];
export type KvmRegs = Schemas["KvmRegs"];
export type KvmSregs = Schemas["KvmSregs"];
export type KvmSegment = Schemas["KvmSegment"];
export type KvmMsrs = Schemas["KvmMsrs"];
export type KvmRunRequest = Schemas["KvmRunRequest"];
export type KvmRunResult = Schemas["KvmRunResult"];
export type KvmGuestDebug = Schemas["KvmGuestDebug"];
export type KvmTranslation = Schemas["KvmTranslation"];
export type KvmMemoryRegion = Schemas["KvmMemoryRegion"];
export type DirtyLog = Schemas["DirtyLog"];
export type MsrIndexList = Schemas["MsrIndexList"];

// --- pending in openapi/restvisor.yaml (API-CONTRACT.md "Beyond kvm.h") ---
interface PendingDevices {
  serial?: string[];
  pic?: boolean;
  pit?: boolean;
  rtc?: boolean;
  debug_exit?: { port: number };
  post_codes?: boolean;
}
type PendingBoot =
  | { kind: "flat"; image: string; load_address?: string; entry?: "real" | "protected32"; entry_point?: string }
  | { kind: "linux"; kernel_image: string; initrd_image?: string; cmdline?: string };
interface PendingImage {
  id: string;
  name?: string;
  sha256?: string;
  size?: number | string;
}
interface PendingSnapshot {
  id: string;
  name?: string;
  vm_id?: string;
  parent?: string | null;
  created_at?: string;
  size?: number | string;
}
interface PendingDisasmLine {
  address: string;
  bytes: string;
  text: string;
}
interface PendingTemplate {
  name: string;
  title?: string;
  description?: string;
  definition: VmDefinition;
}

export type Devices = FromSchema<"DevicesDefinition", PendingDevices>;
export type BootSource = FromSchema<"BootSource", PendingBoot>;
/** The definition as the contract has it (devices and boot are in the document now). */
export type VmDefinition = VmDefinitionBase & { devices?: Devices; boot?: BootSource };
export type Image = FromSchema<"ImageView", PendingImage>;
export type Snapshot = FromSchema<"SnapshotView", PendingSnapshot>;
export type DisasmLine = FromSchema<"DisassemblyLine", PendingDisasmLine>;
export type Template = FromSchema<"Template", PendingTemplate>;
export type VmAction = "start" | "pause" | "resume" | "reset" | "stop";
