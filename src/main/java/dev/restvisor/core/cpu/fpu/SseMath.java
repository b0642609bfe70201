package dev.restvisor.core.cpu.fpu;

/**
 * IEEE 754 arithmetic on single- and double-precision values under MXCSR control (SDM Vol. 1 10.2.3 and
 * 11.5): the four rounding modes, DAZ and FTZ, NaN propagation (the first source's NaN wins, SNaNs are
 * quieted, invalid operations give the QNaN "indefinite") and the six exception flags. One instance per
 * vcpu; {@link #begin} starts an instruction and {@link #flags} collects what it raised.
 *
 * <p>Values are passed as raw bits: a single in the low 32 bits of a long, a double as all 64. The exact
 * result's position relative to the round-to-nearest double result is found with error-free
 * transformations (two-sum, fused multiply-add residuals), which is enough to round correctly in every
 * mode: a single-precision operation is done in double precision, whose result is then rounded again
 * with the error sign carried along. Tininess is judged on the rounded result.
 */
public final class SseMath {
    public static final int IE = 1, DE = 2, ZE = 4, OE = 8, UE = 16, PE = 32;
    public static final int RC_NEAREST = 0, RC_DOWN = 1, RC_UP = 2, RC_ZERO = 3;

    private static final int SINGLE_INDEFINITE = 0xffc00000;
    private static final long DOUBLE_INDEFINITE = 0xfff8000000000000L;

    private int mxcsr;
    /** Exception flags raised since {@link #begin}. */
    public int flags;
    /** Operand buffers the executor reuses for the 128-bit source and result (index 0 = bits 63:0). */
    public final long[] source = new long[2];
    public final long[] result = new long[2];

    public void begin(int mxcsr) {
        this.mxcsr = mxcsr;
        this.flags = 0;
    }

    public int roundingControl() {
        return (mxcsr >>> 13) & 3;
    }

    private boolean daz() {
        return (mxcsr & 0x40) != 0;
    }

    private boolean ftz() {
        return (mxcsr & 0x8000) != 0;
    }

    /** The flags raised that MXCSR does not mask: the instruction must fault instead of writing its result. */
    public int unmasked() {
        return flags & ~(mxcsr >>> 7) & 0x3f;
    }

    // ------------------------------------------------------------------ classification

    public static boolean isNaN(long bits, boolean single) {
        return single ? (bits & 0x7fffffffL) > 0x7f800000L : (bits & 0x7fffffffffffffffL) > 0x7ff0000000000000L;
    }

    private static boolean isSNaN(long bits, boolean single) {
        return isNaN(bits, single) && (single ? (bits & 0x00400000L) == 0 : (bits & 0x0008000000000000L) == 0);
    }

    private static boolean isDenormal(long bits, boolean single) {
        return single ? (bits & 0x7f800000L) == 0 && (bits & 0x007fffffL) != 0
                : (bits & 0x7ff0000000000000L) == 0 && (bits & 0x000fffffffffffffL) != 0;
    }

    private static long quiet(long bits, boolean single) {
        return single ? (bits | 0x00400000L) & 0xffffffffL : bits | 0x0008000000000000L;
    }

    private static double toDouble(long bits, boolean single) {
        return single ? Float.intBitsToFloat((int) bits) : Double.longBitsToDouble(bits);
    }

    /** A denormal source: DE, or with DAZ a zero of the same sign (SDM Vol. 1 10.2.3.4). */
    private long operand(long bits, boolean single) {
        if (isDenormal(bits, single)) {
            if (daz()) {
                return single ? bits & 0x80000000L : bits & 0x8000000000000000L;
            }
            denormal = true;
        }
        return bits;
    }

    /**
     * A denormal source seen by {@link #operand}; it becomes DE only when the operation goes on to compute a
     * result (an invalid operation or a division by zero reports only that, as the hardware does).
     */
    private boolean denormal;


    /** NaN sources: IE for an SNaN, and the result is the first NaN source, quieted; -1 when neither is a NaN. */
    private long nanResult(long a, long b, boolean single, boolean twoOperands) {
        boolean an = isNaN(a, single);
        boolean bn = twoOperands && isNaN(b, single);
        if (!an && !bn) {
            return -1;
        }
        if (isSNaN(a, single) || (twoOperands && isSNaN(b, single))) {
            flags |= IE;
        }
        return quiet(an ? a : b, single);
    }

    private long indefinite(boolean single) {
        denormal = false;
        flags |= IE;
        return single ? SINGLE_INDEFINITE & 0xffffffffL : DOUBLE_INDEFINITE;
    }

