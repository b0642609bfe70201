// The state of one open VM and the debugger operations on it. Panels read from it and
// listen for `changed`; only this module decides how run/pause/step map onto the API.
import { api } from "../api/endpoints";
import type { Capabilities } from "../api/capabilities";
import type { KvmRegs, KvmRunResult, KvmSregs, VmView } from "../api/types";
import { debugBody, stepOverTarget, type DisasmLine } from "../lib/debugger";
import type { VmEvent } from "../lib/eventFilter";
import { ApiError, errorText } from "../lib/problem";
import { ReconnectingSocket, wsUrl } from "../lib/socket";
import { parseU64, toHex } from "../lib/u64";
import { Emitter } from "./emitter";
import { toast } from "./dom";

export type Activity = "idle" | "running" | "stepping";

const COM1 = 0x3f8;

export class VmSession {
  vm: VmView | null = null;
  regs: KvmRegs | null = null;
  prevRegs: KvmRegs | null = null;
  sregs: KvmSregs | null = null;
  prevSregs: KvmSregs | null = null;
  breakpoints: bigint[] = [];
  activity: Activity = "idle";
  lastExit: KvmRunResult | null = null;
  disasmAtRip: DisasmLine | undefined;
  readonly vcpu = 0;
  error: string | null = null;
  /** The last VM read could not reach the service (it restarts, or the network is down); polling goes on. */
  offline = false;

  /** Anything changed: panels re-render what they show. */
  readonly changed = new Emitter<void>();
  /** Bytes a guest wrote to COM1 when the console drives the vcpu through KVM_RUN (no console stream). */
  readonly serialOut = new Emitter<Uint8Array>();
  /** Events made in the browser (exits of KVM_RUN) for the event log when there is no event stream. */
  readonly localEvents = new Emitter<VmEvent>();
  /** Events of the /vms/{id}/events stream (reconnecting; resumes after the last seq seen). */
  readonly events = new Emitter<VmEvent>();
  readonly eventState = new Emitter<string>();
  /** The last debug event (breakpoint or step) the service reported while it drove the VM. */
  lastDebugPc: string | null = null;
  private eventSocket: ReconnectingSocket | null = null;
  private lastSeq = -1;
  private localSeq = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private vmVersion = 0;
  private stopLoop = false;

  constructor(readonly id: string, readonly caps: Capabilities) {}

  start(): void {
    if (!this.caps.has("events")) return;
    this.eventSocket = new ReconnectingSocket({
      url: () => wsUrl(`/vms/${encodeURIComponent(this.id)}/events${this.lastSeq >= 0 ? `?after=${this.lastSeq}` : ""}`),
      onMessage: (data) => {
        let e: VmEvent;
        try {
          e = JSON.parse(String(data)) as VmEvent;
        } catch {
          return;
        }
        if (typeof e.seq === "number") this.lastSeq = Math.max(this.lastSeq, e.seq);
        this.events.emit(e);
        this.onServiceEvent(e);
      },
      onState: (s, detail) => this.eventState.emit(s === "open" ? "live" : detail ?? s),
    }).start();
  }

  dispose(): void {
    this.eventSocket?.stop();
    this.stopLoop = true;
  }

  private onServiceEvent(e: VmEvent): void {
    if (e.type === "debug" && typeof e["pc"] === "string") {
      this.lastDebugPc = e["pc"] as string;
      this.changed.emit();
    }
    if (e.type === "lifecycle") void this.refreshVm();
  }

  /** Registers can be read: not while the service runs the vcpus (the API answers 409 then). */
  get cpuReadable(): boolean {
    return this.hasVcpu && !(this.serviceDriven && this.state === "running");
  }

  /** The service drives the run loop (actions exist); otherwise the console runs the vcpu with KVM_RUN. */
  get serviceDriven(): boolean {
    return this.caps.has("actions");
  }

  get state(): string {
    return this.vm?.state ?? "unknown";
  }

  /** Registers are editable when nothing runs the vcpu. */
  get editable(): boolean {
    if (this.activity !== "idle") return false;
    return !this.serviceDriven || this.state !== "running";
  }

  get hasVcpu(): boolean {
    return (this.vm?.vcpus?.length ?? 0) > 0;
  }

  async refreshVm(): Promise<void> {
    const version = this.vmVersion;
    try {
      const vm = await api.getVm(this.id);
      // A read that started before an action answered is older than the action's answer.
      if (version !== this.vmVersion) return;
      this.vm = vm;
      this.error = null;
      this.offline = false;
    } catch (e) {
      this.error = errorText(e);
      this.offline = e instanceof ApiError && e.status === 0;
    }
    this.changed.emit();
  }

