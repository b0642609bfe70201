package dev.restvisor.core.cpu.exec;

import dev.restvisor.core.cpu.state.Rflags;

/**
 * The six arithmetic status flags (CF PF AF ZF SF OF), kept lazily: an instruction records its
 * operation, operands, result and width, and each flag is computed only when something reads it
 * (SDM Vol. 1 3.4.3.1 and Appendix A for which instructions set which flags). Operations whose CF, OF
 * and AF are awkward to derive afterwards (shifts, rotates, multiply, BCD) record those three
 * explicitly and leave ZF, SF and PF to the result ({@link #RESULT}).
 */
public final class LazyFlags {
    /** No pending operation: {@link #explicit} holds all six flags. */
    public static final int NONE = 0;
    public static final int ADD = 1, ADC = 2, SUB = 3, SBB = 4, INC = 5, DEC = 6, NEG = 7;
    /** ZF, SF, PF from the result; CF, OF, AF from {@link #explicit}. Logic operations use it with all three 0. */
    public static final int RESULT = 8;

    private int op;
    private int size;
    private long src1;
    private long src2;
    private long result;
    /** Carry-in of ADC/SBB, CF kept by INC/DEC. */
    private boolean carry;
    private long explicit;

    public void set(int op, int size, long src1, long src2, long result) {
        this.op = op;
        this.size = size;
        this.src1 = src1;
        this.src2 = src2;
        this.result = result;
    }

    /** ADC/SBB: records the carry-in too. */
    public void setWithCarry(int op, int size, long src1, long src2, long result, boolean carryIn) {
        set(op, size, src1, src2, result);
        this.carry = carryIn;
    }

    /** INC/DEC: CF is not affected, so its current value is kept. */
    public void setIncDec(int op, int size, long src, long result) {
        boolean cf = cf();
        set(op, size, src, 1, result);
        this.carry = cf;
    }

    /** ZF/SF/PF from {@code result}; CF, OF, AF as given (as RFLAGS bits). */
    public void setResult(int size, long result, long cfOfAf) {
        this.op = RESULT;
        this.size = size;
        this.result = result;
        this.explicit = cfOfAf & (Rflags.CF | Rflags.OF | Rflags.AF);
    }

    /** Replaces all six flags (POPF, SAHF, IRET, MUL, ...). */
    public void setAll(long rflags) {
        op = NONE;
        explicit = rflags & Rflags.STATUS;
    }

    private long mask() {
        return size == 8 ? -1L : (1L << (size * 8)) - 1;
    }

    private long sign() {
        return 1L << (size * 8 - 1);
    }

    public boolean cf() {
        long m = mask();
        long a = src1 & m;
        long b = src2 & m;
        long r = result & m;
        return switch (op) {
            case ADD -> Long.compareUnsigned(r, a) < 0;
            case ADC -> carry ? Long.compareUnsigned(r, a) <= 0 : Long.compareUnsigned(r, a) < 0;
            case SUB -> Long.compareUnsigned(a, b) < 0;
            case SBB -> carry ? Long.compareUnsigned(a, b) <= 0 : Long.compareUnsigned(a, b) < 0;
            case INC, DEC -> carry;
            case NEG -> a != 0;
            default -> (explicit & Rflags.CF) != 0;
        };
    }

    public boolean of() {
        long s = sign();
        return switch (op) {
            case ADD, ADC, INC -> ((src1 ^ result) & (src2 ^ result) & s) != 0;
            case SUB, SBB, DEC -> ((src1 ^ src2) & (src1 ^ result) & s) != 0;
            case NEG -> (src1 & mask()) == s;
            default -> (explicit & Rflags.OF) != 0;
        };
    }

    public boolean af() {
        return switch (op) {
            case ADD, ADC, SUB, SBB, INC, DEC -> ((src1 ^ src2 ^ result) & 0x10) != 0;
            case NEG -> ((src1 ^ result) & 0x10) != 0;
            default -> (explicit & Rflags.AF) != 0;
        };
    }

    public boolean zf() {
        return op == NONE ? (explicit & Rflags.ZF) != 0 : (result & mask()) == 0;
    }

    public boolean sf() {
        return op == NONE ? (explicit & Rflags.SF) != 0 : (result & sign()) != 0;
    }

    public boolean pf() {
        return op == NONE ? (explicit & Rflags.PF) != 0 : (Integer.bitCount((int) result & 0xff) & 1) == 0;
    }

    /** The six status flags as RFLAGS bits. */
    public long status() {
        if (op == NONE) {
            return explicit;
        }
        long f = 0;
        if (cf()) f |= Rflags.CF;
        if (pf()) f |= Rflags.PF;
        if (af()) f |= Rflags.AF;
        if (zf()) f |= Rflags.ZF;
        if (sf()) f |= Rflags.SF;
        if (of()) f |= Rflags.OF;
        return f;
    }

    /**
     * Condition code tt tn of Jcc/SETcc/CMOVcc (SDM Vol. 1 Appendix B): O, NO, B, AE, E, NE, BE, A, S, NS,
     * P, NP, L, GE, LE, G.
     */
    public boolean condition(int cc) {
        int t = cc >>> 1;
        boolean r;
        if (op == SUB && t != 0 && t != 5) {
            // after CMP/SUB the condition is a comparison of the operands (SDM Vol. 1 Table B-1: B is "below", L is
            // "less", ...): shifted to the top of the long, the operands' unsigned and signed order at the
            // operation size is the long's, with no flag computed and no switch on the operation
            int shift = 64 - size * 8;
            long a = src1 << shift;
            long b = src2 << shift;
            r = switch (t) {
                case 1 -> Long.compareUnsigned(a, b) < 0;
                case 2 -> a == b;
                case 3 -> Long.compareUnsigned(a, b) <= 0;
                case 4 -> a - b < 0;
                case 6 -> a < b;
                default -> a <= b;
            };
        } else {
            r = fromFlags(t);
        }
        return r != ((cc & 1) != 0);
    }

    /** Condition {@code t} (cc >>> 1) from the flags. */
    private boolean fromFlags(int t) {
        return switch (t) {
            case 0 -> of();
            case 1 -> cf();
            case 2 -> zf();
            case 3 -> cf() || zf();
            case 4 -> sf();
            case 5 -> pf();
            case 6 -> sf() != of();
            default -> zf() || sf() != of();
        };
    }
}
