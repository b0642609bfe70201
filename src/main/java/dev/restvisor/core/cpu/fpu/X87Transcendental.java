package dev.restvisor.core.cpu.fpu;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;

/**
 * The x87 transcendental instructions (SDM Vol. 2 FSIN, FCOS, FSINCOS, FPTAN, FPATAN, F2XM1, FYL2X, FYL2XP1)
 * and the constants of FLDPI, FLDL2T, FLDL2E, FLDLG2 and FLDLN2. Each function is evaluated with
 * {@link BigDecimal} series at 60 significant digits from the exact operand and then rounded once to 64 bits
 * under RC, so a result is within one unit in the last place of the exact value; Intel's own results are
 * specified to within one ulp as well (SDM Vol. 1 8.3.10), so the two may differ in the last bit.
 *
 * <p>FSIN, FCOS, FSINCOS and FPTAN reduce their argument with the 66-bit approximation of pi the x87 uses
 * (SDM Vol. 1 8.3.8): the result is f(x - k * pi66/2) evaluated exactly, which is what the hardware computes,
 * not f(x). Not on the per-instruction hot path; these allocate.
 */
public final class X87Transcendental {
    private static final MathContext MC = new MathContext(60);
    /** A bound on every series: the arguments are reduced so that far fewer terms are needed. */
    private static final int MAX_TERMS = 4000;
    /** A series stops at a term below this fraction of the sum: far below the 64-bit significand's last place. */
    private static final BigDecimal EPS = BigDecimal.ONE.movePointLeft(70);
    private static final BigDecimal TWO = BigDecimal.valueOf(2);
    static final BigDecimal LN2 = atanhSmall(BigDecimal.ONE.divide(BigDecimal.valueOf(3), MC)).multiply(TWO, MC);
    static final BigDecimal LN10 = atanhSmall(BigDecimal.ONE.divide(BigDecimal.valueOf(9), MC)).multiply(TWO, MC)
            .add(LN2.multiply(BigDecimal.valueOf(3), MC), MC);
    static final BigDecimal PI = atanSeries(BigDecimal.ONE.divide(BigDecimal.valueOf(5), MC))
            .multiply(BigDecimal.valueOf(16), MC)
            .subtract(atanSeries(BigDecimal.ONE.divide(BigDecimal.valueOf(239), MC)).multiply(BigDecimal.valueOf(4), MC), MC);
    /** The x87's 66-bit pi as an integer: pi ~ PI66 * 2^-64. */
    private static final BigInteger PI66 = new BigInteger("c90fdaa22168c234", 16).shiftLeft(2).or(BigInteger.valueOf(3));
    private static final BigInteger SQRT2_SIG = new BigInteger("b504f333f9de6484", 16);

    /** The FLD constants in the order of D9 E9..ED: log2(10), log2(e), pi, log10(2), ln(2). */
    static final BigDecimal[] CONSTANTS = {LN10.divide(LN2, MC), BigDecimal.ONE.divide(LN2, MC), PI,
        LN2.divide(LN10, MC), LN2};

    private X87Transcendental() {
    }

    // ---------------------------------------------------------------------------------------- conversions

    /** The exact value of a finite extended operand with the given sign and (unpacked) biased exponent. */
    static BigDecimal exact(int sign, int be, long sig) {
        BigInteger mag = X87Math.unsigned(sig);
        int exp2 = be - X87Math.BIAS - 63;
        BigDecimal v = exp2 >= 0 ? new BigDecimal(mag.shiftLeft(exp2))
                : new BigDecimal(mag.multiply(BigInteger.valueOf(5).pow(-exp2)), -exp2);
        return sign != 0 ? v.negate() : v;
    }

    /** Rounds v (an approximation of an irrational value: inexact) into x.se/x.m at 64 bits under RC. */
    static void round(X87Math x, BigDecimal v, boolean inexact) {
        round(x, v, inexact, 0);
    }

