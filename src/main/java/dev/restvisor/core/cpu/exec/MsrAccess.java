package dev.restvisor.core.cpu.exec;

import dev.restvisor.core.cpu.state.ControlRegisters;
import dev.restvisor.core.cpu.state.CpuState;
import dev.restvisor.core.cpu.state.Msrs;
import dev.restvisor.core.cpu.state.SegmentRegister;

/**
 * RDMSR/WRMSR and the host's KVM_GET/SET_MSRS over the MSRs of {@link Msrs} (SDM Vol. 4 Table 2-2).
 * An index not in {@link #INDEX_LIST}, a write of a read-only MSR or of a reserved bit is #GP(0).
 * The TSC is the clock in nanoseconds (a 1 GHz TSC) plus {@code msrs.tscOffset}.
 */
public final class MsrAccess {
    /** Every implemented index, in ascending unsigned order: KVM_GET_MSR_INDEX_LIST. */
    private static final int[] INDEX_LIST = buildIndexList();

    private static final long EFER_WRITABLE = ControlRegisters.EFER_SCE | ControlRegisters.EFER_LME
            | ControlRegisters.EFER_NXE;

    private MsrAccess() {
    }

    private static int[] buildIndexList() {
        int[] fixed = {Msrs.IA32_TSC, Msrs.IA32_APIC_BASE, Msrs.IA32_BIOS_SIGN_ID, Msrs.IA32_MTRRCAP, Msrs.IA32_SYSENTER_CS,
            Msrs.IA32_SYSENTER_ESP, Msrs.IA32_SYSENTER_EIP, Msrs.IA32_MISC_ENABLE, Msrs.IA32_MTRR_FIX64K_00000,
            Msrs.IA32_MTRR_FIX16K_80000, Msrs.IA32_MTRR_FIX16K_A0000, Msrs.IA32_PAT, Msrs.IA32_MTRR_DEF_TYPE,
            Msrs.IA32_EFER, Msrs.IA32_STAR, Msrs.IA32_LSTAR, Msrs.IA32_CSTAR, Msrs.IA32_FMASK, Msrs.IA32_FS_BASE,
            Msrs.IA32_GS_BASE, Msrs.IA32_KERNEL_GS_BASE, Msrs.IA32_TSC_AUX};
        int[] all = new int[fixed.length + 16 + 8];
        System.arraycopy(fixed, 0, all, 0, fixed.length);
        for (int i = 0; i < 16; i++) {
            all[fixed.length + i] = Msrs.IA32_MTRR_PHYSBASE0 + i;
        }
        for (int i = 0; i < 8; i++) {
            all[fixed.length + 16 + i] = Msrs.IA32_MTRR_FIX4K_C0000 + i;
        }
        return java.util.Arrays.stream(all).boxed().sorted(Integer::compareUnsigned).mapToInt(Integer::intValue)
                .toArray();
    }

    public static int[] indexList() {
        return INDEX_LIST.clone();
    }

    /** The TSC as RDTSC reads it. */
    static long tsc(CpuState s, CpuConfig config) {
        return config.clock().nanos() + s.msrs.tscOffset;
    }

    /** Reads an MSR; #GP(0) for an index that is not implemented. */
    static long read(CpuState s, CpuConfig config, int index) {
        Msrs m = s.msrs;
        if (index >= Msrs.IA32_MTRR_PHYSBASE0 && index < Msrs.IA32_MTRR_PHYSBASE0 + 16) {
            return m.mtrrVariable[index - Msrs.IA32_MTRR_PHYSBASE0];
        }
        int fixed = fixedMtrr(index);
        if (fixed >= 0) {
            return m.mtrrFixed[fixed];
        }
        return switch (index) {
            case Msrs.IA32_TSC -> tsc(s, config);
            case Msrs.IA32_APIC_BASE -> s.apicBase;
            // No microcode update is ever loaded: the revision that WRMSR 0 + CPUID.1 latches (SDM Vol. 3A 10.11.7.1) is 0.
            case Msrs.IA32_BIOS_SIGN_ID -> 0;
            // 8 variable ranges, fixed ranges, write-combining (SDM Vol. 3A 12.11.2.1)
            case Msrs.IA32_MTRRCAP -> 0x508;
            case Msrs.IA32_SYSENTER_CS -> m.sysenterCs;
            case Msrs.IA32_SYSENTER_ESP -> m.sysenterEsp;
            case Msrs.IA32_SYSENTER_EIP -> m.sysenterEip;
            case Msrs.IA32_MISC_ENABLE -> m.miscEnable;
            case Msrs.IA32_PAT -> m.pat;
            case Msrs.IA32_MTRR_DEF_TYPE -> m.mtrrDefType;
            case Msrs.IA32_EFER -> s.efer;
            case Msrs.IA32_STAR -> m.star;
            case Msrs.IA32_LSTAR -> m.lstar;
            case Msrs.IA32_CSTAR -> m.cstar;
            case Msrs.IA32_FMASK -> m.fmask;
            case Msrs.IA32_FS_BASE -> s.seg[SegmentRegister.FS].base();
            case Msrs.IA32_GS_BASE -> s.seg[SegmentRegister.GS].base();
            case Msrs.IA32_KERNEL_GS_BASE -> m.kernelGsBase;
            case Msrs.IA32_TSC_AUX -> m.tscAux;
            default -> throw GuestFault.gp(0);
        };
    }

