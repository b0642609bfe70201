package dev.restvisor.core.cpu.fpu;

/**
 * Exact arithmetic on the 80-bit double extended-precision format (SDM Vol. 1 4.2.2, 8.2): a 64-bit
 * significand with an explicit integer bit and a 15-bit exponent biased by 16383. One instance belongs to a
 * vcpu and holds the operands' unpacked fields and the result, so no operation allocates (FSQRT and the
 * conversions from {@link java.math.BigInteger} excepted).
 *
 * <p>A call sets {@link #fcw} first (precision control, rounding control and the exception masks), then
 * leaves the result in {@link #se} (sign and exponent, the register's top 16 bits) and {@link #m} (the
 * significand), and the raised exceptions in {@link #flags} with the FSW bit positions (IE, DE, ZE, OE, UE,
 * PE, SF) plus {@link #C1} when the result was rounded up in magnitude. Rounding follows SDM Vol. 1 4.8.4:
 * the rounding control applies at the precision control's width (24, 53 or 64 bits; PC = 01 is reserved and
 * taken as 64), tininess is judged after rounding, a masked underflow is signalled only if the denormalized
 * result is inexact, and an unmasked overflow or underflow of a register result delivers the rounded
 * significand with the exponent adjusted by 24576 (4.9.1.4, 4.9.1.5).
 */
public final class X87Math {
    public static final int IE = 1, DE = 2, ZE = 4, OE = 8, UE = 0x10, PE = 0x20, SF = 0x40, C1 = 0x200;
    public static final int BIAS = 16383;
    public static final int MAX_BE = 0x7ffe;
    /** The exponent adjustment of an unmasked overflow or underflow (SDM Vol. 1 4.9.1.4). */
    public static final int ADJUST = 24576;
    /** The real indefinite QNaN (SDM Vol. 1 Table 4-3). */
    public static final int INDEFINITE_SE = 0xffff;
    public static final long INDEFINITE_M = 0xc000000000000000L;
    public static final long INTEGER_BIT = 0x8000000000000000L;
    public static final long QUIET = 0x4000000000000000L;

    /** Operand classes. */
    public static final int ZERO = 0, NORMAL = 1, DENORMAL = 2, INF = 3, QNAN = 4, SNAN = 5, UNSUPPORTED = 6;

    /** Binary operation codes, as ModRM.reg of D8 encodes them. */
    public static final int ADD = 0, MUL = 1, SUB = 4, SUBR = 5, DIV = 6, DIVR = 7;

    public int fcw = 0x37f;
    public int flags;
    /** The last operation saw a NaN or unsupported operand (which takes precedence over a denormal source). */
    public boolean nanOperand;
    public int se;
    public long m;

    // unpacked operands: sign (0/1), biased exponent of a normalized significand (may be below 1), significand
    private int as, ae, bs, be;
    private long am, bm;
    private int ac, bc;

    // the rounder's output: biased exponent field and left-aligned significand
    private int rBe;
    private long rSig;

    // a significand split at the rounding position: the bits kept, the round bit and the sticky bit
    private long kept;
    private boolean roundBit, stickyBit;

    /** The class of a register or memory image in the extended format (SDM Vol. 1 Table 8-3). */
    public static int classify(int se, long m) {
        int e = se & 0x7fff;
        if (e == 0) {
            return m == 0 ? ZERO : DENORMAL;
        }
        if (e == 0x7fff) {
            if (m >= 0) {
                return UNSUPPORTED;
            }
            if (m << 1 == 0) {
                return INF;
            }
            return (m & QUIET) != 0 ? QNAN : SNAN;
        }
        return m < 0 ? NORMAL : UNSUPPORTED;
    }

    public static boolean isNaN(int cls) {
        return cls == QNAN || cls == SNAN;
    }

    /** The x87 tag of a value: 00 valid, 01 zero, 10 special (SDM Vol. 1 8.1.7). */
    public static int tag(int se, long m) {
        int c = classify(se, m);
        return c == NORMAL ? 0 : c == ZERO ? 1 : 2;
    }

    int precision() {
        return switch ((fcw >>> 8) & 3) {
            case 0 -> 24;
            case 2 -> 53;
            default -> 64;
        };
    }

    private int rc() {
        return (fcw >>> 10) & 3;
    }

    private void result(int sign, int e, long sig) {
        se = sign << 15 | e;
        m = sig;
    }

    private void indefinite() {
        se = INDEFINITE_SE;
        m = INDEFINITE_M;
    }

