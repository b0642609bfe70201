package dev.restvisor.core.cpu.fpu;

import dev.restvisor.core.cpu.state.FpuState;

/**
 * The x87 register stack and status bookkeeping over {@link FpuState} (SDM Vol. 1 8.1): TOP, the tag word
 * (kept as the full 2-bit tags of Figure 8-7, recomputed from the contents on every write), the condition
 * codes, and the exception flags with their masked responses (4.9.1, 8.5). Stack faults are invalid-operation
 * exceptions with SF set and C1 telling overflow (1) from underflow (0) (8.5.1.1); a masked one delivers the
 * real indefinite. An unmasked IE, DE or ZE leaves the destination and TOP unchanged; an unmasked OE or UE
 * delivers the exponent-adjusted result (X87Math). Every unmasked exception sets ES and B, and the next
 * waiting x87 instruction raises #MF (the executor checks {@link #pending()}).
 *
 * <p>The memory operand of an instruction is first converted by one of the load methods into the source
 * operand (src), then the instruction method runs. Store methods leave the memory image in {@link #out} and
 * return whether to write it. Nothing here allocates except the transcendental and square-root paths.
 */
public final class X87Unit {
    public static final int C0 = 0x100, C1 = 0x200, C2 = 0x400, C3 = 0x4000;
    private static final int CC = C0 | C1 | C2 | C3;

    public final FpuState f;
    public final X87Math math = new X87Math();

    /** The converted memory operand and the exceptions its conversion raised. */
    private int srcSe;
    private long srcM;
    private int srcFlags;

    /** A memory image to store: out (low 64 bits) and outHigh (bits 79:64 of an 80-bit image). */
    public long out;
    public int outHigh;

    public X87Unit(FpuState f) {
        this.f = f;
    }

    // ---------------------------------------------------------------------------------------- the stack

    public int top() {
        return f.fsw >>> 11 & 7;
    }

    private void setTop(int t) {
        f.fsw = (f.fsw & ~0x3800) | (t & 7) << 11;
    }

    public int physical(int i) {
        return (top() + i) & 7;
    }

    public boolean empty(int i) {
        return (f.ftw >>> (2 * physical(i)) & 3) == 3;
    }

    public int se(int i) {
        return f.stExponent[physical(i)];
    }

    public long m(int i) {
        return f.stMantissa[physical(i)];
    }

    public void set(int i, int se, long m) {
        int p = physical(i);
        f.stExponent[p] = se & 0xffff;
        f.stMantissa[p] = m;
        f.ftw = (f.ftw & ~(3 << (2 * p))) | X87Math.tag(se, m) << (2 * p);
    }

    private void setEmpty(int i) {
        f.ftw |= 3 << (2 * physical(i));
    }

    public void push(int se, long m) {
        setTop(top() - 1);
        set(0, se, m);
    }

    public void pop() {
        setEmpty(0);
        setTop(top() + 1);
    }

    private void pops(int n) {
        for (int i = 0; i < n; i++) {
            pop();
        }
    }

    /** The full tag word recomputed from the register contents (FNSTENV/FNSAVE, after FLDENV/FXRSTOR). */
    public void retag() {
        int tw = 0;
        for (int p = 0; p < 8; p++) {
            int t = (f.ftw >>> (2 * p) & 3) == 3 ? 3 : X87Math.tag(f.stExponent[p], f.stMantissa[p]);
            tw |= t << (2 * p);
        }
        f.ftw = tw;
    }

    /** An unmasked exception is pending: the next waiting instruction raises #MF. */
    public boolean pending() {
        return (f.fsw & 0x80) != 0;
    }

    public void updateSummary() {
        if ((f.fsw & ~f.fcw & 0x3f) != 0) {
            f.fsw |= 0x8080;
        } else {
            f.fsw &= ~0x8080;
        }
    }

    // ---------------------------------------------------------------------------------------- exceptions

    private boolean masked(int exceptions) {
        return (exceptions & ~f.fcw & 0x3f) == 0;
    }

    /**
     * Records the flags of an operation (exception bits sticky, C1 as given) and tells whether the result
     * may be written: not when an unmasked IE, DE or ZE occurred.
     */
    private boolean commit(int flags) {
        int pre = X87Math.IE | X87Math.DE | X87Math.ZE | X87Math.SF;
        boolean ok = masked(flags & pre);
        if (!ok) {
            // an unmasked pre-computation exception: the operation is not performed (SDM Vol. 1 8.5); a stack
            // fault still tells overflow from underflow in C1
            flags &= pre | ((flags & X87Math.SF) != 0 ? C1 : 0);
        }
        f.fsw = (f.fsw & ~C1) | (flags & (0x7f | C1));
        updateSummary();
        return ok;
    }