    /**
     * As {@link #round(X87Math, BigDecimal, boolean)}; dir tells on which side of v the exact value lies in
     * magnitude (-1 below, +1 above) when v happens to be representable at the working precision, as for
     * sin(x) = x - x^3/6 + ... of a tiny x, whose correction is far beyond 60 digits.
     */
    static void round(X87Math x, BigDecimal v, boolean inexact, int dir) {
        if (v.signum() == 0) {
            x.se = 0;
            x.m = 0;
            return;
        }
        int sign = v.signum() < 0 ? 1 : 0;
        BigDecimal a = v.abs();
        BigInteger u = a.unscaledValue();
        int s = a.scale();
        int est = (int) Math.floor(u.bitLength() - s * 3.321928094887362);
        int k = 150 - est;
        BigInteger num = u;
        BigInteger den = BigInteger.ONE;
        if (k >= 0) {
            num = num.shiftLeft(k);
        } else {
            den = den.shiftLeft(-k);
        }
        if (s >= 0) {
            den = den.multiply(BigInteger.TEN.pow(s));
        } else {
            num = num.multiply(BigInteger.TEN.pow(-s));
        }
        BigInteger[] qr = num.divideAndRemainder(den);
        BigInteger n = qr[0];
        if (qr[1].signum() == 0 && dir < 0) {
            n = n.subtract(BigInteger.ONE);
        }
        x.roundBig(sign, n, -k, inexact || qr[1].signum() != 0, 64);
    }

    /** The constant i of {@link #CONSTANTS} rounded under x.fcw's RC; no flags. */
    public static void constant(X87Math x, int i) {
        round(x, CONSTANTS[i], true);
        x.flags = 0;
    }

    // ---------------------------------------------------------------------------------------- series

    /** Whether a series may stop: its last term is zero or negligible beside the sum. */
    private static boolean converged(BigDecimal term, BigDecimal sum) {
        return term.signum() == 0 || term.abs().compareTo(EPS.multiply(sum.abs(), MC)) <= 0;
    }

    /** atanh(u) = u + u^3/3 + u^5/5 + ..., |u| small. */
    private static BigDecimal atanhSmall(BigDecimal u) {
        return oddPowerSeries(u, u.multiply(u, MC));
    }

    /** atan(u) = u - u^3/3 + u^5/5 - ..., |u| small. */
    private static BigDecimal atanSeries(BigDecimal u) {
        return oddPowerSeries(u, u.multiply(u, MC).negate());
    }

    /** u + u * ratio / 3 + u * ratio^2 / 5 + ...: the series of atanh (ratio u^2) and atan (ratio -u^2). */
    private static BigDecimal oddPowerSeries(BigDecimal u, BigDecimal ratio) {
        BigDecimal power = u;
        BigDecimal sum = u;
        for (int n = 3; n < MAX_TERMS; n += 2) {
            power = power.multiply(ratio, MC);
            BigDecimal t = power.divide(BigDecimal.valueOf(n), MC);
            sum = sum.add(t, MC);
            if (converged(t, sum)) {
                break;
            }
        }
        return sum;
    }

    /** sin (odd true) or cos (odd false) by Taylor series; |r| below 1. */
    private static BigDecimal sinCos(BigDecimal r, boolean odd) {
        BigDecimal r2 = r.multiply(r, MC).negate();
        BigDecimal term = odd ? r : BigDecimal.ONE;
        BigDecimal sum = term;
        for (int n = odd ? 2 : 1; n < MAX_TERMS; n += 2) {
            term = term.multiply(r2, MC).divide(BigDecimal.valueOf((long) n * (n + 1)), MC);
            sum = sum.add(term, MC);
            if (converged(term, sum)) {
                break;
            }
        }
        return sum;
    }

    /** atan(t) for t >= 0. */
    static BigDecimal atan(BigDecimal t) {
        if (t.compareTo(BigDecimal.ONE) > 0) {
            return PI.divide(TWO, MC).subtract(atan(BigDecimal.ONE.divide(t, MC)), MC);
        }
        int doublings = 0;
        while (t.compareTo(new BigDecimal("0.15")) > 0) {
            // atan(t) = 2 atan(t / (1 + sqrt(1 + t^2)))
            t = t.divide(BigDecimal.ONE.add(BigDecimal.ONE.add(t.multiply(t, MC), MC).sqrt(MC), MC), MC);
            doublings++;
        }
        BigDecimal a = atanSeries(t);
        return a.multiply(BigDecimal.valueOf(1L << doublings), MC);
    }