    /** The masked response to an invalid operation: IE and the real indefinite (SDM Vol. 1 4.9.1.2). */
    private void invalidOperation() {
        flags |= IE;
        indefinite();
    }

    private void infinity(int sign) {
        result(sign, 0x7fff, INTEGER_BIT);
    }

    private void zero(int sign) {
        result(sign, 0, 0);
    }

    // ------------------------------------------------------------------------------------------ unpacking

    /**
     * The biased exponent of the value se/m once its significand is normalized (integer bit at bit 63): a
     * denormal's lies below 1 (SDM Vol. 1 4.8.3.2); any other value keeps its exponent field.
     */
    static int unpackedExponent(int se, long m) {
        int e = se & 0x7fff;
        return e == 0 && m != 0 ? 1 - Long.numberOfLeadingZeros(m) : e;
    }

    /** The significand of se/m normalized as for {@link #unpackedExponent}. */
    static long unpackedSignificand(int se, long m) {
        return (se & 0x7fff) == 0 ? m << Long.numberOfLeadingZeros(m) : m;
    }

    private void unpackA(int se, long m) {
        as = se >>> 15 & 1;
        ac = classify(se, m);
        ae = unpackedExponent(se, m);
        am = unpackedSignificand(se, m);
    }

    private void unpackB(int se, long m) {
        bs = se >>> 15 & 1;
        bc = classify(se, m);
        be = unpackedExponent(se, m);
        bm = unpackedSignificand(se, m);
    }

    /**
     * The NaN rules of SDM Vol. 1 Table 4-7 for the x87: an SNaN or an unsupported operand raises IE; an
     * unsupported operand gives the indefinite; of two NaNs the QNaN wins over an SNaN, else the larger
     * significand; the result is quieted.
     *
     * @return true if an operand was a NaN or unsupported and the result is set
     */
    private boolean nanOperands(int aSe, long aM, int bSe, long bM) {
        boolean aNan = isNaN(ac), bNan = isNaN(bc);
        nanOperand = aNan || bNan || ac == UNSUPPORTED || bc == UNSUPPORTED;
        if (ac == UNSUPPORTED || bc == UNSUPPORTED) {
            invalidOperation();
            return true;
        }
        if (!aNan && !bNan) {
            return false;
        }
        if (ac == SNAN || bc == SNAN) {
            flags |= IE;
        }
        boolean pickA;
        if (aNan && bNan) {
            if (ac != bc) {
                pickA = ac == QNAN;
            } else {
                long x = aM & ~QUIET, y = bM & ~QUIET;
                int cmp = Long.compareUnsigned(x, y);
                pickA = cmp > 0 || (cmp == 0 && (aSe & 0x8000) == 0);
            }
        } else {
            pickA = aNan;
        }
        se = pickA ? aSe : bSe;
        m = (pickA ? aM : bM) | QUIET;
        return true;
    }

    private boolean nanOperand(int aSe, long aM) {
        nanOperand = ac == UNSUPPORTED || isNaN(ac);
        if (ac == UNSUPPORTED) {
            invalidOperation();
            return true;
        }
        if (isNaN(ac)) {
            if (ac == SNAN) {
                flags |= IE;
            }
            se = aSe;
            m = aM | QUIET;
            return true;
        }
        return false;
    }

    /**
     * The NaN and unsupported-operand rules of {@link #binary} for operations implemented elsewhere
     * (FPATAN, FYL2X, FYL2XP1): resets flags; returns true if the result is already set.
     */
    public boolean nanPair(int aSe, long aM, int bSe, long bM) {
        flags = 0;
        unpackA(aSe, aM);
        unpackB(bSe, bM);
        return nanOperands(aSe, aM, bSe, bM);
    }

    public void setResult(int se, long m) {
        this.se = se;
        this.m = m;
    }

    // ------------------------------------------------------------------------------------------ rounding

    private boolean increments(int sign, int rc, long keep, boolean round, boolean sticky) {
        return switch (rc) {
            case 0 -> round && (sticky || (keep & 1) != 0);
            case 1 -> sign != 0 && (round || sticky);
            case 2 -> sign == 0 && (round || sticky);
            default -> false;
        };
    }

    /** Splits hi:lo at p bits below bit 63 into kept, roundBit and stickyBit (SDM Vol. 1 4.8.4). */
    private void split(long hi, long lo, int p) {
        int drop = 64 - p;
        if (drop == 0) {
            kept = hi;
            roundBit = lo < 0;
            stickyBit = (lo << 1) != 0;
        } else {
            kept = hi >>> drop;
            roundBit = (hi >>> (drop - 1) & 1) != 0;
            stickyBit = (hi & ((1L << (drop - 1)) - 1)) != 0 || lo != 0;
        }
    }

