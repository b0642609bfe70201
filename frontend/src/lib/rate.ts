// Rates (per second) from counter samples, for the live chart and the MIPS column.

export interface Sample {
  t: number; // ms
  value: bigint;
}

/** Per-second rate between two samples; 0 when time did not advance or the counter went back (reset). */
export function ratePerSecond(a: Sample, b: Sample): number {
  const dt = b.t - a.t;
  if (dt <= 0 || b.value < a.value) return 0;
  return Number(b.value - a.value) / (dt / 1000);
}

/** A fixed-size series of points for a chart. */
export class Series {
  readonly points: number[] = [];
  constructor(readonly capacity: number) {}
  push(v: number): void {
    this.points.push(v);
    if (this.points.length > this.capacity) this.points.shift();
  }
  max(): number {
    return this.points.reduce((m, v) => Math.max(m, v), 0);
  }
}

/** "12.3 M", "950 k": compact numbers for axes and columns. */
export function compact(n: number): string {
  if (!Number.isFinite(n)) return "-";
  const abs = Math.abs(n);
  if (abs >= 1e9) return (n / 1e9).toFixed(1) + " G";
  if (abs >= 1e6) return (n / 1e6).toFixed(1) + " M";
  if (abs >= 1e3) return (n / 1e3).toFixed(1) + " k";
  return n.toFixed(0);
}