    /** ln(1 + z) for 1 + z in [1/sqrt 2, sqrt 2], accurate relative to the result. */
    private static BigDecimal log1p(BigDecimal z) {
        if (z.signum() == 0) {
            return BigDecimal.ZERO;
        }
        return atanhSmall(z.divide(TWO.add(z, MC), MC)).multiply(TWO, MC);
    }

    /** ln of a positive value: v = m * 2^e with m in [1/sqrt 2, sqrt 2]. */
    private static BigDecimal ln(BigDecimal v) {
        BigInteger u = v.unscaledValue();
        int s = v.scale();
        int e = (int) Math.floor(u.bitLength() - s * 3.321928094887362);
        BigDecimal m = e >= 0 ? v.divide(new BigDecimal(BigInteger.ONE.shiftLeft(e)), MC)
                : v.multiply(new BigDecimal(BigInteger.ONE.shiftLeft(-e)), MC);
        BigDecimal sqrt2 = TWO.sqrt(MC);
        while (m.compareTo(sqrt2) > 0) {
            m = m.divide(TWO, MC);
            e++;
        }
        while (m.compareTo(sqrt2.divide(TWO, MC)) < 0) {
            m = m.multiply(TWO, MC);
            e--;
        }
        return LN2.multiply(BigDecimal.valueOf(e), MC).add(log1p(m.subtract(BigDecimal.ONE, MC)), MC);
    }

    /** log2 of a positive finite value sig * 2^(be-BIAS-63) (be unpacked, sig normalized). */
    private static BigDecimal log2(int be, long sig) {
        int e = be - X87Math.BIAS;
        BigInteger mant = X87Math.unsigned(sig);
        // m = sig / 2^63 in [1, 2); use m/2 above sqrt 2
        BigDecimal m = exact(0, X87Math.BIAS, sig);
        if (mant.compareTo(SQRT2_SIG) > 0) {
            m = exact(0, X87Math.BIAS - 1, sig);
            e++;
        }
        BigDecimal ln = log1p(m.subtract(BigDecimal.ONE));
        return BigDecimal.valueOf(e).add(ln.divide(LN2, MC), MC);
    }

    // ---------------------------------------------------------------------------------------- instructions

    /**
     * The quadrant k (mod 4) and the exactly reduced argument r = x - k * pi66/2 of a finite operand with
     * |x| < 2^63.
     */
    private static int reduce(int sign, int be, long sig, BigDecimal[] r) {
        int exp2 = be - X87Math.BIAS - 63;
        BigInteger mx = X87Math.unsigned(sig);
        if (be < X87Math.BIAS - 1) {
            // |x| < 1/2: no reduction
            r[0] = exact(sign, be, sig);
            return 0;
        }
        int low = Math.min(exp2, -65);
        BigInteger xs = mx.shiftLeft(exp2 - low);
        BigInteger q = PI66.shiftLeft(-65 - low);
        BigInteger[] kr = xs.divideAndRemainder(q);
        BigInteger k = kr[0];
        BigInteger rem = kr[1];
        if (rem.shiftLeft(1).compareTo(q) > 0) {
            k = k.add(BigInteger.ONE);
            rem = rem.subtract(q);
        }
        BigDecimal rv = rem.signum() >= 0 ? new BigDecimal(rem.multiply(BigInteger.valueOf(5).pow(-low)), -low)
                : new BigDecimal(rem.negate().multiply(BigInteger.valueOf(5).pow(-low)), -low).negate();
        int quadrant = k.intValue() & 3;
        if (sign != 0) {
            rv = rv.negate();
            quadrant = (4 - quadrant) & 3;
        }
        r[0] = rv;
        return quadrant;
    }

