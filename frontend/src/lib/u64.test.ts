import { describe, expect, it } from "vitest";
import { addU64, padHex, parseU64, toHex, tryParseU64, U64_MAX } from "./u64";

describe("u64", () => {
  it("parses hex, h-suffix, decimal and numbers", () => {
    expect(parseU64("0x1F")).toBe(31n);
    expect(parseU64("1fh")).toBe(31n);
    expect(parseU64("31")).toBe(31n);
    expect(parseU64(31)).toBe(31n);
    expect(parseU64(" 0xffff_ffff ")).toBe(0xffffffffn);
  });
  it("holds every u64 exactly", () => {
    expect(parseU64("0xffffffffffffffff")).toBe(U64_MAX);
    expect(toHex(parseU64("18446744073709551615"))).toBe("0xffffffffffffffff");
    expect(parseU64("0xffffffff81000001")).toBe(0xffffffff81000001n);
  });
  it("rejects junk, negatives and overflow with readable errors", () => {
    expect(() => parseU64("zz")).toThrow(/not a number/);
    expect(() => parseU64("-1")).toThrow();
    expect(() => parseU64("0x10000000000000000")).toThrow(/64 bits/);
    expect(() => parseU64(1.5)).toThrow();
    expect(tryParseU64("nope")).toBeNull();
    expect(tryParseU64(undefined)).toBeNull();
  });
  it("formats and wraps", () => {
    expect(toHex(0)).toBe("0x0");
    expect(padHex(0x1f, 4)).toBe("001f");
    expect(addU64(U64_MAX, 2n)).toBe(1n);
  });
});
