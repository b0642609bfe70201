package dev.restvisor.core.cpu.state;

import java.util.Arrays;

/**
 * The model-specific registers a vcpu implements, by their SDM Vol. 4 indices. EFER and APIC_BASE
 * live in {@link CpuState} because kvm_sregs carries them; the executor routes those indices there.
 */
public final class Msrs {
    public static final int IA32_TSC = 0x10;
    public static final int IA32_APIC_BASE = 0x1b;
    /** Microcode update signature: the loaded update's revision in bits 63:32 (none here, so 0). */
    public static final int IA32_BIOS_SIGN_ID = 0x8b;
    public static final int IA32_MTRRCAP = 0xfe;
    public static final int IA32_SYSENTER_CS = 0x174;
    public static final int IA32_SYSENTER_ESP = 0x175;
    public static final int IA32_SYSENTER_EIP = 0x176;
    public static final int IA32_MISC_ENABLE = 0x1a0;
    /** IA32_MTRR_PHYSBASE0 .. PHYSMASK7: 0x200-0x20f. */
    public static final int IA32_MTRR_PHYSBASE0 = 0x200;
    public static final int IA32_MTRR_FIX64K_00000 = 0x250;
    public static final int IA32_MTRR_FIX16K_80000 = 0x258;
    public static final int IA32_MTRR_FIX16K_A0000 = 0x259;
    /** IA32_MTRR_FIX4K_C0000 .. F8000: 0x268-0x26f. */
    public static final int IA32_MTRR_FIX4K_C0000 = 0x268;
    public static final int IA32_PAT = 0x277;
    public static final int IA32_MTRR_DEF_TYPE = 0x2ff;
    public static final int IA32_EFER = 0xc0000080;
    public static final int IA32_STAR = 0xc0000081;
    public static final int IA32_LSTAR = 0xc0000082;
    public static final int IA32_CSTAR = 0xc0000083;
    public static final int IA32_FMASK = 0xc0000084;
    public static final int IA32_FS_BASE = 0xc0000100;
    public static final int IA32_GS_BASE = 0xc0000101;
    public static final int IA32_KERNEL_GS_BASE = 0xc0000102;
    public static final int IA32_TSC_AUX = 0xc0000103;

    public long sysenterCs;
    public long sysenterEsp;
    public long sysenterEip;
    public long star;
    public long lstar;
    public long cstar;
    public long fmask;
    public long kernelGsBase;
    public long tscAux;
    public long pat;
    public long miscEnable;
    public long mtrrDefType;
    /** PHYSBASE0, PHYSMASK0, ... PHYSMASK7. */
    public final long[] mtrrVariable = new long[16];
    /** FIX64K_00000, FIX16K_80000, FIX16K_A0000, FIX4K_C0000 .. FIX4K_F8000. */
    public final long[] mtrrFixed = new long[11];
    /** Added to the clock-derived TSC so that a guest write to IA32_TSC sticks. */
    public long tscOffset;

    public void reset() {
        sysenterCs = sysenterEsp = sysenterEip = 0;
        star = lstar = cstar = fmask = kernelGsBase = tscAux = 0;
        pat = 0x0007040600070406L;
        miscEnable = 1; // fast-strings enable
        mtrrDefType = 0;
        Arrays.fill(mtrrVariable, 0);
        Arrays.fill(mtrrFixed, 0);
        tscOffset = 0;
    }

    public void copyFrom(Msrs other) {
        sysenterCs = other.sysenterCs;
        sysenterEsp = other.sysenterEsp;
        sysenterEip = other.sysenterEip;
        star = other.star;
        lstar = other.lstar;
        cstar = other.cstar;
        fmask = other.fmask;
        kernelGsBase = other.kernelGsBase;
        tscAux = other.tscAux;
        pat = other.pat;
        miscEnable = other.miscEnable;
        mtrrDefType = other.mtrrDefType;
        System.arraycopy(other.mtrrVariable, 0, mtrrVariable, 0, mtrrVariable.length);
        System.arraycopy(other.mtrrFixed, 0, mtrrFixed, 0, mtrrFixed.length);
        tscOffset = other.tscOffset;
    }
}