    // ------------------------------------------------------------------ arithmetic

    public static final int ADD = 0, SUB = 1, MUL = 2, DIV = 3, MIN = 4, MAX = 5, SQRT = 6;

    /** MXCSR bits the quick path needs: RC round to nearest, FTZ clear, precision masked and already flagged. */
    private static final int QUICK_MASK = 0xe000 | 0x1000 | PE, QUICK = 0x1000 | PE;

    /**
     * One lane of ADD/SUB/MUL/DIV/SQRT without the exact-rounding machinery, for the case that dominates real
     * programs: MXCSR rounds to nearest without FTZ, and PE is masked and already set; the operands are normal
     * numbers or zeros (so DAZ, DE and NaN propagation do not apply); and the JVM's IEEE 754 result is a normal
     * number well inside the range, or an exact zero. Then the JVM's round-to-nearest result is the SSE result,
     * and the only exception the operation can raise is PE, which is already flagged (SDM Vol. 1 11.5.2). Compiled
     * code writes the same steps out for doubles: {@link #quickOperands}, the JVM operation, {@link #quickResult}.
     *
     * @return the result, or -1 (a NaN this path never produces) when {@link #arith} must decide
     */
    public static long quick(int op, long a, long b, boolean single, int mxcsr) {
        if (single ? !quickOperands(op == SQRT ? 0 : a & 0xffffffffL, b, mxcsr, true)
                : !quickOperands(op == SQRT ? 0 : a, b, mxcsr, false)) {
            return -1;
        }
        long r;
        if (single) {
            float x = Float.intBitsToFloat((int) a);
            float y = Float.intBitsToFloat((int) b);
            r = Float.floatToRawIntBits(switch (op) {
                case ADD -> x + y;
                case SUB -> x - y;
                case MUL -> x * y;
                case DIV -> x / y;
                case SQRT -> (float) Math.sqrt(y);
                default -> Float.NaN;
            }) & 0xffffffffL;
        } else {
            double x = Double.longBitsToDouble(a);
            double y = Double.longBitsToDouble(b);
            r = Double.doubleToRawLongBits(switch (op) {
                case ADD -> x + y;
                case SUB -> x - y;
                case MUL -> x * y;
                case DIV -> x / y;
                case SQRT -> Math.sqrt(y);
                default -> Double.NaN;
            });
        }
        boolean zeroExact = op == ADD || op == SUB || op == SQRT || isZero(a, single) || op == MUL && isZero(b, single);
        return quickResult(r, zeroExact, single) ? r : -1;
    }

    /**
     * The quick path may take these operands (give 0 for the unused first operand of SQRT): MXCSR allows it, and
     * both are normal numbers or zeros (not denormals, infinities or NaNs).
     */
    public static boolean quickOperands(long a, long b, int mxcsr, boolean single) {
        return (mxcsr & QUICK_MASK) == QUICK && plain(a, single) && plain(b, single);
    }

    /**
     * The JVM's result {@code r} of quick operands is the SSE result: a normal number above the smallest binade
     * (a result rounded up to 2^emin may have been tiny before rounding), or a zero that is exact. A division by
     * zero, an overflow, an invalid operation (a NaN) or an underflow all fail here.
     *
     * @param zeroExact a zero result is exact: a sum or difference, a square root, or a zero factor or dividend
     */
    public static boolean quickResult(long r, boolean zeroExact, boolean single) {
        int e = single ? (int) (r >>> 23) & 0xff : (int) (r >>> 52) & 0x7ff;
        return e >= 2 && e < (single ? 0xff : 0x7ff) || zeroExact && isZero(r, single);
    }

    /** +0 or -0. */
    public static boolean isZero(long v, boolean single) {
        return (single ? v & 0x7fffffffL : v << 1) == 0;
    }

    /** A normal number or a zero (not a denormal, an infinity or a NaN). */
    private static boolean plain(long v, boolean single) {
        int e = single ? (int) (v >>> 23) & 0xff : (int) (v >>> 52) & 0x7ff;
        return e != (single ? 0xff : 0x7ff) && (e != 0 || isZero(v, single));
    }

    /** One lane of ADD/SUB/MUL/DIV/MIN/MAX/SQRT (SQRT uses only {@code b}, the source). */
    public long arith(int op, long a, long b, boolean single) {
        denormal = false;
        long r = compute(op, a, b, single);
        if (denormal) {
            flags |= DE;
        }
        return r;
    }

