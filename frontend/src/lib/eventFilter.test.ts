import { describe, expect, it } from "vitest";
import { appendEvents, applyFilter, emptyFilter, eventCategory, seqLabel, summarize, type VmEvent } from "./eventFilter";

const ev = (seq: number, type: string, extra: Record<string, unknown> = {}): VmEvent => ({ seq, time: "t", type, ...extra });

describe("event filter", () => {
  const log = [ev(1, "lifecycle", { state: "running" }), ev(2, "exit", { exit_reason: "KVM_EXIT_HLT" }), ev(3, "exit", { exit_reason: "KVM_EXIT_IO", port: 1016 })];
  it("filters by category and text", () => {
    expect(applyFilter(log, emptyFilter())).toHaveLength(3);
    expect(applyFilter(log, { types: new Set(["KVM_EXIT_IO"]), text: "" }).map((e) => e.seq)).toEqual([3]);
    expect(applyFilter(log, { types: new Set(["exit"]), text: "" }).map((e) => e.seq)).toEqual([2, 3]);
    expect(applyFilter(log, { types: new Set(), text: "RUNNING" }).map((e) => e.seq)).toEqual([1]);
    expect(eventCategory(log[1])).toBe("KVM_EXIT_HLT");
  });
  it("appends in order without duplicates after a replay and caps the log", () => {
    const merged = appendEvents(log, [ev(3, "exit"), ev(5, "x"), ev(4, "x")]);
    expect(merged.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(appendEvents(merged, [ev(6, "x")], 3).map((e) => e.seq)).toEqual([4, 5, 6]);
  });
  it("labels seqs: local ones with c, long service ones by their last digits", () => {
    expect(seqLabel({ ...ev(7, "exit"), local: true })).toBe("c7");
    expect(seqLabel(ev(42, "exit"))).toBe("42");
    expect(seqLabel(ev(1796312345674123, "exit"))).toBe("…4123");
  });
  it("summarizes the payload", () => {
    expect(summarize(log[2])).toBe("exit_reason=KVM_EXIT_IO port=1016");
  });
});