  /** Reads regs and sregs; `afterStep` keeps the previous values for change highlighting. */
  /**
   * Runs vcpu calls one at a time: a register read while a KVM_RUN of this console is in
   * flight would be refused (409), and a step must not interleave with a refresh.
   */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** A vcpu read, in turn, refused here (not by a 409) when the service runs the VM by then. */
  vcpuCall<T>(fn: () => Promise<T>): Promise<T> {
    return this.exclusive(() => (this.cpuReadable ? fn() : Promise.reject(new Error("the VM is running: pause it first"))));
  }

  refreshCpu(afterStep = false): Promise<void> {
    return this.exclusive(() => this.readCpu(afterStep));
  }

  private async readCpu(afterStep: boolean): Promise<void> {
    if (!this.cpuReadable) return this.changed.emit();
    try {
      let regs: KvmRegs | undefined;
      let sregs: KvmSregs | undefined;
      // The service reports "paused" a moment before its vcpu thread lets go of the vcpu; a
      // read in that window is refused as busy (409): try again shortly.
      for (let attempt = 0; ; attempt++) {
        try {
          regs = await api.getRegs(this.id, this.vcpu);
          sregs = await api.getSregs(this.id, this.vcpu);
          break;
        } catch (e) {
          if (!(e instanceof ApiError && e.status === 409) || attempt >= 4) throw e;
          await new Promise((r) => setTimeout(r, 150));
        }
      }
      if (afterStep) {
        this.prevRegs = this.regs;
        this.prevSregs = this.sregs;
      } else {
        this.prevRegs = null;
        this.prevSregs = null;
      }
      this.regs = regs;
      this.sregs = sregs;
    } catch (e) {
      this.error = errorText(e);
    }
    this.changed.emit();
  }

  /** True when [phys, phys+length) lies inside one memory slot. */
  inRam(phys: bigint, length: number): boolean {
    return (this.vm?.memory_regions ?? []).some((r) => {
      const base = parseU64(r.guest_phys_addr ?? "0");
      const size = parseU64(r.memory_size ?? "0");
      return phys >= base && phys + BigInt(length) <= base + size;
    });
  }

  /** RIP as a number. */
  rip(): bigint | null {
    return this.regs?.rip ? parseU64(this.regs.rip) : null;
  }

  /** CS.base + offset outside long mode (where CS.base is ignored). */
  linearOf(offset: bigint): bigint {
    const long = this.sregs?.cs?.l === 1;
    const base = !long && this.sregs?.cs?.base ? parseU64(this.sregs.cs.base) : 0n;
    return (base + offset) & 0xffffffffffffffffn;
  }

  /** Bumped when guest memory was written from this console (the raw-byte listing re-reads). */
  codeVersion = 0;

  /** The linear address of the next instruction: CS.base + RIP (outside long mode). */
  ripLinear(): bigint | null {
    if (!this.regs?.rip) return null;
    const rip = parseU64(this.regs.rip);
    const long = this.sregs?.cs?.l === 1;
    const base = !long && this.sregs?.cs?.base ? parseU64(this.sregs.cs.base) : 0n;
    return (base + rip) & 0xffffffffffffffffn;
  }

  private event(type: string, payload: Record<string, unknown>) {
    this.localEvents.emit({ seq: ++this.localSeq, local: true, time: new Date().toISOString(), type, source: "console", ...payload });
  }

  private async guard(what: string, fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (e) {
      toast(`${what}: ${errorText(e)}`, "error");
    }
  }

  async action(action: "start" | "pause" | "resume" | "reset" | "stop"): Promise<void> {
    await this.guard(action, async () => {
      // After any vcpu call in flight: a start must not overtake a register read (409).
      this.vm = await this.exclusive(() => api.action(this.id, action));
      this.vmVersion++;
      this.changed.emit();
      if (action === "pause" || action === "stop" || action === "reset") await this.refreshCpu();
    });
  }

  async run(): Promise<void> {
    if (!this.hasVcpu) return toast("This VM has no vcpu: create one first", "error");
    if (this.serviceDriven) {
      this.lastExit = null;
      this.lastDebugPc = null;
      await this.exclusive(() => this.guard("breakpoints", () => this.syncDebug(false)));
      return this.action(this.state === "paused" ? "resume" : "start");
    }
    // KVM_RUN mode: run in slices so that Pause is honoured between them.
    this.activity = "running";
    this.stopLoop = false;
    this.changed.emit();
    await this.exclusive(() => this.guard("run", async () => {
      await this.syncDebug(false);
      for (;;) {
        const exit = await api.run(this.id, this.vcpu, { timeout_ms: 300 });
        if (await this.handleExit(exit)) continue;
        if (exit.exit_reason === "KVM_EXIT_INTR" && !this.stopLoop) continue;
        break;
      }
    }));
    this.activity = "idle";
    await this.refreshCpu(true);
  }