    /** A stack fault: overflow (C1 = 1) or underflow. Returns true if masked (write the indefinite). */
    private boolean stackFault(boolean overflow) {
        return commit(X87Math.IE | X87Math.SF | (overflow ? C1 : 0));
    }

    /**
     * The stack checks of an instruction that replaces ST(0) from its value and, with pushes, also pushes
     * (FSINCOS, FPTAN, FXTRACT): an empty ST(0) is an underflow, a full ST(7) before a push an overflow; a masked
     * stack fault writes the indefinite to ST(0) and pushes the indefinite as well.
     *
     * @return false if a stack fault ends the instruction
     */
    private boolean stackReady(boolean pushes) {
        boolean underflow = empty(0);
        if (underflow || (pushes && !empty(7))) {
            if (stackFault(!underflow)) {
                set(0, X87Math.INDEFINITE_SE, X87Math.INDEFINITE_M);
                if (pushes) {
                    push(X87Math.INDEFINITE_SE, X87Math.INDEFINITE_M);
                }
            }
            return false;
        }
        return true;
    }

    private void prepare() {
        math.fcw = f.fcw;
    }

    private void setCc(int cc) {
        f.fsw = (f.fsw & ~(C0 | C2 | C3)) | (cc & (C0 | C2 | C3));
    }

    // ---------------------------------------------------------------------------------------- memory sources

    public void loadSingle(int bits) {
        math.fromSingle(bits);
        src();
    }

    public void loadDouble(long bits) {
        math.fromDouble(bits);
        src();
    }

    public void loadInteger(long v) {
        math.fromLong(v);
        src();
    }

    public void loadExtended(int se, long m) {
        srcSe = se & 0xffff;
        srcM = m;
        srcFlags = 0;
    }

    /** FBLD's packed BCD: 18 digits in lo (72 bits: lo and the low byte of hi), the sign in bit 7 of hi's byte 1. */
    public void loadBcd(long lo, int hi) {
        long v = 0;
        for (int i = 8; i >= 0; i--) {
            int b = i == 8 ? hi & 0xff : (int) (lo >>> (8 * i)) & 0xff;
            v = v * 100 + (b >>> 4) * 10 + (b & 15);
        }
        math.fromLong(v);
        src();
        if ((hi & 0x8000) != 0) {
            srcSe |= 0x8000;
        }
    }

    private void src() {
        srcSe = math.se;
        srcM = math.m;
        srcFlags = math.flags;
    }

    // ---------------------------------------------------------------------------------------- data transfer

    /** FLD/FILD/FBLD of the converted memory source: m32/m64 SNaNs raise IE and load quieted. */
    public void loadSource(boolean quietSnan) {
        int flags = srcFlags;
        int se = srcSe;
        long m = srcM;
        if (quietSnan && X87Math.classify(se, m) == X87Math.SNAN) {
            flags |= X87Math.IE;
            m |= X87Math.QUIET;
        }
        pushChecked(se, m, flags);
    }

    /** FLD ST(i). */
    public void loadRegister(int i) {
        if (empty(i)) {
            if (!empty(7)) {
                pushChecked(0, 0, 0);
                return;
            }
            if (stackFault(false)) {
                push(X87Math.INDEFINITE_SE, X87Math.INDEFINITE_M);
            }
            return;
        }
        pushChecked(se(i), m(i), 0);
    }

    private void pushChecked(int se, long m, int flags) {
        if (!empty(7)) {
            if (stackFault(true)) {
                push(X87Math.INDEFINITE_SE, X87Math.INDEFINITE_M);
            }
            return;
        }
        // a load completes despite an unmasked denormal-operand exception (checked against the host)
        commit(flags);
        if (masked(flags & X87Math.IE)) {
            push(se, m);
        }
    }

    /** FLD1, FLDL2T, FLDL2E, FLDPI, FLDLG2, FLDLN2, FLDZ: rounded under RC, no exceptions but #IS. */
    public void loadConstant(int which) {
        if (which == 0) {
            pushChecked(X87Math.BIAS, X87Math.INTEGER_BIT, 0);
        } else if (which == 6) {
            pushChecked(0, 0, 0);
        } else {
            prepare();
            X87Transcendental.constant(math, which - 1);
            pushChecked(math.se, math.m, 0);
        }
    }

