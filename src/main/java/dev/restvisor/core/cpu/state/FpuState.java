package dev.restvisor.core.cpu.state;

import java.util.Arrays;

/**
 * The x87 and SSE register state, field for field what FXSAVE stores (SDM Vol. 1 Table 10-2) and what
 * kvm_fpu carries: the x87 control, status and tag words, the last instruction and operand pointers,
 * eight 80-bit data registers, sixteen XMM registers and MXCSR.
 */
public final class FpuState {
    /** MXCSR after reset and FXRSTOR's check mask: bits beyond these are reserved (#GP). */
    public static final int MXCSR_RESET = 0x1f80;
    public static final int MXCSR_MASK = 0xffff;
    /** FCW after FNINIT (SDM Vol. 1 8.1.5). */
    public static final int FCW_INIT = 0x37f;

    /** XMM0-XMM15, register n in xmm[2n] (bits 63:0) and xmm[2n+1] (bits 127:64). */
    public final long[] xmm = new long[32];
    public int mxcsr;

    public int fcw;
    public int fsw;
    /** The full 16-bit tag word (2 bits per register, 11 = empty); FXSAVE stores its abridged form. */
    public int ftw;
    public int fop;
    public long fip;
    public int fcs;
    public long fdp;
    public int fds;
    /** ST registers by physical number: the 64-bit significand and the 16-bit sign+exponent. */
    public final long[] stMantissa = new long[8];
    public final int[] stExponent = new int[8];

    public FpuState() {
        reset();
    }

    /** Power-on values (SDM Vol. 3A Table 9-1): FCW 0x40, tags empty, MXCSR 0x1f80. */
    public void reset() {
        Arrays.fill(xmm, 0);
        mxcsr = MXCSR_RESET;
        fcw = 0x40;
        fsw = 0;
        ftw = 0xffff;
        fop = 0;
        fip = fdp = 0;
        fcs = fds = 0;
        Arrays.fill(stMantissa, 0);
        Arrays.fill(stExponent, 0);
    }

    /** FNINIT/FINIT (SDM Vol. 2A "FINIT/FNINIT"): the data registers keep their contents. */
    public void initX87() {
        fcw = FCW_INIT;
        fsw = 0;
        ftw = 0xffff;
        fop = 0;
        fip = fdp = 0;
        fcs = fds = 0;
    }
}
