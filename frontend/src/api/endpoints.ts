// Typed calls, one per operation of openapi/restvisor.yaml (and of the contract's pending ones).
import { http, request } from "./client";
import type {
  DirtyLog, DisasmLine, Image, KvmGuestDebug, KvmMemoryRegion, KvmMsrs, KvmRegs, KvmRunRequest, KvmRunResult,
  KvmSregs, KvmTranslation, MsrIndexList, Snapshot, Template, VmAction, VmDefinition, VmView,
} from "./types";

const vm = (id: string) => `/vms/${encodeURIComponent(id)}`;
const vcpu = (id: string, n: number) => `${vm(id)}/vcpus/${n}`;

export const api = {
  listVms: () => http.get<VmView[]>("/vms"),
  getVm: (id: string) => http.get<VmView>(vm(id)),
  createVm: (def: VmDefinition) => http.post<VmView>("/vms", def),
  deleteVm: (id: string) => http.del<void>(vm(id)),
  action: (id: string, action: VmAction) => http.post<VmView>(`${vm(id)}/actions`, { action }),
  msrIndexList: () => http.get<MsrIndexList>("/msr-index-list"),

  memoryRegions: (id: string) => http.get<KvmMemoryRegion[]>(`${vm(id)}/memory-regions`),
  readMemory: (id: string, address: string, length: number) =>
    http.get<Uint8Array>(`${vm(id)}/memory`, { query: { address, length }, accept: "bytes" }),
  writeMemory: (id: string, address: string, bytes: Uint8Array) =>
    request<void>("PUT", `${vm(id)}/memory`, { query: { address }, raw: bytes as unknown as BodyInit }),
  dirtyLog: (id: string, slot: number) => http.post<DirtyLog>(`${vm(id)}/dirty-log`, { slot }),

  createVcpu: (id: string, n: number) => http.put<unknown>(vcpu(id, n)),
  getRegs: (id: string, n: number) => http.get<KvmRegs>(`${vcpu(id, n)}/regs`),
  setRegs: (id: string, n: number, regs: KvmRegs) => http.put<KvmRegs>(`${vcpu(id, n)}/regs`, regs),
  getSregs: (id: string, n: number) => http.get<KvmSregs>(`${vcpu(id, n)}/sregs`),
  setSregs: (id: string, n: number, sregs: KvmSregs) => http.put<KvmSregs>(`${vcpu(id, n)}/sregs`, sregs),
  getMsrs: (id: string, n: number, indices: number[]) =>
    http.get<KvmMsrs>(`${vcpu(id, n)}/msrs`, { query: { index: indices.map((i) => "0x" + i.toString(16)) } }),
  setMsrs: (id: string, n: number, entries: { index: number; data: string }[]) =>
    http.put<KvmMsrs>(`${vcpu(id, n)}/msrs`, { entries }),
  run: (id: string, n: number, body: KvmRunRequest = {}) => http.post<KvmRunResult>(`${vcpu(id, n)}/run`, body),
  translate: (id: string, n: number, linear: string) =>
    http.post<KvmTranslation>(`${vcpu(id, n)}/translate`, { linear_address: linear }),
  getDebug: (id: string, n: number) => http.get<KvmGuestDebug>(`${vcpu(id, n)}/debug`),
  setDebug: (id: string, n: number, body: KvmGuestDebug) => http.put<KvmGuestDebug>(`${vcpu(id, n)}/debug`, body),
  disassembly: (id: string, n: number, address: string, count: number) =>
    http.get<DisasmLine[]>(`${vcpu(id, n)}/disassembly`, { query: { address, count } }),

  listImages: () => http.get<Image[]>("/images"),
  uploadImage: (name: string, bytes: BodyInit) => request<Image>("POST", "/images", { query: { name }, raw: bytes }),
  listTemplates: () => http.get<Template[]>("/templates"),

  listSnapshots: (id: string) => http.get<Snapshot[]>(`${vm(id)}/snapshots`),
  takeSnapshot: (id: string, name: string) => http.post<Snapshot>(`${vm(id)}/snapshots`, { name }),
  restoreSnapshot: (id: string, sid: string) => http.post<VmView>(`${vm(id)}/snapshots/${encodeURIComponent(sid)}/restore`),
  cloneSnapshot: (id: string, sid: string, name: string) =>
    http.post<VmView>(`${vm(id)}/snapshots/${encodeURIComponent(sid)}/clone`, { name }),
  deleteSnapshot: (id: string, sid: string) => http.del<void>(`${vm(id)}/snapshots/${encodeURIComponent(sid)}`),
};