    /** Memory formats of the store methods. */
    public static final int SINGLE = 4, DOUBLE = 8, EXTENDED = 10;

    /**
     * FST/FSTP to memory in the given format: leaves the image in out/outHigh and returns whether to write it
     * (not on an unmasked exception; then nothing pops).
     */
    public boolean storeFloat(int format, int pops) {
        if (empty(0)) {
            if (!stackFault(false)) {
                return false;
            }
            switch (format) {
                case SINGLE -> out = 0xffc00000L;
                case DOUBLE -> out = 0xfff8000000000000L;
                default -> {
                    out = X87Math.INDEFINITE_M;
                    outHigh = X87Math.INDEFINITE_SE;
                }
            }
            pops(pops);
            return true;
        }
        int flags = 0;
        if (format == EXTENDED) {
            out = m(0);
            outHigh = se(0);
        } else {
            prepare();
            if (format == SINGLE) {
                math.toSingle(se(0), m(0));
            } else {
                math.toDouble(se(0), m(0));
            }
            flags = math.flags;
            out = math.store;
        }
        boolean ok = commit(flags) && masked(flags & (X87Math.OE | X87Math.UE));
        if (ok) {
            pops(pops);
        }
        return ok;
    }

    /**
     * FST/FSTP ST(i). The reserved alias D9 D8+i (FSTP1) raises no stack underflow: it copies ST(0) with its
     * tag, as the processors do (checked against the host).
     */
    public void storeRegister(int i, int pops, boolean noUnderflow) {
        if (noUnderflow) {
            int p0 = physical(0), pi = physical(i);
            f.stExponent[pi] = f.stExponent[p0];
            f.stMantissa[pi] = f.stMantissa[p0];
            int t = f.ftw >>> (2 * p0) & 3;
            f.ftw = (f.ftw & ~(3 << (2 * pi))) | t << (2 * pi);
            commit(0);
            pops(pops);
            return;
        }
        if (empty(0)) {
            if (stackFault(false)) {
                set(i, X87Math.INDEFINITE_SE, X87Math.INDEFINITE_M);
                pops(pops);
            }
            return;
        }
        commit(0);
        set(i, se(0), m(0));
        pops(pops);
    }

    /** FIST/FISTP (truncate false) and FISTTP: an integer of size bytes into out. */
    public boolean storeInteger(int size, boolean truncate, int pops) {
        long indefinite = 1L << (8 * size - 1);
        if (empty(0)) {
            if (!stackFault(false)) {
                return false;
            }
            out = indefinite;
            pops(pops);
            return true;
        }
        prepare();
        math.toInteger(se(0), m(0), size, truncate);
        out = math.store;
        boolean ok = commit(math.flags);
        if (ok) {
            pops(pops);
        }
        return ok;
    }

    /** FBSTP: ST(0) rounded under RC to 18 packed BCD digits into out/outHigh. */
    public boolean storeBcd() {
        if (empty(0)) {
            if (!stackFault(false)) {
                return false;
            }
            bcdIndefinite();
            pop();
            return true;
        }
        prepare();
        math.toInteger(se(0), m(0), 8, false);
        int flags = math.flags;
        long v = math.store;
        int sign = se(0) >>> 15 & 1;
        if ((flags & X87Math.IE) == 0 && (v == Long.MIN_VALUE || Math.abs(v) > 999_999_999_999_999_999L)) {
            flags = (flags & ~(X87Math.PE | C1)) | X87Math.IE;
        }
        if (!commit(flags)) {
            return false;
        }
        if ((flags & X87Math.IE) != 0) {
            bcdIndefinite();
        } else {
            long mag = Math.abs(v);
            long lo = 0;
            for (int i = 0; i < 8; i++) {
                long d = mag % 100;
                mag /= 100;
                lo |= ((d / 10) << 4 | (d % 10)) << (8 * i);
            }
            long d = mag % 100;
            out = lo;
            outHigh = (int) ((d / 10) << 4 | (d % 10)) | (sign != 0 ? 0x8000 : 0);
        }
        pop();
        return true;
    }

    private void bcdIndefinite() {
        out = 0xc000000000000000L;
        outHigh = 0xffff;
    }

