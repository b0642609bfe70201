// A live chart of guest instructions per second (from the VM's counters) and exits per
// second (from the counters when the service has them, else from the event log).
import { compact, ratePerSecond, Series, type Sample } from "../lib/rate";
import { tryParseU64 } from "../lib/u64";
import { h } from "./dom";
import type { Emitter } from "./emitter";
import type { VmSession } from "./session";

const POINTS = 120;

export function chartPanel(session: VmSession, eventsPerSecond: Emitter<number>): { el: HTMLElement; dispose: () => void } {
  const ips = new Series(POINTS);
  const eps = new Series(POINTS);
  const canvas = h("canvas.chart", { width: 640, height: 180, "data-testid": "chart" }) as HTMLCanvasElement;
  const legend = h("div.chartlegend");
  let lastInstr: Sample | null = null;
  let lastExits: Sample | null = null;
  let eventRate = 0;
  let fromCounters = false;

  const sample = () => {
    const c = (session.vm?.counters ?? {}) as Record<string, unknown>;
    const now = performance.now();
    // The service's own rates when it reports them (Counters.instructions_per_second, exits_per_second).
    const direct = (k: string) => (typeof c[k] === "number" ? (c[k] as number) : null);
    const instr = tryParseU64(c["instructions_retired"] as string);
    if (direct("instructions_per_second") !== null) {
      ips.push(session.state === "running" ? direct("instructions_per_second")! : 0);
    } else if (instr !== null) {
      const s = { t: now, value: instr };
      ips.push(lastInstr ? ratePerSecond(lastInstr, s) : 0);
      lastInstr = s;
    }
    const exits = tryParseU64(c["exits"] as string);
    if (direct("exits_per_second") !== null) {
      eps.push(session.state === "running" ? direct("exits_per_second")! : 0);
      fromCounters = true;
    } else if (exits !== null) {
      const s = { t: now, value: exits };
      eps.push(lastExits ? ratePerSecond(lastExits, s) : 0);
      lastExits = s;
    } else eps.push(eventRate);
    draw();
  };

  const draw = () => {
    const w = (canvas.width = canvas.clientWidth || 640);
    const hgt = (canvas.height = canvas.clientHeight || 180);
    const ctx = canvas.getContext("2d")!;
    ctx.fillStyle = "#0d1117";
    ctx.fillRect(0, 0, w, hgt);
    ctx.strokeStyle = "#30363d";
    for (let i = 1; i < 4; i++) {
      ctx.beginPath();
      ctx.moveTo(0, (hgt * i) / 4);
      ctx.lineTo(w, (hgt * i) / 4);
      ctx.stroke();
    }
    const line = (s: Series, color: string) => {
      const max = Math.max(1, s.max());
      ctx.strokeStyle = color;
      ctx.lineWidth = 2;
      ctx.beginPath();
      s.points.forEach((v, i) => {
        const x = (w * (i + POINTS - s.points.length)) / (POINTS - 1);
        const y = hgt - 4 - ((hgt - 8) * v) / max;
        if (i === 0) ctx.moveTo(x, y);
        else ctx.lineTo(x, y);
      });
      ctx.stroke();
      return max;
    };
    const mi = line(ips, "#58a6ff");
    const me = line(eps, "#f0883e");
    legend.replaceChildren(
      h("span.ips", `instructions/s ${compact(ips.points.at(-1) ?? 0)} (scale ${compact(mi)})`),
      h("span.eps", `exits/s ${compact(eps.points.at(-1) ?? 0)} (scale ${compact(me)})${lastExits || fromCounters ? "" : " · from the event log"}`),
    );
  };

  const offEv = eventsPerSecond.on((n) => (eventRate = n));
  const timer = setInterval(sample, 1000);
  return { el: h("section.chartbox", legend, canvas), dispose: () => (offEv(), clearInterval(timer)) };
}
