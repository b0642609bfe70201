import { describe, expect, it } from "vitest";
import { Capabilities } from "./capabilities";
import { buildPath } from "./client";

describe("buildPath", () => {
  it("repeats array parameters and drops undefined ones", () => {
    expect(buildPath("/vms/1/vcpus/0/msrs", { index: ["0x10", "0xc0000080"] })).toBe("/vms/1/vcpus/0/msrs?index=0x10&index=0xc0000080");
    expect(buildPath("/vms/1/memory", { address: "0x1000", length: 16, x: undefined })).toBe("/vms/1/memory?address=0x1000&length=16");
    expect(buildPath("/vms")).toBe("/vms");
  });
});

describe("Capabilities", () => {
  it("matches paths whatever the parameter names", () => {
    const caps = new Capabilities(new Set(["/vms/{vmId}/snapshots", "/vms/{id}/actions"]), true);
    expect(caps.has("snapshots")).toBe(true);
    expect(caps.has("disassembly")).toBe(false);
    expect(caps.has("console")).toBe(true); // WebSockets come with the actions
    expect(caps.missing("disassembly", "Disassembly")).toMatch(/\/vms\/\{id\}\/vcpus\/\{n\}\/disassembly/);
  });
  it("assumes everything without a document", () => {
    expect(new Capabilities(new Set(), false).has("templates")).toBe(true);
  });
});