    /** sin (which 0), cos (1) or tan (2) of a finite non-zero operand with |x| < 2^63, into x. */
    public static void trig(X87Math x, int which, int sign, int be, long sig) {
        if (be < X87Math.BIAS - 40) {
            // |x| < 2^-40: the series' correction (x^2/6, x^2/2, x^2/3 relative) is below 2^-80, so the result
            // is x (or 1) just below or above it, which the rounding must see exactly
            BigDecimal v = which == 1 ? BigDecimal.ONE : exact(sign, be, sig);
            round(x, v, true, which == 2 ? 1 : -1);
            return;
        }
        BigDecimal[] r = new BigDecimal[1];
        int q = reduce(sign, be, sig, r);
        BigDecimal v;
        int dir = -1;
        if (which == 2) {
            BigDecimal sn = sinCos(r[0], true);
            BigDecimal cs = sinCos(r[0], false);
            v = (q & 1) == 0 ? sn.divide(cs, MC) : cs.divide(sn, MC).negate();
            dir = (q & 1) == 0 ? 1 : -1;
        } else {
            int k = (q + which) & 3;
            v = sinCos(r[0], (k & 1) == 0);
            if (k >= 2) {
                v = v.negate();
            }
        }
        round(x, v, true, dir);
    }

    /** F2XM1 of a finite non-zero operand. */
    public static void exp2m1(X87Math x87, int sign, int be, long sig) {
        if (be == X87Math.BIAS && sig == X87Math.INTEGER_BIT) {
            // 2^1 - 1 = 1 and 2^-1 - 1 = -0.5, exactly
            x87.setResult(sign != 0 ? 0x8000 | (X87Math.BIAS - 1) : X87Math.BIAS, X87Math.INTEGER_BIT);
            return;
        }
        if (be >= X87Math.BIAS + 1) {
            // outside the architectural domain -1..+1: 2^n * 2^f - 1 with n the integer part, bounded
            BigDecimal x = exact(sign, be, sig);
            int n = be >= X87Math.BIAS + 15 ? (sign != 0 ? -40000 : 40000) : x.intValue();
            BigDecimal frac = be >= X87Math.BIAS + 15 ? BigDecimal.ZERO : x.subtract(BigDecimal.valueOf(n));
            BigDecimal p = expm1(frac.multiply(LN2, MC)).add(BigDecimal.ONE);
            p = n >= 0 ? p.multiply(new BigDecimal(BigInteger.ONE.shiftLeft(n)), MC)
                    : p.divide(new BigDecimal(BigInteger.ONE.shiftLeft(-n)), MC);
            round(x87, p.subtract(BigDecimal.ONE, MC), true);
            return;
        }
        round(x87, expm1(exact(sign, be, sig).multiply(LN2, MC)), true);
    }

    /** e^y - 1 by Taylor series, |y| below 1. */
    private static BigDecimal expm1(BigDecimal y) {
        BigDecimal term = y;
        BigDecimal sum = y;
        for (int n = 2; n < MAX_TERMS; n++) {
            term = term.multiply(y, MC).divide(BigDecimal.valueOf(n), MC);
            sum = sum.add(term, MC);
            if (converged(term, sum)) {
                break;
            }
        }
        return sum;
    }

    // ---------------------------------------------------------------------- FPATAN, FYL2X, FYL2XP1 by their tables

    private static final int INF_SE = 0x7fff;

    private static int denormals(int xc, int yc) {
        return xc == X87Math.DENORMAL || yc == X87Math.DENORMAL ? X87Math.DE : 0;
    }

    private static void invalid(X87Math x) {
        x.flags |= X87Math.IE;
        x.setResult(X87Math.INDEFINITE_SE, X87Math.INDEFINITE_M);
    }

