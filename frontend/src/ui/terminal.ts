// The serial terminal: xterm.js over the console WebSocket (binary frames both ways,
// scrollback replayed by the service on connect), with paste-as-keystrokes and a
// scrollback download.
import { Terminal } from "@xterm/xterm";
import { FitAddon } from "@xterm/addon-fit";
import "@xterm/xterm/css/xterm.css";
import { ReconnectingSocket, wsUrl } from "../lib/socket";
import { h, toast } from "./dom";
import type { VmSession } from "./session";

const MAX_SCROLLBACK_BYTES = 1 << 20;

export function terminalPanel(session: VmSession): { el: HTMLElement; dispose: () => void; focus: () => void } {
  const status = h("span.term-status", "offline");
  const host = h("div.term-host", { "data-testid": "terminal" });
  const term = new Terminal({
    convertEol: false,
    cursorBlink: true,
    fontFamily: "ui-monospace, 'DejaVu Sans Mono', monospace",
    fontSize: 13,
    scrollback: 5000,
    theme: { background: "#0d1117", foreground: "#d0d7de" },
  });
  const fit = new FitAddon();
  term.loadAddon(fit);

  let scrollback: Uint8Array[] = [];
  let scrollbackSize = 0;
  const received = (bytes: Uint8Array) => {
    scrollback.push(bytes);
    scrollbackSize += bytes.length;
    while (scrollbackSize > MAX_SCROLLBACK_BYTES && scrollback.length > 1) scrollbackSize -= scrollback.shift()!.length;
    term.write(bytes);
  };

  const encoder = new TextEncoder();
  let socket: ReconnectingSocket | null = null;
  let firstOpen = true;
  if (session.caps.has("console")) {
    socket = new ReconnectingSocket({
      url: () => wsUrl(`/vms/${encodeURIComponent(session.id)}/console?port=com1`),
      binary: true,
      onMessage: (data) => {
        if (data instanceof ArrayBuffer) received(new Uint8Array(data));
        else if (typeof data === "string") {
          // Text frames from the service are notices such as {"error": "the serial input queue is full ..."}.
          try {
            const msg = JSON.parse(data) as { error?: string };
            if (msg.error) return toast(`console: ${msg.error}`, "error");
          } catch {
            /* plain text */
          }
          received(encoder.encode(data));
        }
      },
      onState: (s, detail) => {
        status.textContent = s === "open" ? "connected" : s === "connecting" ? "connecting…" : detail ?? s;
        status.className = "term-status " + s;
        if (s === "open") {
          // The service replays the scrollback on every connect: start from a clean screen.
          if (!firstOpen) {
            term.reset();
            scrollback = [];
            scrollbackSize = 0;
          }
          firstOpen = false;
        }
      },
    }).start();
  } else {
    status.textContent = "no stream: output via KVM_RUN";
    term.writeln("\x1b[33mThis service has no console stream (/vms/{id}/console) yet.\x1b[0m");
    term.writeln("\x1b[33mBytes the guest writes to COM1 (port 0x3f8) appear here while the console runs the vcpu.\x1b[0m");
  }
  const offSerial = session.serialOut.on((bytes) => received(bytes));

  const sendBytes = (bytes: Uint8Array): boolean => {
    if (!socket) {
      toast("No console stream: input cannot reach the guest yet", "error");
      return false;
    }
    if (!socket.send(bytes)) {
      toast("Console not connected; input dropped", "error");
      return false;
    }
    return true;
  };
  term.onData((d) => sendBytes(encoder.encode(d)));

  /** Paste-as-keystrokes: one frame per character, paced so a 16-byte UART FIFO keeps up. */
  const pasteAsKeys = async (text: string) => {
    for (const ch of text.replace(/\r?\n/g, "\r")) {
      if (!sendBytes(encoder.encode(ch))) return;
      await new Promise((r) => setTimeout(r, 8));
    }
  };
  const pasteBox = h("textarea.paste", { rows: 2, placeholder: "Text to type into the guest (Enter sends CR)…", "aria-label": "text to paste" });
  const download = () => {
    const blob = new Blob(scrollback as BlobPart[], { type: "application/octet-stream" });
    const a = h("a", { href: URL.createObjectURL(blob), download: `${session.vm?.name || session.id}-com1.log` });
    document.body.appendChild(a);
    a.click();
    setTimeout(() => {
      URL.revokeObjectURL(a.href);
      a.remove();
    }, 0);
  };

  const toolbar = h(
    "div.term-toolbar",
    h("strong", "COM1"),
    status,
    h("span.spacer"),
    h("button", { type: "button", title: "Type the text below as keystrokes", on: { click: () => void pasteAsKeys(pasteBox.value) } }, "Paste as keys"),
    h("button", { type: "button", title: "Send Ctrl-C (break) to the guest", on: { click: () => sendBytes(Uint8Array.of(3)) } }, "Send Break"),
    h("button", { type: "button", title: "Reset the VM", on: { click: () => void session.action("reset") }, disabled: !session.serviceDriven }, "Reset"),
    h("button", { type: "button", title: "Download the scrollback", on: { click: download } }, "Download log"),
  );
  const el = h("section.panel.terminal", toolbar, host, pasteBox);

  const ro = new ResizeObserver(() => {
    try {
      fit.fit();
    } catch {
      /* not visible yet */
    }
  });
  requestAnimationFrame(() => {
    term.open(host);
    fit.fit();
    ro.observe(host);
  });

  return {
    el,
    focus: () => term.focus(),
    dispose: () => {
      ro.disconnect();
      offSerial();
      socket?.stop();
      term.dispose();
    },
  };
}