    /** FXCH ST(i): an empty register takes part as the indefinite (masked #IS). */
    public void exchange(int i) {
        if (empty(0) || empty(i)) {
            if (!stackFault(false)) {
                return;
            }
            int se0 = empty(0) ? X87Math.INDEFINITE_SE : se(0);
            long m0 = empty(0) ? X87Math.INDEFINITE_M : m(0);
            int sei = empty(i) ? X87Math.INDEFINITE_SE : se(i);
            long mi = empty(i) ? X87Math.INDEFINITE_M : m(i);
            set(0, sei, mi);
            set(i, se0, m0);
            return;
        }
        commit(0);
        int se0 = se(0);
        long m0 = m(0);
        set(0, se(i), m(i));
        set(i, se0, m0);
    }

    /** FCMOVcc: copies ST(i) to ST(0) if the condition holds. */
    public void conditionalMove(int i, boolean condition) {
        if (empty(0) || empty(i)) {
            // a masked underflow writes the indefinite whatever the condition
            if (stackFault(false)) {
                set(0, X87Math.INDEFINITE_SE, X87Math.INDEFINITE_M);
            }
            return;
        }
        commit(0);
        if (condition) {
            set(0, se(i), m(i));
        }
    }

    public void free(int i, int pops) {
        setEmpty(i);
        pops(pops);
    }

    public void incrementTop(int delta) {
        f.fsw &= ~C1;
        setTop(top() + delta);
    }

    // ---------------------------------------------------------------------------------------- arithmetic

    /**
     * FADD..FDIVR with register operands: ST(0) op ST(i), the result to ST(0) or, with toSti, to ST(i), then
     * pops.
     */
    public void arithmetic(int op, int i, boolean toSti, int pops) {
        int dst = toSti ? i : 0;
        if (empty(0) || empty(i)) {
            if (stackFault(false)) {
                set(dst, X87Math.INDEFINITE_SE, X87Math.INDEFINITE_M);
                pops(pops);
            }
            return;
        }
        prepare();
        math.binary(op, se(0), m(0), se(i), m(i));
        if (commit(math.flags)) {
            set(dst, math.se, math.m);
            pops(pops);
        }
    }

    /** FADD..FDIVR and FIADD..FIDIVR with the converted memory source: ST(0) = ST(0) op src. */
    public void arithmeticSource(int op) {
        if (!stackReady(false)) {
            return;
        }
        prepare();
        math.binary(op, se(0), m(0), srcSe, srcM);
        if (commit(math.flags | sourceFlags())) {
            set(0, math.se, math.m);
        }
    }

    private static final int[] COMPARE_CC = {0, C0, C3, C3 | C2 | C0};

    /** FCOM/FCOMP/FCOMPP/FUCOM*: ST(0) with ST(i) (or the source when i < 0). */
    public void compare(int i, boolean quiet, int pops) {
        boolean emptySrc = i >= 0 && empty(i);
        // the condition codes are set even when an unmasked exception suppresses the pop
        if (empty(0) || emptySrc) {
            setCc(C3 | C2 | C0);
            if (stackFault(false)) {
                pops(pops);
            }
            return;
        }
        prepare();
        int r = i >= 0 ? math.compare(se(0), m(0), se(i), m(i), quiet)
                : math.compare(se(0), m(0), srcSe, srcM, quiet);
        setCc(COMPARE_CC[r]);
        if (commit(math.flags | sourceFlags())) {
            pops(pops);
        }
    }

    /** The conversion flags of the memory source (DE) unless a NaN operand or division by zero took precedence. */
    private int sourceFlags() {
        return math.nanOperand || (math.flags & X87Math.ZE) != 0 ? 0 : srcFlags;
    }

    /**
     * FCOMI/FUCOMI(P): returns the ZF/PF/CF pattern (bits 6, 2, 0) to set in EFLAGS, also when an unmasked
     * exception suppresses the pop.
     */
    public int compareFlags(int i, boolean quiet, int pops) {
        if (empty(0) || empty(i)) {
            if (stackFault(false)) {
                pops(pops);
            }
            return 0x45;
        }
        prepare();
        int r = math.compare(se(0), m(0), se(i), m(i), quiet);
        if (commit(math.flags)) {
            pops(pops);
        }
        return switch (r) {
            case 0 -> 0;
            case 1 -> 1;
            case 2 -> 0x40;
            default -> 0x45;
        };
    }

    /** FTST: ST(0) with +0.0. */
    public void test() {
        loadExtended(0, 0);
        compare(-1, false, 0);
    }