    private long compute(int op, long a, long b, boolean single) {
        if (op == SQRT) {
            long nan = nanResult(b, 0, single, false);
            if (nan != -1) {
                return nan;
            }
            b = operand(b, single);
            double y = toDouble(b, single);
            if (y < 0) {
                return indefinite(single);
            }
            double s = Math.sqrt(y);
            if (y == 0 || Double.isInfinite(y)) {
                return bits(s, single);
            }
            // the residual of a tiny root underflows; scale by an even power of two first
            double r = y < 0x1p-900 ? Math.fma(-Math.scalb(s, 300), Math.scalb(s, 300), Math.scalb(y, 600))
                    : Math.fma(-s, s, y);
            return round(s, (int) Math.signum(r), single);
        }
        if (op == MIN || op == MAX) {
            // MINPS/MAXPS: any NaN or two zeros give the second operand; a NaN of either kind is invalid
            if (isNaN(a, single) || isNaN(b, single)) {
                flags |= IE;
                return isNaN(b, single) || !daz() || !isDenormal(b, single) ? b
                        : single ? b & 0x80000000L : b & 0x8000000000000000L;
            }
            long ea = operand(a, single);
            long eb = operand(b, single);
            double x = toDouble(ea, single);
            double y = toDouble(eb, single);
            if (x == 0 && y == 0) {
                return eb;
            }
            boolean takeA = op == MIN ? x < y : x > y;
            return takeA ? ea : eb;
        }
        long nan = nanResult(a, b, single, true);
        if (nan != -1) {
            return nan;
        }
        a = operand(a, single);
        b = operand(b, single);
        double x = toDouble(a, single);
        double y = toDouble(b, single);
        double v;
        int err;
        switch (op) {
            case ADD, SUB -> {
                if (op == SUB) {
                    y = -y;
                }
                if (Double.isInfinite(x) && Double.isInfinite(y) && x != y) {
                    return indefinite(single);
                }
                v = x + y;
                if (Double.isInfinite(v) && !Double.isInfinite(x) && !Double.isInfinite(y)) {
                    err = v > 0 ? -1 : 1;
                } else if (v == 0 && x == -y) {
                    // an exact zero sum is +0, or -0 when rounding down (IEEE 754 6.3)
                    v = x == 0 && y == 0 && Double.doubleToRawLongBits(x) == Double.doubleToRawLongBits(y) ? x
                            : roundingControl() == RC_DOWN ? -0.0 : 0.0;
                    err = 0;
                } else {
                    double bb = v - x;
                    double e = (x - (v - bb)) + (y - bb);
                    err = Double.isInfinite(v) ? 0 : (int) Math.signum(e);
                }
            }
            case MUL -> {
                if ((Double.isInfinite(x) && y == 0) || (x == 0 && Double.isInfinite(y))) {
                    return indefinite(single);
                }
                v = x * y;
                if (Double.isInfinite(v) && !Double.isInfinite(x) && !Double.isInfinite(y)) {
                    err = v > 0 ? -1 : 1;
                } else {
                    err = Double.isInfinite(v) ? 0 : (int) Math.signum(productResidual(x, y, v));
                }
            }
            default -> {
                if ((x == 0 && y == 0) || (Double.isInfinite(x) && Double.isInfinite(y))) {
                    return indefinite(single);
                }
                if (y == 0) {
                    // a finite dividend gives ZE; an infinite one is an exact infinity
                    if (!Double.isInfinite(x)) {
                        flags |= ZE;
                        denormal = false;
                    }
                    return bits((Math.copySign(1, x) * Math.copySign(1, y)) * Double.POSITIVE_INFINITY, single);
                }
                v = x / y;
                if (Double.isInfinite(v) && !Double.isInfinite(x)) {
                    err = v > 0 ? -1 : 1;
                } else if (Double.isInfinite(v) || Double.isInfinite(y) || v == 0 && x == 0) {
                    err = 0;
                } else {
                    err = (int) (Math.signum(quotientResidual(x, y, v)) * Math.signum(y));
                }
            }
        }
        return round(v, err, single);
    }

    private static boolean extreme(double a) {
        double m = Math.abs(a);
        return m != 0 && (m < 0x1p-900 || m > 0x1p900);
    }

    /** The sign of x*y - v, exact: operands near the ends of the range are scaled to 1 first so nothing underflows. */
    private static double productResidual(double x, double y, double v) {
        if (!extreme(x) && !extreme(y) && !extreme(v) && v != 0) {
            return Math.fma(x, y, -v);
        }
        int sx = -Math.getExponent(x);
        int sy = -Math.getExponent(y);
        return Math.fma(Math.scalb(x, sx), Math.scalb(y, sy), -Math.scalb(v, sx + sy));
    }

