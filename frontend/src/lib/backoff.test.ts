import { describe, expect, it } from "vitest";
import { Backoff } from "./backoff";

describe("backoff", () => {
  it("grows exponentially up to the cap, without jitter", () => {
    const b = new Backoff({ initialMs: 100, maxMs: 1000, factor: 2, jitter: 0 });
    expect([b.next(), b.next(), b.next(), b.next(), b.next(), b.next()]).toEqual([100, 200, 400, 800, 1000, 1000]);
    b.reset();
    expect(b.next()).toBe(100);
  });
  it("keeps jitter within bounds", () => {
    const lo = new Backoff({ initialMs: 1000, jitter: 0.2 }, () => 0);
    const hi = new Backoff({ initialMs: 1000, jitter: 0.2 }, () => 0.999999);
    expect(lo.next()).toBe(800);
    expect(hi.next()).toBe(1200);
  });
});