    /** Whether rounding the normalized hi:lo at p bits carries out of the top bit. */
    private boolean carriesOut(int sign, long hi, long lo, int p) {
        split(hi, lo, p);
        long full = p == 64 ? -1L : (1L << p) - 1;
        return kept == full && increments(sign, rc(), kept, roundBit, stickyBit);
    }

    /** Rounds hi:lo (any alignment) at p bits below bit 63 into rSig; returns the flags PE and C1. */
    private int roundField(int sign, long hi, long lo, int p) {
        split(hi, lo, p);
        int f = roundBit || stickyBit ? PE : 0;
        if (increments(sign, rc(), kept, roundBit, stickyBit)) {
            kept++;
            f |= C1;
        }
        rSig = p == 64 ? kept : kept << (64 - p);
        return f;
    }

    /**
     * Rounds sign * hi.lo * 2^(be - BIAS - 63), hi having its top bit set, to p bits in a format whose largest
     * biased exponent is maxBe and whose bias is bias, leaving rBe and rSig. adjust is the unmasked
     * overflow/underflow exponent adjustment (register destinations), 0 for memory destinations, where the
     * caller does not store on an unmasked OE or UE.
     */
    private void round(int sign, int be, long hi, long lo, int p, int maxBe, int adjust) {
        if (be < 1) {
            boolean tiny = be < 0 || !carriesOut(sign, hi, lo, p);
            if (tiny && (fcw & UE) == 0) {
                flags |= UE;
                if (adjust != 0 && be + adjust >= 1) {
                    normal(sign, be + adjust, hi, lo, p);
                    return;
                }
                if (adjust == 0) {
                    // a memory destination: nothing is stored, UE alone is reported
                    return;
                }
                // beyond the reach of the adjustment (FSCALE): a signed zero, as the processors deliver
                flags = (flags & ~C1) | UE | PE;
                rBe = 0;
                rSig = 0;
                return;
            }
            int shift = 1 - be;
            long nh, nl;
            if (shift >= 128) {
                nh = 0;
                nl = (hi | lo) != 0 ? 1 : 0;
            } else if (shift >= 64) {
                int s = shift - 64;
                nh = 0;
                long lost = s == 0 ? lo : (hi << (64 - s)) | lo;
                nl = (s == 0 ? hi : hi >>> s) | (s == 0 ? (lo != 0 ? 1 : 0) : (lost != 0 ? 1 : 0));
            } else {
                nh = hi >>> shift;
                nl = (hi << (64 - shift)) | (lo >>> shift) | ((lo << (64 - shift)) != 0 ? 1 : 0);
            }
            int f = roundField(sign, nh, nl, p);
            if ((f & PE) != 0 && tiny) {
                f |= UE;
            }
            flags |= f;
            rBe = rSig < 0 ? 1 : 0;
            return;
        }
        normal(sign, be, hi, lo, p);
        if (rBe > maxBe) {
            if ((fcw & OE) == 0) {
                if (adjust == 0) {
                    // a memory destination: nothing is stored, OE alone is reported
                    flags = (flags & ~(PE | C1)) | OE;
                    return;
                }
                if (rBe - adjust <= maxBe) {
                    flags |= OE;
                    rBe -= adjust;
                    return;
                }
                // beyond the reach of the adjustment (FSCALE): an infinity, as the processors deliver
                flags |= OE | PE | C1;
                rBe = maxBe + 1;
                rSig = INTEGER_BIT;
                return;
            }
            flags = (flags & ~C1) | OE | PE;
            int rc = rc();
            boolean toInf = rc == 0 || (rc == 1 && sign != 0) || (rc == 2 && sign == 0);
            if (toInf) {
                flags |= C1;
                rBe = maxBe + 1;
                rSig = INTEGER_BIT;
            } else {
                rBe = maxBe;
                rSig = p == 64 ? -1L : -1L << (64 - p);
            }
        }
    }

    private void normal(int sign, int be, long hi, long lo, int p) {
        int f = roundField(sign, hi, lo, p);
        if (rSig == 0) {
            // the increment carried out of the significand
            rSig = INTEGER_BIT;
            be++;
        }
        flags |= f;
        rBe = be;
    }

    /** Rounds to the extended format at the precision control's width into se/m. */
    private void packExtended(int sign, int be, long hi, long lo, int p) {
        round(sign, be, hi, lo, p, MAX_BE, ADJUST);
        result(sign, rBe, rSig);
    }