    /** FXAM (SDM Vol. 2A "FXAM" table): C1 the sign, C3 C2 C0 the class; an empty register is 101. */
    public void examine() {
        int se = se(0);
        long m = m(0);
        int cc = (se & 0x8000) != 0 ? C1 : 0;
        if (empty(0)) {
            cc |= C3 | C0;
        } else {
            cc |= switch (X87Math.classify(se, m)) {
                case X87Math.UNSUPPORTED -> 0;
                case X87Math.QNAN, X87Math.SNAN -> C0;
                case X87Math.NORMAL -> C2;
                case X87Math.INF -> C2 | C0;
                case X87Math.ZERO -> C3;
                default -> C3 | C2;
            };
        }
        f.fsw = (f.fsw & ~CC) | cc;
    }

    /** FCHS (negate true) and FABS: sign only, no exceptions but #IS. */
    public void sign(boolean negate) {
        if (!stackReady(false)) {
            return;
        }
        commit(0);
        int se = se(0);
        set(0, negate ? se ^ 0x8000 : se & 0x7fff, m(0));
    }

    /** The unary operations that replace ST(0): FSQRT, FRNDINT, F2XM1, FSIN, FCOS. */
    public static final int SQRT = 0, RNDINT = 1, F2XM1 = 2, SIN = 3, COS = 4;

    public void unary(int op) {
        if (!stackReady(false)) {
            return;
        }
        prepare();
        int se = se(0);
        long m = m(0);
        f.fsw &= ~C2;
        switch (op) {
            case SQRT -> math.sqrt(se, m);
            case RNDINT -> math.roundInt(se, m);
            case F2XM1 -> twoToXMinus1(se, m);
            default -> {
                if (!trigOperand(se, m, op == SIN ? 0 : 1)) {
                    return;
                }
            }
        }
        if (commit(math.flags)) {
            set(0, math.se, math.m);
        }
    }

    /**
     * The common part of FSIN/FCOS/FPTAN/FSINCOS: NaN, infinity (IE), |x| >= 2^63 (C2 set, nothing changes),
     * zero. Leaves the result of which (0 sin, 1 cos, 2 tan) in math.
     *
     * @return false if the instruction is finished (out of range)
     */
    private boolean trigOperand(int se, long m, int which) {
        math.flags = 0;
        int cls = X87Math.classify(se, m);
        switch (cls) {
            case X87Math.UNSUPPORTED, X87Math.INF -> nan(X87Math.INDEFINITE_SE, X87Math.INDEFINITE_M, X87Math.IE);
            case X87Math.SNAN -> nan(se, m | X87Math.QUIET, X87Math.IE);
            case X87Math.QNAN -> nan(se, m, 0);
            case X87Math.ZERO -> {
                if (which == 1) {
                    math.se = X87Math.BIAS;
                    math.m = X87Math.INTEGER_BIT;
                } else {
                    math.se = se;
                    math.m = m;
                }
            }
            default -> {
                int e = se & 0x7fff;
                if (e >= X87Math.BIAS + 63) {
                    f.fsw |= C2;
                    commit(0);
                    return false;
                }
                X87Transcendental.trig(math, which, se >>> 15 & 1, X87Math.unpackedExponent(se, m),
                        X87Math.unpackedSignificand(se, m));
                math.flags |= denormalFlag(cls) | X87Math.PE;
            }
        }
        return true;
    }

    /** DE for a denormal operand (SDM Vol. 1 4.9.1.3), else nothing. */
    private static int denormalFlag(int cls) {
        return cls == X87Math.DENORMAL ? X87Math.DE : 0;
    }

    private void nan(int se, long m, int flags) {
        math.se = se;
        math.m = m;
        math.flags = flags;
    }

    private void twoToXMinus1(int se, long m) {
        math.flags = 0;
        int cls = X87Math.classify(se, m);
        switch (cls) {
            case X87Math.UNSUPPORTED -> nan(X87Math.INDEFINITE_SE, X87Math.INDEFINITE_M, X87Math.IE);
            case X87Math.SNAN -> nan(se, m | X87Math.QUIET, X87Math.IE);
            case X87Math.QNAN, X87Math.ZERO -> nan(se, m, 0);
            case X87Math.INF -> {
                if ((se & 0x8000) != 0) {
                    nan(0x8000 | X87Math.BIAS, X87Math.INTEGER_BIT, 0);
                } else {
                    nan(se, m, 0);
                }
            }
            default -> {
                X87Transcendental.exp2m1(math, se >>> 15 & 1, X87Math.unpackedExponent(se, m),
                        X87Math.unpackedSignificand(se, m));
                math.flags |= denormalFlag(cls) | X87Math.PE;
            }
        }
    }

