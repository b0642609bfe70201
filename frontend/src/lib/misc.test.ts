import { describe, expect, it } from "vitest";
import { bitSet, countBits, gridShape, orInto } from "./bitmap";
import { byteRows, debugBody, instructionLength, stepOverTarget, toggleBreakpoint, windowStart } from "./debugger";
import { compact, ratePerSecond, Series } from "./rate";
import { commandFor } from "./shortcuts";
import { msrName } from "./msrNames";
import { ApiError, problemMessage } from "./problem";

describe("bitmap", () => {
  it("reads bits little-endian within bytes", () => {
    const bm = Uint8Array.from([0b00000101, 0x80]);
    expect(bitSet(bm, 0)).toBe(true);
    expect(bitSet(bm, 1)).toBe(false);
    expect(bitSet(bm, 2)).toBe(true);
    expect(bitSet(bm, 15)).toBe(true);
    expect(bitSet(bm, 99)).toBe(false);
    expect(countBits(bm)).toBe(3);
    expect(Array.from(orInto(Uint8Array.from([1]), Uint8Array.from([2, 4])))).toEqual([3, 4]);
    expect(gridShape(256)).toEqual({ columns: 64, rows: 4 });
    expect(gridShape(3)).toEqual({ columns: 3, rows: 1 });
  });
});

describe("debugger", () => {
  it("toggles breakpoints", () => {
    expect(toggleBreakpoint([0x10n], 0x5n)).toEqual([0x5n, 0x10n]);
    expect(toggleBreakpoint([0x5n, 0x10n], 0x5n)).toEqual([0x10n]);
    expect(() => toggleBreakpoint([1n, 2n], 3n, 2)).toThrow();
  });
  it("builds debug bodies", () => {
    expect(debugBody([], false)).toEqual({ enabled: 0, singlestep: 0, breakpoints: [] });
    expect(debugBody([0x1000n], true)).toEqual({ enabled: 1, singlestep: 1, breakpoints: [{ enabled: 1, address: "0x1000" }] });
  });
  it("finds step-over targets for calls only", () => {
    expect(instructionLength("e8 fb 0f")).toBe(3);
    expect(stepOverTarget({ address: "0x1000", bytes: "e8fb0f", text: "call 0x2000" })).toBe(0x1003n);
    expect(stepOverTarget({ address: "0x1000", bytes: "f3a4", text: "rep movsb" })).toBe(0x1002n);
    expect(stepOverTarget({ address: "0x1000", bytes: "90", text: "nop" })).toBeNull();
    expect(stepOverTarget(undefined)).toBeNull();
  });
  it("lists raw bytes when there is no disassembler", () => {
    expect(byteRows(0x10n, Uint8Array.from([0x90, 0xf4]))).toEqual([
      { address: "0x10", bytes: "90", text: "db 0x90" },
      { address: "0x11", bytes: "f4", text: "db 0xf4" },
    ]);
    expect(windowStart(4n)).toBe(0n);
    expect(windowStart(0x1000n)).toBe(0xff0n);
  });
});

describe("rate", () => {
  it("computes per-second rates and survives resets", () => {
    expect(ratePerSecond({ t: 0, value: 0n }, { t: 500, value: 1000n })).toBe(2000);
    expect(ratePerSecond({ t: 0, value: 10n }, { t: 500, value: 5n })).toBe(0);
    expect(ratePerSecond({ t: 5, value: 0n }, { t: 5, value: 5n })).toBe(0);
    const s = new Series(2);
    s.push(1);
    s.push(5);
    s.push(3);
    expect(s.points).toEqual([5, 3]);
    expect(s.max()).toBe(5);
    expect(compact(12_300_000)).toBe("12.3 M");
    expect(compact(950)).toBe("950");
  });
});

describe("shortcuts", () => {
  it("maps function keys and Alt letters, not plain letters while typing", () => {
    expect(commandFor({ key: "F11" }, false)).toBe("step");
    expect(commandFor({ key: "F5" }, true)).toBe("run");
    expect(commandFor({ key: "s", altKey: true }, false)).toBe("step");
    expect(commandFor({ key: "s" }, false)).toBeNull();
    expect(commandFor({ key: "s", altKey: true }, true)).toBeNull();
  });
});

describe("problem", () => {
  it("prefers detail and names the field", () => {
    expect(problemMessage(400, { title: "Bad Request", detail: "not a number", field: "rip" }, "PUT", "/x")).toBe("rip: not a number (400)");
    expect(problemMessage(404, { title: "Not Found" }, "GET", "/x")).toBe("Not Found (404)");
    expect(problemMessage(502, null, "GET", "/x")).toBe("GET /x failed with HTTP 502");
    expect(problemMessage(0, null, "GET", "/x")).toMatch(/cannot be reached/);
    expect(new ApiError(409, { detail: "vcpu 0 is running" }, "PUT", "/r").message).toBe("vcpu 0 is running (409)");
  });
});

describe("MSR names", () => {
  it("names architectural MSRs as the SDM does, and falls back to hex", () => {
    expect(msrName(0xc0000080)).toBe("IA32_EFER");
    expect(msrName(0x10)).toBe("IA32_TIME_STAMP_COUNTER");
    expect(msrName(0x200)).toBe("IA32_MTRR_PHYSBASE0");
    expect(msrName(0x20f)).toBe("IA32_MTRR_PHYSMASK7");
    expect(msrName(0x268)).toBe("IA32_MTRR_FIX4K_C0000");
    expect(msrName(0x26f)).toBe("IA32_MTRR_FIX4K_F8000");
    expect(msrName(0x12345)).toBe("0x12345");
  });
});
