// Architectural MSR names (Intel SDM Vol. 4, table 2-2) for the MSR panel: people debugging a boot
// loader think in IA32_EFER, not 0xc0000080.

const NAMES = new Map<number, string>([
  [0x10, "IA32_TIME_STAMP_COUNTER"],
  [0x1b, "IA32_APIC_BASE"],
  [0x3a, "IA32_FEATURE_CONTROL"],
  [0x8b, "IA32_BIOS_SIGN_ID"],
  [0xfe, "IA32_MTRRCAP"],
  [0x174, "IA32_SYSENTER_CS"],
  [0x175, "IA32_SYSENTER_ESP"],
  [0x176, "IA32_SYSENTER_EIP"],
  [0x1a0, "IA32_MISC_ENABLE"],
  [0x250, "IA32_MTRR_FIX64K_00000"],
  [0x258, "IA32_MTRR_FIX16K_80000"],
  [0x259, "IA32_MTRR_FIX16K_A0000"],
  [0x277, "IA32_PAT"],
  [0x2ff, "IA32_MTRR_DEF_TYPE"],
  [0xc0000080, "IA32_EFER"],
  [0xc0000081, "IA32_STAR"],
  [0xc0000082, "IA32_LSTAR"],
  [0xc0000083, "IA32_CSTAR"],
  [0xc0000084, "IA32_FMASK"],
  [0xc0000100, "IA32_FS_BASE"],
  [0xc0000101, "IA32_GS_BASE"],
  [0xc0000102, "IA32_KERNEL_GS_BASE"],
  [0xc0000103, "IA32_TSC_AUX"],
]);

/** The SDM name of an MSR, or its index in hex when it has no architectural name here. */
export function msrName(index: number): string {
  const named = NAMES.get(index);
  if (named) return named;
  if (index >= 0x200 && index <= 0x20f) return `IA32_MTRR_PHYS${index & 1 ? "MASK" : "BASE"}${(index - 0x200) >> 1}`;
  if (index >= 0x268 && index <= 0x26f) return `IA32_MTRR_FIX4K_${(0xc0000 + (index - 0x268) * 0x8000).toString(16).toUpperCase()}`;
  return "0x" + index.toString(16);
}