  /** Handles exits the console can finish itself in KVM_RUN mode; true to keep running. */
  private async handleExit(exit: KvmRunResult): Promise<boolean> {
    this.lastExit = exit;
    if (exit.exit_reason !== "KVM_EXIT_INTR") this.event("exit", { exit_reason: exit.exit_reason, ...detailOf(exit) });
    if (this.stopLoop) return false;
    const io = exit.io;
    if (exit.exit_reason === "KVM_EXIT_IO" && io && io.direction === "KVM_EXIT_IO_OUT" && io.port === COM1) {
      if (io.string && io.data) this.serialOut.emit(Uint8Array.from(atob(io.data), (c) => c.charCodeAt(0)));
      else this.serialOut.emit(Uint8Array.of(Number(io.value ?? 0) & 0xff));
      return true;
    }
    return false;
  }

  async pause(): Promise<void> {
    if (this.serviceDriven) return this.action("pause");
    this.stopLoop = true;
  }

  /** One instruction: single-step debug, one KVM_RUN, then the breakpoints alone again. */
  async step(): Promise<void> {
    if (!this.hasVcpu) return toast("This VM has no vcpu: create one first", "error");
    if (this.serviceDriven && this.state === "running") return toast("Pause the VM before stepping", "error");
    this.activity = "stepping";
    this.changed.emit();
    await this.exclusive(() => this.guard("step", async () => {
      await this.syncDebug(true);
      const exit = await api.run(this.id, this.vcpu, {});
      this.lastExit = exit;
      if (exit.exit_reason !== "KVM_EXIT_DEBUG") this.event("exit", { exit_reason: exit.exit_reason, ...detailOf(exit) });
      await this.handleExit(exit);
      await this.syncDebug(false);
    }));
    this.activity = "idle";
    await this.refreshCpu(true);
  }

  /** Steps over calls and rep-string instructions with a temporary breakpoint after them. */
  async stepOver(): Promise<void> {
    const next = stepOverTarget(this.disasmAtRip); // a CS offset, like RIP
    if (next === null) return this.step();
    const target = this.linearOf(next);
    if (this.serviceDriven && this.state === "running") return toast("Pause the VM before stepping", "error");
    this.activity = "stepping";
    this.changed.emit();
    await this.exclusive(() => this.guard("step over", async () => {
      const temp = this.breakpoints.includes(target) ? this.breakpoints : [...this.breakpoints, target];
      await api.setDebug(this.id, this.vcpu, debugBody(temp, false));
      for (let i = 0; i < 20; i++) {
        const exit = await api.run(this.id, this.vcpu, { timeout_ms: 500 });
        if (await this.handleExit(exit)) continue;
        if (exit.exit_reason === "KVM_EXIT_INTR" && !this.stopLoop) continue;
        break;
      }
      await this.syncDebug(false);
    }));
    this.activity = "idle";
    await this.refreshCpu(true);
  }

  async setBreakpoints(list: bigint[]): Promise<void> {
    const before = this.breakpoints;
    this.breakpoints = list;
    this.changed.emit();
    try {
      await this.exclusive(() => this.syncDebug(false));
    } catch (e) {
      this.breakpoints = before;
      this.changed.emit();
      toast(`breakpoints: ${errorText(e)}`, "error");
    }
  }

  private async syncDebug(singlestep: boolean): Promise<void> {
    if (!this.hasVcpu) return;
    await api.setDebug(this.id, this.vcpu, debugBody(this.breakpoints, singlestep));
  }

  async writeRegs(regs: KvmRegs): Promise<void> {
    this.regs = await this.exclusive(() => api.setRegs(this.id, this.vcpu, regs));
    this.prevRegs = null;
    this.changed.emit();
  }

  async writeSregs(sregs: KvmSregs): Promise<void> {
    this.sregs = await this.exclusive(() => api.setSregs(this.id, this.vcpu, sregs));
    this.prevSregs = null;
    this.changed.emit();
  }
}

function detailOf(exit: KvmRunResult): Record<string, unknown> {
  const d: Record<string, unknown> = {};
  if (exit.io) d.io = exit.io;
  if (exit.mmio) d.mmio = exit.mmio;
  if (exit.ex) d.ex = exit.ex;
  if (exit.debug) d.debug = exit.debug;
  return d;
}

export { toHex };
