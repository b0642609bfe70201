// A WebSocket that reconnects with backoff after the service restarts or the network drops.
import { Backoff, type BackoffOptions } from "./backoff";

export type SocketState = "connecting" | "open" | "closed" | "stopped";

/** The close code the service sends when the stream's VM was deleted: there is nothing to reconnect to. */
export const VM_DELETED = 4404;

export interface WebSocketLike {
  binaryType: BinaryType;
  readyState: number;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  send(data: string | ArrayBufferLike | ArrayBufferView): void;
  close(code?: number, reason?: string): void;
}

export interface ReconnectingSocketOptions {
  /** The URL for each attempt (it may change, e.g. events?after=<last seq>). */
  url: () => string;
  binary?: boolean;
  backoff?: BackoffOptions;
  create?: (url: string) => WebSocketLike;
  schedule?: (fn: () => void, ms: number) => unknown;
  cancel?: (handle: unknown) => void;
  onMessage: (data: unknown) => void;
  onState?: (state: SocketState, detail?: string) => void;
}

export class ReconnectingSocket {
  private ws: WebSocketLike | null = null;
  private timer: unknown = null;
  private stopped = false;
  private readonly backoff: Backoff;
  private readonly create: (url: string) => WebSocketLike;
  private readonly schedule: (fn: () => void, ms: number) => unknown;
  private readonly cancel: (handle: unknown) => void;
  state: SocketState = "closed";

  constructor(private readonly opts: ReconnectingSocketOptions) {
    this.backoff = new Backoff(opts.backoff);
    this.create = opts.create ?? ((url) => new WebSocket(url) as unknown as WebSocketLike);
    this.schedule = opts.schedule ?? ((fn, ms) => setTimeout(fn, ms));
    this.cancel = opts.cancel ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
  }

  start(): this {
    this.stopped = false;
    this.connect();
    return this;
  }

  private setState(s: SocketState, detail?: string) {
    this.state = s;
    this.opts.onState?.(s, detail);
  }

  private connect() {
    if (this.stopped) return;
    this.setState("connecting");
    let ws: WebSocketLike;
    try {
      ws = this.create(this.opts.url());
    } catch (e) {
      this.retry(String(e));
      return;
    }
    this.ws = ws;
    if (this.opts.binary) ws.binaryType = "arraybuffer";
    ws.onopen = () => {
      this.backoff.reset();
      this.setState("open");
    };
    ws.onmessage = (ev) => this.opts.onMessage(ev.data);
    ws.onerror = () => {
      /* onclose follows and decides */
    };
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (ev.code === VM_DELETED) {
        this.stopped = true;
        this.setState("stopped", ev.reason || "the VM was deleted");
      } else this.retry(ev.reason || `closed (${ev.code})`);
    };
  }

  private retry(detail: string) {
    if (this.stopped) return;
    const delay = this.backoff.next();
    this.setState("closed", `${detail}; reconnecting in ${(delay / 1000).toFixed(1)} s`);
    this.timer = this.schedule(() => {
      this.timer = null;
      this.connect();
    }, delay);
  }

  /** Sends when open; returns false otherwise. */
  send(data: string | ArrayBufferLike | ArrayBufferView): boolean {
    if (this.ws && this.state === "open") {
      this.ws.send(data);
      return true;
    }
    return false;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) this.cancel(this.timer);
    this.timer = null;
    const ws = this.ws;
    this.ws = null;
    ws?.close(1000, "closed by the console");
    this.setState("stopped");
  }
}

/** ws:// or wss:// URL for a path on the same origin. */
export function wsUrl(path: string, loc: { protocol: string; host: string } = location): string {
  return `${loc.protocol === "https:" ? "wss:" : "ws:"}//${loc.host}${path}`;
}