    /** The sign of x - q*y, exact, scaled the same way. */
    private static double quotientResidual(double x, double y, double q) {
        if (!extreme(x) && !extreme(y) && !extreme(q) && q != 0) {
            return Math.fma(-q, y, x);
        }
        int sx = -Math.getExponent(x);
        int sy = -Math.getExponent(y);
        return Math.fma(-Math.scalb(q, sx - sy), Math.scalb(y, sy), Math.scalb(x, sx));
    }

    private static long bits(double v, boolean single) {
        return single ? Float.floatToRawIntBits((float) v) & 0xffffffffL : Double.doubleToRawLongBits(v);
    }

    /**
     * Rounds {@code v} (the round-to-nearest double of the exact result; {@code err} the sign of exact - v) to
     * the destination format under MXCSR.RC, raising PE, OE and UE, and applying FTZ.
     */
    long round(double v, int err, boolean single) {
        if (!single) {
            return roundDouble(v, err);
        }
        float f = (float) v;
        int err2;
        if ((double) f == v) {
            err2 = err;
        } else {
            double lo = f < v ? f : Math.nextDown(f);
            double hi = f > v ? f : Math.nextUp(f);
            if (v - lo == hi - v && err != 0) {
                // v is exactly between two singles but the exact result is not: round toward the exact side
                f = (float) (err > 0 ? hi : lo);
                err2 = -err;
            } else {
                err2 = v > f ? 1 : -1;
            }
        }
        if (Float.isInfinite(f) && !Double.isInfinite(v)) {
            err2 = f > 0 ? -1 : 1;
        }
        double mag = Math.abs(v);
        boolean beyond = mag > 0x1p128 || (mag == 0x1p128 && err * Math.signum(v) >= 0);
        return roundSingle(f, err2, beyond);
    }

    /**
     * @param beyond the exact magnitude is at least 2^128, so rounding with an unbounded exponent overflows in
     *               every mode; between MAX_VALUE and 2^128 only round-to-nearest and rounding away from zero do
     */
    private long roundSingle(float r, int err, boolean beyond) {
        if (err != 0) {
            flags |= PE;
            boolean overflow = Float.isInfinite(r) && (roundingControl() == RC_NEAREST || beyond);
            r = switch (roundingControl()) {
                case RC_DOWN -> err < 0 ? Math.nextDown(r) : r;
                case RC_UP -> err > 0 ? Math.nextUp(r) : r;
                case RC_ZERO -> (err < 0 && r > 0) || (err > 0 && r < 0) ? (r > 0 ? Math.nextDown(r) : Math.nextUp(r)) : r;
                default -> r;
            };
            if (overflow || Float.isInfinite(r)) {
                flags |= OE;
            }
        }
        if ((r != 0 || err != 0) && Math.abs(r) < Float.MIN_NORMAL) {
            if (err != 0 || (mxcsr & 0x800) == 0) {
                flags |= UE;
            }
            if (ftz() && (mxcsr & 0x800) != 0) {
                flags |= PE | UE;
                return Float.floatToRawIntBits(Math.copySign(0f, r)) & 0xffffffffL;
            }
        }
        return Float.floatToRawIntBits(r) & 0xffffffffL;
    }

    private long roundDouble(double r, int err) {
        if (err != 0) {
            flags |= PE;
            boolean overflow = Double.isInfinite(r);
            r = switch (roundingControl()) {
                case RC_DOWN -> err < 0 ? Math.nextDown(r) : r;
                case RC_UP -> err > 0 ? Math.nextUp(r) : r;
                case RC_ZERO -> (err < 0 && r > 0) || (err > 0 && r < 0) ? (r > 0 ? Math.nextDown(r) : Math.nextUp(r)) : r;
                default -> r;
            };
            if (overflow || Double.isInfinite(r)) {
                flags |= OE;
            }
        }
        if ((r != 0 || err != 0) && Math.abs(r) < Double.MIN_NORMAL) {
            if (err != 0 || (mxcsr & 0x800) == 0) {
                flags |= UE;
            }
            if (ftz() && (mxcsr & 0x800) != 0) {
                flags |= PE | UE;
                return Double.doubleToRawLongBits(Math.copySign(0.0, r));
            }
        }
        return Double.doubleToRawLongBits(r);
    }

    // ------------------------------------------------------------------ comparisons

    public static final int LESS = -1, EQUAL = 0, GREATER = 1, UNORDERED = 2;