    /** Rounds an exact value sign * hi.lo * 2^(be-BIAS-63) (hi normalized) to 64 bits, register destination. */
    public void roundExtended(int sign, int be, long hi, long lo) {
        packExtended(sign, be, hi, lo, 64);
    }

    // ------------------------------------------------------------------------------------------ arithmetic

    /** FADD/FSUB/FMUL/FDIV and their reversed forms: a op b (ST(0) op source), under PC and RC. */
    public void binary(int op, int aSe, long aM, int bSe, long bM) {
        flags = 0;
        unpackA(aSe, aM);
        unpackB(bSe, bM);
        if (nanOperands(aSe, aM, bSe, bM)) {
            return;
        }
        switch (op) {
            case ADD -> add(bs);
            case SUB -> add(bs ^ 1);
            case SUBR -> {
                swap();
                add(bs ^ 1);
            }
            case MUL -> mul();
            case DIV -> div();
            case DIVR -> {
                swap();
                div();
            }
            default -> throw new IllegalArgumentException("op " + op);
        }
    }

    private void swap() {
        int t = as;
        as = bs;
        bs = t;
        t = ae;
        ae = be;
        be = t;
        t = ac;
        ac = bc;
        bc = t;
        long u = am;
        am = bm;
        bm = u;
    }

    private void denormalCheck() {
        if (ac == DENORMAL || bc == DENORMAL) {
            flags |= DE;
        }
    }

    /** a + b with b's sign taken as bSign (FSUB, FSUBR: b's sign inverted). */
    private void add(int bSign) {
        bs = bSign;
        if (ac == INF || bc == INF) {
            if (ac == INF && bc == INF && as != bs) {
                invalidOperation();
                return;
            }
            denormalCheck();
            infinity(ac == INF ? as : bs);
            return;
        }
        denormalCheck();
        int p = precision();
        if (ac == ZERO && bc == ZERO) {
            zero(as == bs ? as : rc() == 1 ? 1 : 0);
            return;
        }
        if (bc == ZERO) {
            packExtended(as, ae, am, 0, p);
            return;
        }
        if (ac == ZERO) {
            packExtended(bs, be, bm, 0, p);
            return;
        }
        if (ae < be || (ae == be && Long.compareUnsigned(am, bm) < 0)) {
            // the operand of the larger magnitude first
            swap();
        }
        int s1 = as, e1 = ae, s2 = bs, e2 = be;
        long m1 = am, m2 = bm;
        int d = e1 - e2;
        long h2, l2;
        if (d == 0) {
            h2 = m2;
            l2 = 0;
        } else if (d < 64) {
            h2 = m2 >>> d;
            l2 = m2 << (64 - d);
        } else if (d < 128) {
            h2 = 0;
            l2 = d == 64 ? m2 : (m2 >>> (d - 64)) | ((m2 << (128 - d)) != 0 ? 1 : 0);
        } else {
            h2 = 0;
            l2 = 1;
        }
        long hi, lo;
        int e = e1;
        if (s1 == s2) {
            lo = l2;
            hi = m1 + h2;
            if (Long.compareUnsigned(hi, m1) < 0) {
                lo = (lo >>> 1) | (hi << 63) | (lo & 1);
                hi = (hi >>> 1) | INTEGER_BIT;
                e++;
            }
        } else {
            lo = -l2;
            hi = m1 - h2 - (l2 != 0 ? 1 : 0);
            if (hi == 0 && lo == 0) {
                zero(rc() == 1 ? 1 : 0);
                return;
            }
            if (hi == 0) {
                hi = lo;
                lo = 0;
                e -= 64;
            }
            int z = Long.numberOfLeadingZeros(hi);
            if (z != 0) {
                hi = (hi << z) | (lo >>> (64 - z));
                lo <<= z;
                e -= z;
            }
        }
        packExtended(s1, e, hi, lo, p);
    }

    private void mul() {
        int sign = as ^ bs;
        if (ac == INF || bc == INF) {
            if (ac == ZERO || bc == ZERO) {
                invalidOperation();
                return;
            }
            denormalCheck();
            infinity(sign);
            return;
        }
        denormalCheck();
        if (ac == ZERO || bc == ZERO) {
            zero(sign);
            return;
        }
        long hi = Math.unsignedMultiplyHigh(am, bm);
        long lo = am * bm;
        int e = ae + be - BIAS + 1;
        if (hi >= 0) {
            hi = (hi << 1) | (lo >>> 63);
            lo <<= 1;
            e--;
        }
        packExtended(sign, e, hi, lo, precision());
    }