    /** FPATAN: ST(1) = atan(y / x) with y = ST(1), x = ST(0) (SDM Vol. 2A "FPATAN" Table 3-29). */
    public static void fpatan(X87Math x87, int ySe, long yM, int xSe, long xM) {
        if (x87.nanPair(xSe, xM, ySe, yM)) {
            return;
        }
        int yc = X87Math.classify(ySe, yM), xc = X87Math.classify(xSe, xM);
        int ys = ySe >>> 15 & 1, xs = xSe >>> 15 & 1;
        if (yc == X87Math.ZERO) {
            if (xs == 0) {
                x87.setResult(ys << 15, 0);
            } else {
                piMultiple(x87, ys, 1, 1);
            }
        } else if (yc == X87Math.INF) {
            if (xc == X87Math.INF) {
                piMultiple(x87, ys, xs != 0 ? 3 : 1, 4);
            } else {
                piMultiple(x87, ys, 1, 2);
            }
        } else if (xc == X87Math.ZERO) {
            piMultiple(x87, ys, 1, 2);
        } else if (xc == X87Math.INF) {
            if (xs == 0) {
                x87.setResult(ys << 15, 0);
            } else {
                piMultiple(x87, ys, 1, 1);
            }
        } else {
            atan2(x87, ys, X87Math.unpackedExponent(ySe, yM), X87Math.unpackedSignificand(ySe, yM), xs,
                    X87Math.unpackedExponent(xSe, xM), X87Math.unpackedSignificand(xSe, xM));
            x87.flags |= X87Math.PE;
        }
        if (x87.se != (ys << 15) || x87.m != 0) {
            x87.flags |= X87Math.PE;
        }
        x87.flags |= denormals(xc, yc);
    }

    /** FPATAN: atan(y/x) in the quadrant of (x, y), for finite non-zero operands, into x87. */
    public static void atan2(X87Math x87, int ys, int ybe, long ysig, int xs, int xbe, long xsig) {
        BigDecimal y = exact(0, ybe, ysig);
        BigDecimal xv = exact(0, xbe, xsig);
        BigDecimal a = atan(y.divide(xv, MC));
        if (xs != 0) {
            a = PI.subtract(a, MC);
        }
        round(x87, ys != 0 ? a.negate() : a, true, -1);
    }

    /** pi * num / den with the sign given, rounded (for the special cases of FPATAN). */
    public static void piMultiple(X87Math x87, int sign, int num, int den) {
        BigDecimal v = PI.multiply(BigDecimal.valueOf(num), MC).divide(BigDecimal.valueOf(den), MC);
        round(x87, sign != 0 ? v.negate() : v, true);
    }

    /** FYL2X: ST(1) = y * log2(x), y = ST(1), x = ST(0) (SDM Vol. 2A "FYL2X" Table 3-51). */
    public static void fyl2x(X87Math x87, int ySe, long yM, int xSe, long xM) {
        if (x87.nanPair(xSe, xM, ySe, yM)) {
            return;
        }
        int yc = X87Math.classify(ySe, yM), xc = X87Math.classify(xSe, xM);
        int ys = ySe >>> 15 & 1, xs = xSe >>> 15 & 1;
        if (xs != 0 && xc != X87Math.ZERO) {
            invalid(x87);
            return;
        }
        int de = denormals(xc, yc);
        // the logarithm: -inf (x = 0), +inf, zero (x = 1) or finite
        int lsign;
        boolean lInf, lZero;
        if (xc == X87Math.ZERO) {
            lsign = 1;
            lInf = true;
            lZero = false;
        } else if (xc == X87Math.INF) {
            lsign = 0;
            lInf = true;
            lZero = false;
        } else {
            lInf = false;
            lZero = xM == X87Math.INTEGER_BIT && (xSe & 0x7fff) == X87Math.BIAS;
            lsign = (xSe & 0x7fff) < X87Math.BIAS ? 1 : 0;
        }
        int sign = ys ^ lsign;
        if (lInf) {
            if (yc == X87Math.ZERO) {
                invalid(x87);
                return;
            }
            if (xc == X87Math.ZERO && yc != X87Math.INF) {
                // divide-by-zero takes precedence over a denormal y
                x87.flags |= X87Math.ZE;
                de = 0;
            }
            x87.setResult(sign << 15 | INF_SE, X87Math.INTEGER_BIT);
        } else if (yc == X87Math.INF) {
            if (lZero) {
                invalid(x87);
                return;
            }
            x87.setResult(sign << 15 | INF_SE, X87Math.INTEGER_BIT);
        } else if (yc == X87Math.ZERO || lZero) {
            x87.setResult(sign << 15, 0);
        } else {
            yl2x(x87, ys, X87Math.unpackedExponent(ySe, yM), X87Math.unpackedSignificand(ySe, yM),
                    X87Math.unpackedExponent(xSe, xM), X87Math.unpackedSignificand(xSe, xM));
            x87.flags |= X87Math.PE;
        }
        x87.flags |= de;
    }