    /**
     * Compares two values. {@code signaling}: a QNaN raises IE too (COMISS, and CMPPS predicates LT, LE, NLT,
     * NLE); otherwise only an SNaN does (UCOMISS, EQ, UNORD, NEQ, ORD).
     */
    public int compare(long a, long b, boolean single, boolean signaling) {
        if (isNaN(a, single) || isNaN(b, single)) {
            if (signaling || isSNaN(a, single) || isSNaN(b, single)) {
                flags |= IE;
            }
            return UNORDERED;
        }
        denormal = false;
        double x = toDouble(operand(a, single), single);
        double y = toDouble(operand(b, single), single);
        if (denormal) {
            flags |= DE;
        }
        return x < y ? LESS : x > y ? GREATER : EQUAL;
    }

    /** CMPPS/CMPSS/CMPPD/CMPSD predicate {@code imm} (0-7, SDM Vol. 2A Table 3-1): all ones or zero. */
    public boolean predicate(int imm, long a, long b, boolean single) {
        int p = imm & 7;
        boolean signaling = p == 1 || p == 2 || p == 5 || p == 6;
        int c = compare(a, b, single, signaling);
        return switch (p) {
            case 0 -> c == EQUAL;
            case 1 -> c == LESS;
            case 2 -> c == LESS || c == EQUAL;
            case 3 -> c == UNORDERED;
            case 4 -> c != EQUAL;
            case 5 -> c != LESS;
            case 6 -> c != LESS && c != EQUAL;
            default -> c != UNORDERED;
        };
    }

    // ------------------------------------------------------------------ conversions

    /** CVTSI2SS/SD, CVTDQ2PS/PD: a signed integer to floating point, rounded under MXCSR.RC. */
    public long fromInteger(long value, boolean single) {
        double d = value;
        int err;
        if (Math.abs(d) < 0x1p53) {
            err = 0;
        } else if (d >= 0x1p63) {
            err = -1;
        } else {
            err = Long.signum(value - (long) d);
        }
        return round(d, err, single);
    }

    /**
     * CVT(T)SS2SI, CVT(T)SD2SI, CVT(T)PS2DQ, CVT(T)PD2DQ: to a signed integer of {@code size} bytes (4 or 8),
     * truncating or rounding under MXCSR.RC. NaN and out-of-range values give the integer indefinite and IE.
     */
    public long toInteger(long bits, boolean single, boolean truncate, int size) {
        long indefinite = size == 8 ? Long.MIN_VALUE : 0x80000000L;
        if (isNaN(bits, single)) {
            flags |= IE;
            return indefinite;
        }
        if (daz() && isDenormal(bits, single)) {
            bits = single ? bits & 0x80000000L : bits & 0x8000000000000000L;
        }
        double x = toDouble(bits, single);
        double r = truncate ? (x < 0 ? Math.ceil(x) : Math.floor(x)) : switch (roundingControl()) {
            case RC_DOWN -> Math.floor(x);
            case RC_UP -> Math.ceil(x);
            case RC_ZERO -> x < 0 ? Math.ceil(x) : Math.floor(x);
            default -> Math.rint(x);
        };
        boolean fits = size == 8 ? r >= -0x1p63 && r < 0x1p63 : r >= -0x1p31 && r <= 0x1p31 - 1;
        if (!fits) {
            flags |= IE;
            return indefinite;
        }
        if (r != x) {
            flags |= PE;
        }
        long v = (long) r;
        return size == 8 ? v : v & 0xffffffffL;
    }

    /** CVTSS2SD/CVTPS2PD ({@code fromSingle}) and CVTSD2SS/CVTPD2PS. */
    public long convert(long bits, boolean fromSingle) {
        if (isNaN(bits, fromSingle)) {
            if (isSNaN(bits, fromSingle)) {
                flags |= IE;
            }
            long q = quiet(bits, fromSingle);
            if (fromSingle) {
                return ((q & 0x80000000L) << 32) | 0x7ff0000000000000L | ((q & 0x7fffffL) << 29);
            }
            return ((q >>> 32) & 0x80000000L) | 0x7f800000L | ((q >>> 29) & 0x7fffffL);
        }
        denormal = false;
        bits = operand(bits, fromSingle);
        if (denormal) {
            flags |= DE;
        }
        double x = toDouble(bits, fromSingle);
        if (fromSingle) {
            return Double.doubleToRawLongBits(x);
        }
        if (Double.isInfinite(x)) {
            return bits(x, true);
        }
        return round(x, 0, true);
    }
}