    private void div() {
        int sign = as ^ bs;
        if (ac == INF) {
            if (bc == INF) {
                invalidOperation();
                return;
            }
            denormalCheck();
            infinity(sign);
            return;
        }
        if (bc == INF) {
            denormalCheck();
            zero(sign);
            return;
        }
        if (bc == ZERO) {
            if (ac == ZERO) {
                invalidOperation();
                return;
            }
            // divide-by-zero takes precedence over a denormal dividend (SDM Vol. 1 4.9.2)
            flags |= ZE;
            infinity(sign);
            return;
        }
        denormalCheck();
        if (ac == ZERO) {
            zero(sign);
            return;
        }
        // restoring division: 66 quotient bits, the first of weight 1 (am/bm is in [1/2, 2))
        long r = am;
        boolean carry = false;
        long qh = 0, ql = 0;
        for (int i = 0; i < 66; i++) {
            int bit = 0;
            if (carry || Long.compareUnsigned(r, bm) >= 0) {
                r -= bm;
                bit = 1;
            }
            qh = (qh << 1) | (ql >>> 63);
            ql = (ql << 1) | bit;
            carry = r < 0;
            r <<= 1;
        }
        // the 66 bits sit in qh(2):ql(64); align the leading one to bit 63 of hi
        int e = ae - be + BIAS;
        long hi, lo;
        if ((qh & 2) != 0) {
            hi = (qh << 62) | (ql >>> 2);
            lo = ql << 62;
        } else {
            hi = (qh << 63) | (ql >>> 1);
            lo = ql << 63;
            e--;
        }
        if (r != 0 || carry) {
            lo |= 1;
        }
        packExtended(sign, e, hi, lo, precision());
    }

    /** FSQRT under PC and RC. */
    public void sqrt(int aSe, long aM) {
        flags = 0;
        unpackA(aSe, aM);
        if (nanOperand(aSe, aM)) {
            return;
        }
        if (ac == ZERO) {
            zero(as);
            return;
        }
        if (as != 0) {
            invalidOperation();
            return;
        }
        if (ac == DENORMAL) {
            flags |= DE;
        }
        if (ac == INF) {
            infinity(0);
            return;
        }
        // value = am * 2^E, E = ae - BIAS - 63; make E even, scale the radicand by 2^130
        int exp = ae - BIAS - 63;
        java.math.BigInteger rad = unsigned(am);
        if ((exp & 1) != 0) {
            rad = rad.shiftLeft(1);
            exp--;
        }
        rad = rad.shiftLeft(130);
        exp -= 130;
        java.math.BigInteger root = rad.sqrt();
        boolean sticky = !root.multiply(root).equals(rad);
        roundBig(0, root, exp / 2, sticky, precision());
    }

    static java.math.BigInteger unsigned(long v) {
        java.math.BigInteger b = java.math.BigInteger.valueOf(v & Long.MAX_VALUE);
        return v < 0 ? b.setBit(63) : b;
    }

    /**
     * Rounds sign * (mag + (sticky ? a fraction : 0)) * 2^exp2 to p bits into se/m (register destination).
     * mag must be positive.
     */
    public void roundBig(int sign, java.math.BigInteger mag, int exp2, boolean sticky, int p) {
        int n = mag.bitLength();
        long hi, lo;
        if (n <= 128) {
            java.math.BigInteger t = mag.shiftLeft(128 - n);
            hi = t.shiftRight(64).longValue();
            lo = t.longValue();
        } else {
            java.math.BigInteger t = mag.shiftRight(n - 128);
            hi = t.shiftRight(64).longValue();
            lo = t.longValue();
            if (!sticky && mag.getLowestSetBit() < n - 128) {
                sticky = true;
            }
        }
        if (sticky) {
            lo |= 1;
        }
        long e = (long) exp2 + n + BIAS - 1;
        int be = (int) Math.max(Math.min(e, 1 << 20), -(1 << 20));
        packExtended(sign, be, hi, lo, p);
    }

    // ------------------------------------------------------------------------------------------ conversions

    /** FLD m32fp: a single-precision image to extended, exactly (SNaNs stay signalling; a denormal raises DE). */
    public void fromSingle(int bits) {
        fromBinary(bits & 0xffffffffL, 8, 23);
    }

    /** FLD m64fp: a double-precision image to extended, as {@link #fromSingle}. */
    public void fromDouble(long bits) {
        fromBinary(bits, 11, 52);
    }

