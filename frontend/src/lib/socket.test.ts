import { describe, expect, it } from "vitest";
import { ReconnectingSocket, VM_DELETED, wsUrl, type WebSocketLike } from "./socket";

class FakeWs implements WebSocketLike {
  binaryType: BinaryType = "blob";
  readyState = 0;
  onopen: WebSocketLike["onopen"] = null;
  onclose: WebSocketLike["onclose"] = null;
  onerror: WebSocketLike["onerror"] = null;
  onmessage: WebSocketLike["onmessage"] = null;
  sent: unknown[] = [];
  closed = false;
  constructor(readonly url: string) {}
  send(d: unknown) {
    this.sent.push(d);
  }
  close() {
    this.closed = true;
  }
}

function harness() {
  const sockets: FakeWs[] = [];
  const timers: { fn: () => void; ms: number }[] = [];
  const messages: unknown[] = [];
  const states: string[] = [];
  const details: (string | undefined)[] = [];
  let seq = 0;
  const rs = new ReconnectingSocket({
    url: () => `ws://h/vms/1/events?after=${seq}`,
    binary: true,
    backoff: { initialMs: 100, jitter: 0 },
    create: (u) => {
      const s = new FakeWs(u);
      sockets.push(s);
      return s;
    },
    schedule: (fn, ms) => timers.push({ fn, ms }),
    cancel: () => {},
    onMessage: (d) => messages.push(d),
    onState: (s, d) => {
      states.push(s);
      details.push(d);
    },
  });
  return { rs, sockets, timers, messages, states, details, setSeq: (n: number) => (seq = n) };
}

describe("ReconnectingSocket", () => {
  it("reconnects with backoff and a fresh URL after the service goes away", () => {
    const h = harness();
    h.rs.start();
    expect(h.sockets[0].binaryType).toBe("arraybuffer");
    h.sockets[0].onopen!({});
    h.sockets[0].onmessage!({ data: "x" });
    expect(h.messages).toEqual(["x"]);
    h.setSeq(41);
    h.sockets[0].onclose!({ code: 1006, reason: "" });
    expect(h.timers.map((t) => t.ms)).toEqual([100]);
    h.timers[0].fn();
    expect(h.sockets[1].url).toBe("ws://h/vms/1/events?after=41");
    h.sockets[1].onclose!({ code: 1006, reason: "" });
    expect(h.timers[1].ms).toBe(200);
    h.timers[1].fn();
    h.sockets[2].onopen!({});
    h.sockets[2].onclose!({ code: 1006, reason: "" });
    expect(h.timers[2].ms).toBe(100); // reset after a good connection
    expect(h.states).toContain("open");
  });
  it("sends only when open and stops for good", () => {
    const h = harness();
    h.rs.start();
    expect(h.rs.send("a")).toBe(false);
    h.sockets[0].onopen!({});
    expect(h.rs.send("b")).toBe(true);
    h.rs.stop();
    expect(h.sockets[0].closed).toBe(true);
    expect(h.rs.state).toBe("stopped");
    h.sockets[0].onclose?.({ code: 1000, reason: "" });
    expect(h.timers).toHaveLength(0);
  });
  it("does not reconnect to a deleted VM", () => {
    const h = harness();
    h.rs.start();
    h.sockets[0].onopen!({});
    h.sockets[0].onclose!({ code: VM_DELETED, reason: "VM 7 was deleted" });
    expect(h.timers).toHaveLength(0);
    expect(h.rs.state).toBe("stopped");
    expect(h.details.at(-1)).toBe("VM 7 was deleted");
  });
  it("builds ws URLs from the page origin", () => {
    expect(wsUrl("/vms/1/console", { protocol: "https:", host: "a:1" })).toBe("wss://a:1/vms/1/console");
    expect(wsUrl("/x", { protocol: "http:", host: "a" })).toBe("ws://a/x");
  });
});
