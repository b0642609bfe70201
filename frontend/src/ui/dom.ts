// A tiny DOM helper: h("div.class#id", {attrs}, children...). No framework.

type Child = Node | string | number | null | undefined | false | Child[];
type Attrs = Record<string, unknown> & { on?: Record<string, (e: Event) => void> };

type Tags = HTMLElementTagNameMap;
/** The element type of a spec such as "input.reg#x": the tag before the first . or #, else div. */
export type TagOf<S extends string> = S extends `${infer T}.${string}`
  ? T extends keyof Tags ? T : "div"
  : S extends `${infer T}#${string}`
    ? T extends keyof Tags ? T : "div"
    : S extends keyof Tags ? S : "div";

export function h<S extends string>(spec: S, attrs?: Attrs | Child, ...children: Child[]): Tags[TagOf<S>] {
  const m = /^([a-z0-9]+)?((?:[.#][\w-]+)*)$/i.exec(spec);
  const el = document.createElement(m?.[1] || "div") as Tags[TagOf<S>];
  for (const part of (m?.[2] ?? "").match(/[.#][\w-]+/g) ?? []) {
    if (part[0] === ".") el.classList.add(part.slice(1));
    else el.id = part.slice(1);
  }
  if (attrs && !(attrs instanceof Node) && typeof attrs === "object" && !Array.isArray(attrs)) {
    for (const [k, v] of Object.entries(attrs)) {
      if (k === "on") {
        for (const [ev, fn] of Object.entries(v as Record<string, (e: Event) => void>)) el.addEventListener(ev, fn);
      } else if (k === "class") {
        el.className = String(v);
      } else if (k === "dataset") {
        Object.assign(el.dataset, v);
      } else if (v === true) {
        el.setAttribute(k, "");
      } else if (v !== false && v !== undefined && v !== null) {
        if (k in el && k !== "list" && k !== "type") (el as unknown as Record<string, unknown>)[k] = v;
        else el.setAttribute(k, String(v));
      }
    }
  } else if (attrs !== undefined) {
    children.unshift(attrs as Child);
  }
  append(el, children);
  return el;
}

export function append(el: Node, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function replace(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}

/** A readable message box in place of a panel's content (never a blank panel). */
export function notice(text: string, kind: "info" | "error" | "pending" = "info"): HTMLElement {
  return h("div.notice." + kind, { role: kind === "error" ? "alert" : "status" }, text);
}

let toastHost: HTMLElement | null = null;

/** A transient message at the bottom right; errors stay longer and can be dismissed. */
export function toast(text: string, kind: "info" | "error" = "info"): void {
  if (!toastHost) {
    toastHost = h("div.toasts", { "aria-live": "polite" });
    document.body.appendChild(toastHost);
  }
  const t = h("div.toast." + kind, { role: kind === "error" ? "alert" : "status", on: { click: () => t.remove() } }, text);
  toastHost.appendChild(t);
  setTimeout(() => t.remove(), kind === "error" ? 10000 : 3000);
}

/** Tabs: returns the container; `panels` are built lazily on first show. */
export function tabs(items: { id: string; label: string; build: () => HTMLElement }[], initial = 0): HTMLElement {
  const bar = h("div.tabbar", { role: "tablist" });
  const body = h("div.tabbody");
  const built = new Map<string, HTMLElement>();
  const buttons: HTMLButtonElement[] = [];
  const show = (i: number) => {
    buttons.forEach((b, j) => b.setAttribute("aria-selected", String(i === j)));
    const item = items[i];
    let panel = built.get(item.id);
    if (!panel) {
      panel = item.build();
      panel.dataset.tab = item.id;
      built.set(item.id, panel);
      body.appendChild(panel);
    }
    for (const p of built.values()) p.hidden = p !== panel;
  };
  items.forEach((item, i) => {
    const b = h("button.tab", { type: "button", role: "tab", dataset: { tab: item.id }, on: { click: () => show(i) } }, item.label);
    buttons.push(b);
    bar.appendChild(b);
  });
  show(initial);
  return h("div.tabs", bar, body);
}