    /**
     * An image of an IEEE 754 binary interchange format (sign, a biased exponent of exponentBits, a trailing
     * significand of fractionBits; SDM Vol. 1 4.2.2) to extended, exactly.
     */
    private void fromBinary(long bits, int exponentBits, int fractionBits) {
        flags = 0;
        int sign = (int) (bits >>> (exponentBits + fractionBits)) & 1;
        int maxE = (1 << exponentBits) - 1;
        int bias = maxE >>> 1;
        int e = (int) (bits >>> fractionBits) & maxE;
        long frac = bits & ((1L << fractionBits) - 1);
        int align = 63 - fractionBits;
        if (e == maxE) {
            result(sign, 0x7fff, INTEGER_BIT | frac << align);
        } else if (e == 0) {
            if (frac == 0) {
                zero(sign);
            } else {
                flags |= DE;
                int z = Long.numberOfLeadingZeros(frac);
                result(sign, BIAS - (bias - 1) - (z - align), frac << z);
            }
        } else {
            result(sign, e - bias + BIAS, INTEGER_BIT | frac << align);
        }
    }

    /** FILD: a signed integer to extended (exact). */
    public void fromLong(long v) {
        flags = 0;
        fromMagnitude(v < 0 ? 1 : 0, v < 0 ? -v : v);
    }

    /** The integer sign * mag (mag unsigned) to extended, exactly: its leading one becomes the integer bit. */
    private void fromMagnitude(int sign, long mag) {
        if (mag == 0) {
            zero(sign);
        } else {
            int z = Long.numberOfLeadingZeros(mag);
            result(sign, BIAS + 63 - z, mag << z);
        }
    }

    /** The result of {@link #toSingle}/{@link #toDouble}/{@link #toInteger}: the memory image. */
    public long store;

    /**
     * FST/FSTP m32fp and m64fp: rounds to the memory format (RC applies, PC does not). An unmasked OE or UE
     * leaves flags set and the caller does not store.
     */
    public void toSingle(int aSe, long aM) {
        toBinary(aSe, aM, 8, 23);
    }

    public void toDouble(int aSe, long aM) {
        toBinary(aSe, aM, 11, 52);
    }

    /** Extended to the binary interchange format of {@link #fromBinary}, rounded at its precision. */
    private void toBinary(int aSe, long aM, int ebits, int fracBits) {
        flags = 0;
        unpackA(aSe, aM);
        int p = fracBits + 1;
        int bias = (1 << (ebits - 1)) - 1;
        int maxBe = (1 << ebits) - 2;
        long sign = (long) as << (fracBits + ebits);
        long expAll = (1L << ebits) - 1;
        switch (ac) {
            case ZERO -> store = sign;
            case INF -> store = sign | expAll << fracBits;
            case QNAN, SNAN -> {
                if (ac == SNAN) {
                    flags |= IE;
                }
                store = sign | expAll << fracBits | ((aM | QUIET) << 1 >>> (64 - fracBits));
            }
            case UNSUPPORTED -> {
                flags |= IE;
                store = 1L << (fracBits + ebits) | expAll << fracBits | 1L << (fracBits - 1);
            }
            default -> {
                // FST raises no denormal-operand exception (SDM Vol. 2A "FST/FSTP")
                round(as, ae - BIAS + bias, am, 0, p, maxBe, 0);
                store = sign | (long) rBe << fracBits | (rSig << 1 >>> (64 - fracBits));
            }
        }
    }

    /**
     * FIST/FISTP/FISTTP: rounds to an integer of the given byte size (under RC, or toward zero when
     * truncate). A NaN, infinity or out-of-range value raises IE and gives the integer indefinite.
     */
    public void toInteger(int aSe, long aM, int size, boolean truncate) {
        flags = 0;
        unpackA(aSe, aM);
        long indefinite = 1L << (8 * size - 1);
        switch (ac) {
            case ZERO -> store = 0;
            case INF, QNAN, SNAN, UNSUPPORTED -> {
                flags |= IE;
                store = indefinite;
            }
            default -> {
                // FIST raises no denormal-operand exception (SDM Vol. 2A "FIST/FISTP")
                int save = fcw;
                if (truncate) {
                    fcw |= 0xc00;
                }
                boolean fits = roundToInt(as, ae, am);
                fcw = save;
                long limit = size == 8 ? Long.MIN_VALUE : 1L << (8 * size - 1);
                // the magnitude is intMag (unsigned); negative values may reach 2^(n-1)
                boolean ok = fits && (as != 0 ? Long.compareUnsigned(intMag, limit) <= 0
                        : Long.compareUnsigned(intMag, limit) < 0);
                if (!ok) {
                    flags = (flags & ~(PE | C1)) | IE;
                    store = indefinite;
                } else {
                    long v = as != 0 ? -intMag : intMag;
                    store = size == 8 ? v : v & ((1L << (8 * size)) - 1);
                }
            }
        }
    }

