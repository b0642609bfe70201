// Names for the generated OpenAPI types (schema.d.ts, generated from openapi/restvisor.yaml by
// `npm run gen`; never written by hand).
import type { components } from "./schema";

type Schemas = components["schemas"];
type Schema<Name extends keyof Schemas> = Schemas[Name];
/** A schema the document may lack for a while (a refresh of it once dropped these): the contract's shape then. */
type Maybe<Name extends string, Fallback> = Name extends keyof Schemas ? Schemas[Name] : Fallback;

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

// Beyond kvm.h: definitions, images, snapshots, templates, disassembly.
export type Devices = Schemas["DevicesDefinition"];
export type BootSource = Schemas["BootSource"];
export type VmDefinition = VmDefinitionBase;
export type Image = Schemas["ImageView"];
export type Snapshot = Schema<"SnapshotView">;
export type DisasmLine = Maybe<"DisassemblyLine", { address?: string; bytes?: string; text?: string }>;
export type Template = Maybe<"TemplateView", { id?: string; description?: string; definition?: VmDefinitionBase }>;
export type VmAction = "start" | "pause" | "resume" | "reset" | "stop";
