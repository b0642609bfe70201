import { describe, expect, it } from "vitest";
import { base64ToBytes, bytesToHex, hexRows, parseHexBytes } from "./hex";

describe("hex", () => {
  it("splits into rows with ascii", () => {
    const rows = hexRows(0x1000n, new TextEncoder().encode("Hello, world!\n\x00ABCDE"), 16);
    expect(rows).toHaveLength(2);
    expect(rows[0].address).toBe(0x1000n);
    expect(rows[0].hex[0]).toBe("48");
    expect(rows[0].ascii).toBe("Hello, world!..A");
    expect(rows[1].address).toBe(0x1010n);
    expect(rows[1].hex.slice(0, 5)).toEqual(["42", "43", "44", "45", ""]);
  });
  it("parses byte text in several spellings", () => {
    expect(Array.from(parseHexBytes("90 90 cc"))).toEqual([0x90, 0x90, 0xcc]);
    expect(Array.from(parseHexBytes("9090cc"))).toEqual([0x90, 0x90, 0xcc]);
    expect(Array.from(parseHexBytes("0x90,0xf"))).toEqual([0x90, 0x0f]);
    expect(parseHexBytes("  ").length).toBe(0);
    expect(() => parseHexBytes("9g")).toThrow(/not hex/);
  });
  it("formats and decodes base64", () => {
    expect(bytesToHex([0, 255, 16])).toBe("00 ff 10");
    expect(Array.from(base64ToBytes("AQID"))).toEqual([1, 2, 3]);
  });
});