    /** The magnitude of the last {@link #roundToInt}. */
    private long intMag;

    /**
     * Rounds the finite non-zero value (sign, biased exponent of the normalized significand, significand) to
     * an integer under RC into intMag, flagging PE and C1.
     *
     * @return false if the magnitude does not fit 64 bits unsigned
     */
    private boolean roundToInt(int sign, int e, long sig) {
        int shift = BIAS + 63 - e;
        if (shift <= 0) {
            intMag = sig;
            return shift == 0;
        }
        long keep;
        boolean round, sticky;
        if (shift > 64) {
            keep = 0;
            round = false;
            sticky = true;
        } else if (shift == 64) {
            keep = 0;
            round = sig < 0;
            sticky = (sig << 1) != 0;
        } else {
            keep = sig >>> shift;
            round = (sig >>> (shift - 1) & 1) != 0;
            sticky = (sig & ((1L << (shift - 1)) - 1)) != 0;
        }
        if (round || sticky) {
            flags |= PE;
        }
        if (increments(sign, rc(), keep, round, sticky)) {
            keep++;
            flags |= C1;
            if (keep == 0) {
                return false;
            }
        }
        intMag = keep;
        return true;
    }

    /** FRNDINT: round to an integral value under RC (PC does not apply). */
    public void roundInt(int aSe, long aM) {
        flags = 0;
        unpackA(aSe, aM);
        if (nanOperand(aSe, aM)) {
            return;
        }
        if (ac == ZERO || ac == INF) {
            se = aSe;
            m = aM;
            return;
        }
        if (ac == DENORMAL) {
            flags |= DE;
        }
        if (ae >= BIAS + 63) {
            result(as, ae, am);
            return;
        }
        roundToInt(as, ae, am);
        fromMagnitude(as, intMag);
    }

    // ------------------------------------------------------------------------------------------ comparison

    /**
     * FCOM/FUCOM/FCOMI/FUCOMI/FTST/FICOM: compares a with b. Returns 0 (a > b), 1 (a < b), 2 (equal) or
     * 3 (unordered); flags IE for an SNaN or unsupported operand, or any NaN when !quiet, and DE.
     */
    public int compare(int aSe, long aM, int bSe, long bM, boolean quiet) {
        flags = 0;
        unpackA(aSe, aM);
        unpackB(bSe, bM);
        nanOperand = ac == UNSUPPORTED || bc == UNSUPPORTED || isNaN(ac) || isNaN(bc);
        if (ac == UNSUPPORTED || bc == UNSUPPORTED || ac == SNAN || bc == SNAN) {
            flags |= IE;
            return 3;
        }
        if (isNaN(ac) || isNaN(bc)) {
            if (!quiet) {
                flags |= IE;
            }
            return 3;
        }
        denormalCheck();
        if (ac == ZERO && bc == ZERO) {
            return 2;
        }
        if (as != bs) {
            return as == 0 ? 0 : 1;
        }
        int ra = rank(ac), rb = rank(bc);
        int c = ra != rb ? Integer.compare(ra, rb) : ra != 1 ? 0
                : ae != be ? Integer.compare(ae, be) : Long.compareUnsigned(am, bm);
        if (as != 0) {
            c = -c;
        }
        return c > 0 ? 0 : c < 0 ? 1 : 2;
    }

    private static int rank(int cls) {
        return cls == ZERO ? 0 : cls == INF ? 2 : 1;
    }

    // ------------------------------------------------------------------------------------------ others