    /** FSINCOS (which 1: ST(0) = cos, push... as SDM: ST(1) = sin, ST(0) = cos) and FPTAN (which 2). */
    public void pushingTrig(boolean tangent) {
        if (!stackReady(true)) {
            return;
        }
        int se = se(0);
        long m = m(0);
        prepare();
        f.fsw &= ~C2;
        if (!trigOperand(se, m, tangent ? 2 : 0)) {
            return;
        }
        int firstSe = math.se;
        long firstM = math.m;
        int flags = math.flags;
        int secondSe;
        long secondM;
        int cls = X87Math.classify(se, m);
        if (X87Math.isNaN(cls) || cls == X87Math.UNSUPPORTED || cls == X87Math.INF) {
            secondSe = firstSe;
            secondM = firstM;
        } else if (tangent) {
            secondSe = X87Math.BIAS;
            secondM = X87Math.INTEGER_BIT;
        } else {
            trigOperand(se, m, 1);
            secondSe = math.se;
            secondM = math.m;
            flags |= math.flags & ~X87Math.C1;
        }
        if (commit(flags)) {
            set(0, firstSe, firstM);
            push(secondSe, secondM);
        }
    }

    /** The operations on ST(0) and ST(1): FSCALE, FPREM, FPREM1 (result in ST(0)), FPATAN, FYL2X, FYL2XP1 (pop). */
    public static final int SCALE = 0, PREM = 1, PREM1 = 2, PATAN = 3, YL2X = 4, YL2XP1 = 5;

    public void binaryStack(int op) {
        boolean popping = op >= PATAN;
        if (empty(0) || empty(1)) {
            if (stackFault(false)) {
                set(popping ? 1 : 0, X87Math.INDEFINITE_SE, X87Math.INDEFINITE_M);
                if (popping) {
                    pop();
                }
            }
            return;
        }
        prepare();
        int cc = -1;
        switch (op) {
            case SCALE -> math.scale(se(0), m(0), se(1), m(1));
            case PREM, PREM1 -> cc = math.remainder(se(0), m(0), se(1), m(1), op == PREM1);
            case PATAN -> X87Transcendental.fpatan(math, se(1), m(1), se(0), m(0));
            case YL2X -> X87Transcendental.fyl2x(math, se(1), m(1), se(0), m(0));
            default -> X87Transcendental.fyl2xp1(math, se(1), m(1), se(0), m(0));
        }
        int flags = math.flags;
        if (cc >= 0) {
            flags = (flags & ~C1) | (cc & C1);
        }
        if (commit(flags)) {
            if (cc >= 0) {
                setCc(cc);
            }
            if (popping) {
                set(1, math.se, math.m);
                pop();
            } else {
                set(0, math.se, math.m);
            }
        }
    }

    /** FXTRACT: ST(0) = the significand, then the exponent is below it. */
    public void extract() {
        if (!stackReady(true)) {
            return;
        }
        prepare();
        int se = se(0);
        long m = m(0);
        int cls = X87Math.classify(se, m);
        int expSe, sigSe, flags = 0;
        long expM, sigM;
        switch (cls) {
            case X87Math.UNSUPPORTED, X87Math.SNAN, X87Math.QNAN -> {
                boolean unsupported = cls == X87Math.UNSUPPORTED;
                flags = cls == X87Math.QNAN ? 0 : X87Math.IE;
                expSe = sigSe = unsupported ? X87Math.INDEFINITE_SE : se;
                expM = sigM = unsupported ? X87Math.INDEFINITE_M : m | X87Math.QUIET;
            }
            case X87Math.ZERO -> {
                flags = X87Math.ZE;
                expSe = 0xffff;
                expM = X87Math.INTEGER_BIT;
                sigSe = se;
                sigM = m;
            }
            case X87Math.INF -> {
                expSe = 0x7fff;
                expM = X87Math.INTEGER_BIT;
                sigSe = se;
                sigM = m;
            }
            default -> {
                math.extract(se, m);
                flags = math.flags;
                sigSe = math.se;
                sigM = math.m;
                math.fromLong(math.extractExponent);
                expSe = math.se;
                expM = math.m;
            }
        }
        if (commit(flags)) {
            set(0, expSe, expM);
            push(sigSe, sigM);
        }
    }
}
