// The VM view: toolbar with lifecycle and debugger controls, the terminal, the vcpu panel,
// the disassembly and the tabbed tools (memory, events, dirty pages, chart, snapshots).
import type { Capabilities } from "../api/capabilities";
import { commandFor, shortcutHelp, shortcutTitle, type Command } from "../lib/shortcuts";
import { chartPanel } from "./chart";
import { cpuPanel } from "./cpuPanel";
import { dirtyPanel } from "./dirty";
import { disasmPanel } from "./disasm";
import { h, notice, replace, tabs } from "./dom";
import { Emitter } from "./emitter";
import { eventsPanel } from "./events";
import { memoryPanel } from "./memory";
import { VmSession } from "./session";
import { snapshotsPanel } from "./snapshots";
import { terminalPanel } from "./terminal";

export function vmView(id: string, caps: Capabilities, nav: (hash: string) => void): { el: HTMLElement; dispose: () => void } {
  const session = new VmSession(id, caps);
  const disposers: (() => void)[] = [() => session.dispose()];

  const title = h("h1.vmname", id);
  const state = h("span.state", { "data-testid": "vm-state" }, "…");
  const exitInfo = h("span.lastexit", { "data-testid": "last-exit" });
  const btn = (label: string, cmd: () => void, opts: Record<string, unknown> = {}) => h("button", { type: "button", on: { click: cmd }, ...opts }, label);

  const lifecycle = h("div.group", { "aria-label": "lifecycle" });
  const debug = h("div.group", { "aria-label": "debugger" },
    btn("Run", () => void run("run"), { title: "Run / resume (F5)", dataset: { cmd: "run" } }),
    btn("Pause", () => void run("pause"), { title: "Pause (F6)", dataset: { cmd: "pause" } }),
    btn("Step", () => void run("step"), { title: "Step one instruction (F11)", dataset: { cmd: "step" } }),
    btn("Step over", () => void run("stepOver"), { title: "Step over calls (F10)", dataset: { cmd: "stepOver" } }),
  );
  const renderLifecycle = () => {
    if (!caps.has("actions")) {
      replace(lifecycle, h("span.pending", { title: caps.missing("actions", "Start/pause/resume/reset/stop") }, "lifecycle actions pending (KVM_RUN mode)"));
      return;
    }
    const s = session.state;
    replace(
      lifecycle,
      btn("Start", () => void session.action("start"), { disabled: s === "running" || s === "paused", dataset: { action: "start" } }),
      btn("Pause", () => void session.action("pause"), { disabled: s !== "running", dataset: { action: "pause" } }),
      btn("Resume", () => void session.action("resume"), { disabled: s !== "paused", dataset: { action: "resume" } }),
      btn("Reset", () => void session.action("reset"), { dataset: { action: "reset" } }),
      btn("Stop", () => void session.action("stop"), { disabled: s === "stopped" || s === "created", dataset: { action: "stop" } }),
    );
  };

  const run = async (c: Command) => {
    if (c === "run") return session.run();
    if (c === "pause") return session.pause();
    if (c === "step") return session.step();
    return session.stepOver();
  };

  let lastState = "";
  disposers.push(
    session.changed.on(() => {
      title.textContent = session.vm?.name || id;
      if (session.offline) {
        state.textContent = "service unreachable · retrying";
        state.className = "state offline";
      } else {
        state.textContent = session.activity !== "idle" ? `${session.state} · ${session.activity}` : session.state;
        state.className = `state ${session.state}`;
      }
      const ex = session.lastExit;
      exitInfo.textContent = ex
        ? `last exit ${ex.exit_reason}${ex.debug ? ` @ ${ex.debug.pc}` : ""}${ex.io ? ` port 0x${(ex.io.port ?? 0).toString(16)}` : ""}`
        : session.lastDebugPc ? `debug event @ ${session.lastDebugPc}` : "";
      debug.querySelectorAll("button").forEach((b) => ((b as HTMLButtonElement).disabled = session.activity === "stepping" || !session.hasVcpu));
      const stale = !session.cpuReadable && session.hasVcpu;
      cpu.el.classList.toggle("stale", stale);
      dis.el.classList.toggle("stale", stale);
      if (session.state !== lastState) {
        lastState = session.state;
        renderLifecycle();
      }
    }),
  );

  session.start();
  const term = terminalPanel(session);
  const cpu = cpuPanel(session);
  const dis = disasmPanel(session);
  const eventsPerSecond = new Emitter<number>();
  const events = eventsPanel(session, eventsPerSecond);
  const dirty = dirtyPanel(session);
  const chart = chartPanel(session, eventsPerSecond);
  disposers.push(term.dispose, cpu.dispose, dis.dispose, events.dispose, dirty.dispose, chart.dispose);

  const tools = h(
    "section.panel.tools",
    tabs([
      { id: "memory", label: "Memory", build: () => memoryPanel(session) },
      { id: "events", label: "Events", build: () => events.el },
      { id: "dirty", label: "Dirty pages", build: () => dirty.el },
      { id: "chart", label: "Chart", build: () => chart.el },
      { id: "snapshots", label: "Snapshots", build: () => snapshotsPanel(session, (vid) => nav(`#/vms/${vid}`)) },
    ]),
  );

  const el = h(
    "div.vmview",
    h("div.vmbar", h("a.back", { href: "#/" }, "← VMs"), title, state, lifecycle, debug, exitInfo, h("span.spacer"), h("span.help", { title: shortcutTitle }, shortcutHelp)),
    h("div.vmgrid", term.el, tools, dis.el, cpu.el),
  );

  const onKey = (e: KeyboardEvent) => {
    const t = e.target as HTMLElement | null;
    const typing = !!t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || !!t.closest(".xterm"));
    const c = commandFor(e, typing);
    if (c) {
      e.preventDefault();
      void run(c);
    }
  };
  window.addEventListener("keydown", onKey);
  disposers.push(() => window.removeEventListener("keydown", onKey));

  // The VM (state, counters) every second; registers whenever the state changes (never while the
  // service runs the vcpus: the API refuses that with 409). A stop after running highlights what
  // the run changed.
  let polling = false;
  let lastSeenState = "";
  const poll = async () => {
    if (polling) return;
    polling = true;
    try {
      await session.refreshVm();
      if (session.vm && session.state !== lastSeenState) {
        const wasRunning = lastSeenState === "running";
        lastSeenState = session.state;
        // Give the service's vcpu thread a moment to park after a pause (see VmSession.readCpu).
        if (wasRunning) await new Promise((r) => setTimeout(r, 200));
        // Highlight what changed across a run (also when a short run was never seen running).
        if (session.activity === "idle") await session.refreshCpu(wasRunning || session.state === "paused");
      }
    } finally {
      polling = false;
    }
  };
  void poll().then(() => {
    if (!session.vm) replace(el.querySelector(".vmgrid")!, notice(session.error ?? "VM not found", "error"));
  });
  const timer = setInterval(() => void poll(), 1000);
  disposers.push(() => clearInterval(timer));

  return { el, dispose: () => disposers.forEach((d) => d()) };
}