    private static int fixedMtrr(int index) {
        if (index == Msrs.IA32_MTRR_FIX64K_00000) {
            return 0;
        }
        if (index == Msrs.IA32_MTRR_FIX16K_80000) {
            return 1;
        }
        if (index == Msrs.IA32_MTRR_FIX16K_A0000) {
            return 2;
        }
        if (index >= Msrs.IA32_MTRR_FIX4K_C0000 && index < Msrs.IA32_MTRR_FIX4K_C0000 + 8) {
            return 3 + index - Msrs.IA32_MTRR_FIX4K_C0000;
        }
        return -1;
    }

    /** A memory type an MTRR or PAT entry may hold: UC, WC, WT, WP, WB (and UC- for PAT). */
    private static boolean validType(long t, boolean pat) {
        return t == 0 || t == 1 || t == 4 || t == 5 || t == 6 || (pat && t == 7);
    }

    private static void requireCanonical(long v) {
        if (!Segmentation.canonical(v)) {
            throw GuestFault.gp(0);
        }
    }

    /**
     * Writes an MSR with the checks of WRMSR. {@code host} is KVM_SET_MSRS: EFER.LMA may then be set
     * directly (the host installs a long-mode state) and EFER.LME may change while paging is on.
     *
     * @return true when the write changed EFER (the caller flushes the TLB)
     */
    static boolean write(CpuState s, CpuConfig config, int index, long v, boolean host) {
        Msrs m = s.msrs;
        if (index >= Msrs.IA32_MTRR_PHYSBASE0 && index < Msrs.IA32_MTRR_PHYSBASE0 + 16) {
            boolean base = (index & 1) == 0;
            long reserved = base ? ~((1L << 52) - 1) | 0xf00L : ~((1L << 52) - 1) | 0x7ffL;
            if ((v & reserved) != 0 || (base && !validType(v & 0xff, false))) {
                throw GuestFault.gp(0);
            }
            m.mtrrVariable[index - Msrs.IA32_MTRR_PHYSBASE0] = v;
            return false;
        }
        int fixed = fixedMtrr(index);
        if (fixed >= 0) {
            for (int i = 0; i < 8; i++) {
                if (!validType((v >>> (8 * i)) & 0xff, false)) {
                    throw GuestFault.gp(0);
                }
            }
            m.mtrrFixed[fixed] = v;
            return false;
        }
        switch (index) {
            case Msrs.IA32_TSC -> m.tscOffset = v - config.clock().nanos();
            case Msrs.IA32_APIC_BASE -> {
                // BSP (8), x2APIC enable (10), global enable (11), base 51:12
                if ((v & ~(0x000f_ffff_ffff_f000L | 0xd00L)) != 0) {
                    throw GuestFault.gp(0);
                }
                s.apicBase = v;
            }
            case Msrs.IA32_BIOS_SIGN_ID -> { } // software writes 0 before CPUID.1 to latch the revision, which stays 0
            case Msrs.IA32_SYSENTER_CS -> m.sysenterCs = v & 0xffffffffL;
            case Msrs.IA32_SYSENTER_ESP -> {
                requireCanonical(v);
                m.sysenterEsp = v;
            }
            case Msrs.IA32_SYSENTER_EIP -> {
                requireCanonical(v);
                m.sysenterEip = v;
            }
            case Msrs.IA32_MISC_ENABLE -> m.miscEnable = v;
            case Msrs.IA32_PAT -> {
                for (int i = 0; i < 8; i++) {
                    if (!validType((v >>> (8 * i)) & 0xff, true)) {
                        throw GuestFault.gp(0);
                    }
                }
                m.pat = v;
            }
            case Msrs.IA32_MTRR_DEF_TYPE -> {
                if ((v & ~0xcffL) != 0 || !validType(v & 0xff, false)) {
                    throw GuestFault.gp(0);
                }
                m.mtrrDefType = v;
            }
            case Msrs.IA32_EFER -> {
                return writeEfer(s, v, host);
            }
            case Msrs.IA32_STAR -> m.star = v;
            case Msrs.IA32_LSTAR -> {
                requireCanonical(v);
                m.lstar = v;
            }
            case Msrs.IA32_CSTAR -> {
                requireCanonical(v);
                m.cstar = v;
            }
            case Msrs.IA32_FMASK -> m.fmask = v & 0xffffffffL;
            case Msrs.IA32_FS_BASE -> {
                requireCanonical(v);
                s.seg[SegmentRegister.FS] = s.seg[SegmentRegister.FS].withBase(v);
            }
            case Msrs.IA32_GS_BASE -> {
                requireCanonical(v);
                s.seg[SegmentRegister.GS] = s.seg[SegmentRegister.GS].withBase(v);
            }
            case Msrs.IA32_KERNEL_GS_BASE -> {
                requireCanonical(v);
                m.kernelGsBase = v;
            }
            case Msrs.IA32_TSC_AUX -> {
                if ((v >>> 32) != 0) {
                    throw GuestFault.gp(0);
                }
                m.tscAux = v;
            }
            default -> throw GuestFault.gp(0);
        }
        return false;
    }

    /** EFER (SDM Vol. 3A 2.2.1, 9.8.5): LME may not change while paging is on; LMA follows CR0.PG. */
    private static boolean writeEfer(CpuState s, long v, boolean host) {
        long writable = host ? EFER_WRITABLE | ControlRegisters.EFER_LMA : EFER_WRITABLE;
        if ((v & ~writable & ~ControlRegisters.EFER_LMA) != 0) {
            throw GuestFault.gp(0);
        }
        long old = s.efer;
        if (!host && (s.cr0 & ControlRegisters.CR0_PG) != 0
                && ((v ^ old) & ControlRegisters.EFER_LME) != 0) {
            throw GuestFault.gp(0);
        }
        s.efer = (v & writable) | (host ? 0 : old & ControlRegisters.EFER_LMA);
        return s.efer != old;
    }
}