    /** FYL2X: y * log2(x) for finite non-zero y and finite positive x. */
    public static void yl2x(X87Math x87, int ys, int ybe, long ysig, int xbe, long xsig) {
        if (xsig == X87Math.INTEGER_BIT) {
            // x = 2^e: y * e exactly, rounded once at 64 bits
            int save = x87.fcw;
            x87.fromLong(xbe - X87Math.BIAS);
            int eSe = x87.se;
            long eM = x87.m;
            x87.fcw |= 0x300;
            x87.binary(X87Math.MUL, ys << 15 | Math.max(ybe, 0), ybe >= 1 ? ysig : ysig >>> (1 - ybe), eSe, eM);
            x87.fcw = save;
            x87.flags &= ~X87Math.DE;
            if ((x87.se & 0x7fff) == 0 && x87.m != 0) {
                x87.flags |= X87Math.UE;
            }
            return;
        }
        BigDecimal l = log2(xbe, xsig);
        if (l.signum() == 0) {
            x87.se = ys << 15;
            x87.m = 0;
            return;
        }
        BigDecimal v = exact(ys, ybe, ysig).multiply(l, MC);
        boolean exact = xsig == X87Math.INTEGER_BIT;
        round(x87, v, !exact);
    }

    /** FYL2XP1: ST(1) = y * log2(x + 1), y = ST(1), x = ST(0) (SDM Vol. 2A "FYL2XP1" Table 3-52). */
    public static void fyl2xp1(X87Math x87, int ySe, long yM, int xSe, long xM) {
        if (x87.nanPair(xSe, xM, ySe, yM)) {
            return;
        }
        int yc = X87Math.classify(ySe, yM), xc = X87Math.classify(xSe, xM);
        int ys = ySe >>> 15 & 1, xs = xSe >>> 15 & 1;
        int de = denormals(xc, yc);
        if (xc == X87Math.INF && xs != 0) {
            invalid(x87);
            return;
        }
        if (xs != 0 && (xc == X87Math.INF || (xSe & 0x7fff) >= X87Math.BIAS)) {
            // x <= -1: the logarithm is undefined
            invalid(x87);
            return;
        }
        int sign = ys ^ xs;
        if (xc == X87Math.ZERO) {
            if (yc == X87Math.INF) {
                invalid(x87);
                return;
            }
            x87.setResult(sign << 15, 0);
        } else if (yc == X87Math.ZERO) {
            if (xc == X87Math.INF) {
                invalid(x87);
                return;
            }
            x87.setResult(sign << 15, 0);
        } else if (yc == X87Math.INF || xc == X87Math.INF) {
            x87.setResult(sign << 15 | INF_SE, X87Math.INTEGER_BIT);
        } else {
            yl2xp1(x87, ys, X87Math.unpackedExponent(ySe, yM), X87Math.unpackedSignificand(ySe, yM), xs,
                    X87Math.unpackedExponent(xSe, xM), X87Math.unpackedSignificand(xSe, xM));
            x87.flags |= X87Math.PE;
        }
        x87.flags |= de;
    }

    /** FYL2XP1: y * log2(x + 1) for finite non-zero y and x. */
    public static void yl2xp1(X87Math x87, int ys, int ybe, long ysig, int xs, int xbe, long xsig) {
        BigDecimal x = exact(xs, xbe, xsig);
        BigDecimal ln = x.abs().compareTo(new BigDecimal("0.25")) < 0 ? log1p(x) : ln(BigDecimal.ONE.add(x));
        BigDecimal v = exact(ys, ybe, ysig).multiply(ln.divide(LN2, MC), MC);
        round(x87, v, true);
    }
}
