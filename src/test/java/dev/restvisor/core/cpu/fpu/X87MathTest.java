package dev.restvisor.core.cpu.fpu;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The 80-bit arithmetic on values worked out by hand from SDM Vol. 1 4.8 and 8.1.5 (precision control,
 * rounding control, masked overflow and underflow, the integer indefinite). X87DifferentialTest compares
 * every form with the host; this holds the rules where no x86 host is available.
 */
class X87MathTest {
    private static final int ONE = 0x3fff;
    private static final long INT = X87Math.INTEGER_BIT;
    private final X87Math x = new X87Math();

    private void divide(int pc, int rc, int aSe, long aM, int bSe, long bM) {
        x.fcw = 0x3f | pc << 8 | rc << 10;
        x.binary(X87Math.DIV, aSe, aM, bSe, bM);
    }

    @Test
    void oneThirdUnderEachPrecisionAndRoundingControl() {
        divide(3, 0, ONE, INT, ONE + 1, 0xc000000000000000L); // 1 / 3
        assertEquals(0x3ffd, x.se);
        assertEquals(0xaaaaaaaaaaaaaaabL, x.m);
        assertEquals(X87Math.PE | X87Math.C1, x.flags, "rounded up");
        divide(3, 3, ONE, INT, ONE + 1, 0xc000000000000000L);
        assertEquals(0xaaaaaaaaaaaaaaaaL, x.m);
        assertEquals(X87Math.PE, x.flags, "chopped: not rounded up");
        divide(0, 0, ONE, INT, ONE + 1, 0xc000000000000000L);
        assertEquals(0xaaaaab0000000000L, x.m, "PC = 24 bits");
        divide(2, 0, ONE, INT, ONE + 1, 0xc000000000000000L);
        assertEquals(0xaaaaaaaaaaaaa800L, x.m, "PC = 53 bits");
    }

    @Test
    void maskedOverflowGivesInfinityOrTheLargestFiniteByRoundingControl() {
        x.fcw = 0x37f;
        x.binary(X87Math.ADD, 0x7ffe, -1L, 0x7ffe, -1L);
        assertEquals(0x7fff, x.se);
        assertEquals(INT, x.m);
        assertEquals(X87Math.OE | X87Math.PE | X87Math.C1, x.flags);
        x.fcw = 0xf7f; // chop
        x.binary(X87Math.ADD, 0x7ffe, -1L, 0x7ffe, -1L);
        assertEquals(0x7ffe, x.se);
        assertEquals(-1L, x.m);
        assertEquals(X87Math.OE | X87Math.PE, x.flags);
    }

    @Test
    void unmaskedOverflowAdjustsTheExponentBy24576() {
        x.fcw = 0x377;
        x.binary(X87Math.MUL, 0x7ffe, INT, ONE + 1, INT); // 2^16383 * 2
        assertEquals(0x7fff - 0x6000, x.se);
        assertEquals(X87Math.OE, x.flags);
    }

    @Test
    void denormalResultsAreExactOrUnderflow() {
        x.fcw = 0x37f;
        x.binary(X87Math.DIV, 0x0001, INT, ONE + 1, INT); // the smallest normal / 2: exact denormal
        assertEquals(0, x.se);
        assertEquals(0x4000000000000000L, x.m);
        assertEquals(0, x.flags, "exact: a masked underflow is not signalled");
        x.binary(X87Math.DIV, 0x0001, INT, ONE + 1, 0xc000000000000000L); // / 3: inexact
        assertEquals(X87Math.UE | X87Math.PE, x.flags & (X87Math.UE | X87Math.PE));
        x.binary(X87Math.ADD, 0x0000, 1, 0x0000, 1); // two denormal operands
        assertEquals(X87Math.DE, x.flags);
        assertEquals(2, x.m);
    }

    @Test
    void integerStoresRoundAndGiveTheIndefiniteOutOfRange() {
        x.fcw = 0x37f;
        x.toInteger(ONE + 15, INT, 2, false); // 32768
        assertEquals(X87Math.IE, x.flags);
        assertEquals(0x8000, x.store);
        x.toInteger(ONE + 15 | 0x8000, INT, 2, false); // -32768 fits
        assertEquals(0, x.flags);
        assertEquals(0x8000, x.store);
        x.toInteger(ONE + 1, 0xa000000000000000L, 4, false); // 2.5 rounds to even 2
        assertEquals(2, x.store);
        assertEquals(X87Math.PE, x.flags);
        x.toInteger(ONE + 1, 0xa000000000000000L, 4, true); // FISTTP truncates
        assertEquals(2, x.store);
        x.fcw = 0xb7f; // round up
        x.toInteger(ONE + 1, 0xa000000000000000L, 4, false);
        assertEquals(3, x.store);
        assertEquals(X87Math.PE | X87Math.C1, x.flags);
    }

    @Test
    void remainderReportsTheLowQuotientBits() {
        x.fcw = 0x37f;
        int cc = x.remainder(ONE + 2, 0xe000000000000000L, ONE + 1, INT, false); // 7 rem 2: q = 3
        assertEquals(ONE, x.se);
        assertEquals(INT, x.m);
        assertEquals(0x4000 | 0x200, cc, "C3 = Q1, C1 = Q0, C0 = Q2 = 0");
        cc = x.remainder(ONE + 2, 0xe000000000000000L, ONE + 1, INT, true); // FPREM1: q = 4 (nearest even), r = -1
        assertEquals(ONE | 0x8000, x.se);
        assertEquals(0x100, cc, "C0 = Q2");
    }

    @Test
    void comparisonsOrderSignedZerosInfinitiesAndNaNs() {
        assertEquals(2, x.compare(0, 0, 0x8000, 0, false), "+0 = -0");
        assertEquals(1, x.compare(0xffff, INT, ONE, INT, false), "-inf < 1");
        assertEquals(3, x.compare(0x7fff, 0xc000000000000000L, ONE, INT, true), "unordered");
        assertEquals(0, x.flags, "FUCOM is quiet on a QNaN");
        x.compare(0x7fff, 0xc000000000000000L, ONE, INT, false);
        assertEquals(X87Math.IE, x.flags, "FCOM signals");
    }

    @Test
    void constantsRoundUnderTheRoundingControl() {
        x.fcw = 0x37f;
        X87Transcendental.constant(x, 2); // pi
        assertEquals(0x4000, x.se);
        assertEquals(0xc90fdaa22168c235L, x.m);
        x.fcw = 0x77f; // round down
        X87Transcendental.constant(x, 2);
        assertEquals(0xc90fdaa22168c234L, x.m);
        assertEquals(0, x.flags);
    }
}
