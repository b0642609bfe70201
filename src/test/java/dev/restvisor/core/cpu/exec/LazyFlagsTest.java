package dev.restvisor.core.cpu.exec;

import dev.restvisor.core.cpu.state.Rflags;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The lazy status flags against hand-computed results (SDM Vol. 1 3.4.3.1). */
class LazyFlagsTest {
    private final LazyFlags f = new LazyFlags();

    private static final long CF = Rflags.CF, PF = Rflags.PF, AF = Rflags.AF, ZF = Rflags.ZF, SF = Rflags.SF,
            OF = Rflags.OF;

    @Test
    void addOverflowAndCarry() {
        f.set(LazyFlags.ADD, 1, 0x7f, 0x01, 0x80);
        assertEquals(OF | SF | AF, f.status());
        f.set(LazyFlags.ADD, 1, 0xff, 0x01, 0x100);
        assertEquals(CF | ZF | AF | PF, f.status());
        f.set(LazyFlags.ADD, 8, -1L, 1, 0);
        assertEquals(CF | ZF | AF | PF, f.status());
    }

    @Test
    void subBorrowAndSignedOverflow() {
        f.set(LazyFlags.SUB, 2, 0x0000, 0x0001, -1);
        assertEquals(CF | SF | AF | PF, f.status());
        f.set(LazyFlags.SUB, 4, 0x80000000L, 1, 0x7fffffffL);
        assertEquals(OF | AF | PF, f.status());
    }

    @Test
    void adcAndSbbUseTheCarryIn() {
        // 0xff + 0xff + 1 = 0x1ff: carry, result 0xff
        f.setWithCarry(LazyFlags.ADC, 1, 0xff, 0xff, 0x1ff, true);
        assertTrue(f.cf());
        // 5 - 5 - 1 borrows
        f.setWithCarry(LazyFlags.SBB, 1, 5, 5, -1, true);
        assertTrue(f.cf());
        f.setWithCarry(LazyFlags.SBB, 1, 5, 5, 0, false);
        assertFalse(f.cf());
        assertTrue(f.zf());
    }

    @Test
    void incAndDecKeepCarry() {
        f.setAll(CF);
        f.setIncDec(LazyFlags.INC, 1, 0x7f, 0x80);
        assertEquals(CF | OF | SF | AF, f.status());
        f.setAll(0);
        f.setIncDec(LazyFlags.DEC, 2, 0x8000, 0x7fff);
        assertEquals(OF | AF | PF, f.status());
    }

    @Test
    void negAndLogic() {
        f.set(LazyFlags.NEG, 1, 0x80, 0, -0x80);
        assertEquals(CF | OF | SF, f.status());
        f.set(LazyFlags.NEG, 1, 0, 0, 0);
        assertEquals(ZF | PF, f.status());
        f.setResult(4, 0x3, 0);
        assertEquals(PF, f.status());
    }

    @Test
    void conditionCodes() {
        f.set(LazyFlags.SUB, 4, 1, 2, -1); // 1 < 2 signed and unsigned
        assertTrue(f.condition(0x2)); // B
        assertTrue(f.condition(0xc)); // L
        assertFalse(f.condition(0x7)); // A
        assertFalse(f.condition(0xf)); // G
        f.set(LazyFlags.SUB, 4, 0x80000000L, 1, 0x7fffffffL); // INT_MIN - 1 overflows
        assertTrue(f.condition(0x0)); // O
        assertTrue(f.condition(0xc)); // L: SF != OF
    }

    /** After CMP/SUB the conditions come from the operands; they must equal the definitions over the flags. */
    @Test
    void conditionsAfterSubtractionMatchTheFlagDefinitions() {
        java.util.Random random = new java.util.Random(7);
        long[] edges = {0, 1, 2, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffffL, 0x80000000L, 0xffffffffL,
                Long.MAX_VALUE, Long.MIN_VALUE, -1L};
        for (int size : new int[] {1, 2, 4, 8}) {
            long m = size == 8 ? -1L : (1L << (size * 8)) - 1;
            for (int i = 0; i < 4000; i++) {
                long a = (i < edges.length * edges.length ? edges[i % edges.length] : random.nextLong()) & m;
                long b = (i < edges.length * edges.length ? edges[i / edges.length % edges.length] : random.nextLong()) & m;
                if (i % 5 == 0) {
                    b = a; // equal operands often
                }
                f.set(LazyFlags.SUB, size, a, b, a - b);
                long st = f.status();
                boolean cf = (st & CF) != 0, zf = (st & ZF) != 0, sf = (st & SF) != 0, of = (st & OF) != 0,
                        pf = (st & PF) != 0;
                boolean[] want = {of, cf, zf, cf || zf, sf, pf, sf != of, zf || sf != of};
                for (int cc = 0; cc < 16; cc++) {
                    assertEquals(want[cc >>> 1] != ((cc & 1) != 0), f.condition(cc),
                            "size " + size + " a " + Long.toHexString(a) + " b " + Long.toHexString(b) + " cc " + cc);
                }
            }
        }
    }
}
