import { describe, expect, it } from "vitest";
import { changedPaths, flatten, setPath } from "./regdiff";

describe("regdiff", () => {
  it("flattens nested registers", () => {
    expect(flatten({ cs: { base: "0x0", selector: 8 }, ib: ["0x0", "0x1"] })).toEqual({
      "cs.base": "0x0",
      "cs.selector": "8",
      "ib[0]": "0x0",
      "ib[1]": "0x1",
    });
  });
  it("finds changed fields, ignoring hex spelling", () => {
    const a = { rip: "0x1000", rax: "0x0", cs: { base: "0x0" } };
    const b = { rip: "0x1001", rax: "0x00", cs: { base: "0x10" } };
    expect([...changedPaths(a, b)].sort()).toEqual(["cs.base", "rip"]);
    expect(changedPaths(a, { ...a, RAX: "1" }).has("RAX")).toBe(true);
  });
  it("reports nothing without a previous read", () => {
    expect(changedPaths(undefined, { rip: "0x1" }).size).toBe(0);
  });
  it("sets a path in a copy", () => {
    const s = { cs: { base: "0x0" }, bm: ["0x0", "0x0"] };
    const t = setPath(s, "cs.base", "0x10");
    expect(t.cs.base).toBe("0x10");
    expect(s.cs.base).toBe("0x0");
    expect(setPath(s, "bm[1]", "0x2").bm).toEqual(["0x0", "0x2"]);
    expect(() => setPath(s, "nope.x", 1)).toThrow();
  });
});