    /** FSCALE: a * 2^trunc(b). */
    public void scale(int aSe, long aM, int bSe, long bM) {
        flags = 0;
        unpackA(aSe, aM);
        unpackB(bSe, bM);
        if (nanOperands(aSe, aM, bSe, bM)) {
            return;
        }
        if (bc == INF) {
            // a * 2^+inf is an infinity and a * 2^-inf a zero, but 0 * 2^+inf and inf * 2^-inf are invalid
            if (ac == (bs == 0 ? ZERO : INF)) {
                invalidOperation();
                return;
            }
            if (ac == DENORMAL) {
                flags |= DE;
            }
            if (bs == 0) {
                infinity(as);
            } else {
                zero(as);
            }
            return;
        }
        denormalCheck();
        if (ac == ZERO || ac == INF) {
            se = aSe;
            m = aM;
            return;
        }
        int n;
        if (bc == ZERO || be < BIAS) {
            n = 0;
        } else if (be >= BIAS + 30) {
            n = bs != 0 ? -(1 << 20) : 1 << 20;
        } else {
            n = (int) (bm >>> (BIAS + 63 - be));
            n = bs != 0 ? -n : n;
        }
        packExtended(as, ae + n, am, 0, 64);
    }

    /** FXTRACT: the exponent into {@link #store} (as an unbiased integer) and the significand into se/m. */
    public int extractExponent;

    public void extract(int aSe, long aM) {
        flags = 0;
        unpackA(aSe, aM);
        if (ac == DENORMAL) {
            flags |= DE;
        }
        extractExponent = ae - BIAS;
        result(as, BIAS, am);
    }

    /**
     * FPREM (ieee false) / FPREM1 (ieee true): a partial remainder of a by b into se/m; returns the FSW
     * condition bits C0, C1, C2, C3 to set (C2 when the reduction is incomplete).
     */
    public int remainder(int aSe, long aM, int bSe, long bM, boolean ieee) {
        flags = 0;
        unpackA(aSe, aM);
        unpackB(bSe, bM);
        if (nanOperands(aSe, aM, bSe, bM)) {
            return 0;
        }
        if (ac == INF || bc == ZERO) {
            invalidOperation();
            return 0;
        }
        denormalCheck();
        if (ac == ZERO || bc == INF) {
            if (ac == DENORMAL && bc == INF) {
                packExtended(as, ae, am, 0, 64);
            } else {
                se = aSe;
                m = aM;
            }
            return 0;
        }
        int d = ae - be;
        if (d < 0) {
            if (ieee && d == -1) {
                // |a| may exceed |b|/2: the nearest quotient is 1
                long twiceA = am; // a = am*2^(ae), b = bm*2^(ae+1): compare am with bm
                if (Long.compareUnsigned(twiceA, bm) > 0) {
                    // r = a - b = (am - 2bm) * 2^ae  -> negative of (2bm - am)
                    return remainderResult(as ^ 1, ae, sub2(bm, am), true, 1);
                }
            }
            packExtended(as, ae, am, 0, 64);
            return 0;
        }
        boolean partial = d >= 64;
        int bits = partial ? 32 + (d - 32) % 32 : d;
        // long division: quotient of am*2^bits by bm
        long r = am;
        long q = 0;
        boolean carry = false;
        for (int i = 0; i <= bits; i++) {
            if (i > 0) {
                carry = r < 0;
                r <<= 1;
            }
            q <<= 1;
            if (carry || Long.compareUnsigned(r, bm) >= 0) {
                r -= bm;
                q |= 1;
            }
        }
        int re = be + (d - bits);
        int sign = as;
        if (ieee && !partial) {
            // round the quotient to nearest even: compare 2r with bm
            boolean top = r < 0;
            long r2 = r << 1;
            int c = top ? 1 : Long.compareUnsigned(r2, bm);
            if (c > 0 || (c == 0 && (q & 1) != 0)) {
                r = bm - r;
                q++;
                sign ^= 1;
            }
        }
        if (partial) {
            int cc = 0x400;
            return remainderResult(sign, re, r, false, 0) | cc;
        }
        int cc = ((q & 4) != 0 ? 0x100 : 0) | ((q & 1) != 0 ? 0x200 : 0) | ((q & 2) != 0 ? 0x4000 : 0);
        return remainderResult(sign, re, r, false, 0) | cc;
    }

    private static long sub2(long bm, long am) {
        // 2*bm - am where 2*bm overflows 64 bits: the result is below 2^64 since am >= 2^63
        return (bm << 1) - am;
    }

    private int remainderResult(int sign, int e, long r, boolean oneQuotient, int q) {
        if (r == 0) {
            zero(sign);
        } else {
            int z = Long.numberOfLeadingZeros(r);
            packExtended(sign, e - z, r << z, 0, 64);
        }
        return oneQuotient ? 0x200 : 0;
    }

    /** Rounds a constant given as hi:lo (hi normalized) with biased exponent to 64 bits under RC. */
    public void constant(int be, long hi, long lo) {
        int save = flags;
        flags = 0;
        packExtended(0, be, hi, lo, 64);
        flags = save;
    }
}
