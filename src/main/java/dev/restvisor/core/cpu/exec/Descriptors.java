package dev.restvisor.core.cpu.exec;

import dev.restvisor.core.cpu.state.CpuState;
import dev.restvisor.core.cpu.state.Segment;

/**
 * Segment and gate descriptors in the GDT and LDT (SDM Vol. 3A 3.4.5, 5.8.3, 6.14.1, 7.2.3). A descriptor
 * is handled as its raw 8-byte value; system descriptors of IA-32e mode are 16 bytes, the upper half
 * read separately. All descriptor-table accesses are implicit supervisor accesses.
 */
final class Descriptors {
    /** System descriptor types (S = 0). */
    static final int LDT = 2, TSS16_AVAIL = 1, TSS16_BUSY = 3, CALL_GATE16 = 4, TASK_GATE = 5, INT_GATE16 = 6,
            TRAP_GATE16 = 7, TSS_AVAIL = 9, TSS_BUSY = 11, CALL_GATE = 12, INT_GATE = 14, TRAP_GATE = 15;

    private Descriptors() {
    }

    static int type(long d) {
        return (int) (d >>> 40) & 0xf;
    }

    /** The S flag: 1 for code/data, 0 for system descriptors. */
    static boolean codeOrData(long d) {
        return (d & (1L << 44)) != 0;
    }

    static int dpl(long d) {
        return (int) (d >>> 45) & 3;
    }

    static boolean present(long d) {
        return (d & (1L << 47)) != 0;
    }

    static boolean isCode(long d) {
        return codeOrData(d) && (type(d) & 8) != 0;
    }

    static boolean conforming(long d) {
        return isCode(d) && (type(d) & 4) != 0;
    }

    static boolean readableCode(long d) {
        return isCode(d) && (type(d) & 2) != 0;
    }

    static boolean writableData(long d) {
        return codeOrData(d) && (type(d) & 0xa) == 2;
    }

    static boolean isData(long d) {
        return codeOrData(d) && (type(d) & 8) == 0;
    }

    static boolean longCode(long d) {
        return (d & (1L << 53)) != 0;
    }

    static boolean db(long d) {
        return (d & (1L << 54)) != 0;
    }

    static long base(long d) {
        return ((d >>> 16) & 0xffffffL) | ((d >>> 32) & 0xff000000L);
    }

    /** The byte-granular limit (G applied). */
    static int limit(long d) {
        int raw = (int) (d & 0xffff) | (int) ((d >>> 32) & 0xf0000);
        return (d & (1L << 55)) != 0 ? (raw << 12) | 0xfff : raw;
    }

    /** Gate fields: target selector, 32-bit offset, parameter count. */
    static int gateSelector(long d) {
        return (int) (d >>> 16) & 0xffff;
    }

    static long gateOffset(long d) {
        return (d & 0xffff) | ((d >>> 32) & 0xffff0000L);
    }

    static int gateParams(long d) {
        return (int) (d >>> 32) & 0x1f;
    }

    static int gateIst(long d) {
        return (int) (d >>> 32) & 7;
    }

    /** The descriptor cache a load produces, with the accessed bit set as the load sets it in memory. */
    static Segment toSegment(int selector, long d) {
        return toSegment(selector, d, base(d));
    }

    static Segment toSegment(int selector, long d, long base) {
        int t = type(d) | (codeOrData(d) ? 1 : 0);
        return new Segment(selector & 0xffff, base, limit(d), t, present(d) ? 1 : 0, dpl(d), db(d) ? 1 : 0,
                codeOrData(d) ? 1 : 0, longCode(d) ? 1 : 0, (int) (d >>> 55) & 1, (int) (d >>> 52) & 1, 0);
    }

    /** The state a null selector leaves in DS, ES, FS, GS (or SS in 64-bit mode): unusable, base 0. */
    static Segment nullSegment(int selector, int dpl) {
        return new Segment(selector & 0xffff, 0, 0, 0, 0, dpl, 0, 0, 0, 0, 0, 1);
    }

    /** True when the 8 bytes of the selector's descriptor (16 when {@code wide}) lie inside the GDT or LDT. */
    static boolean inLimits(CpuState s, int selector, boolean wide) {
        long last = (selector & 0xfff8) + (wide ? 15 : 7);
        if ((selector & 4) != 0) {
            return !s.ldt.isUnusable() && s.ldt.present() != 0 && last <= (s.ldt.limit() & 0xffffffffL);
        }
        return last <= s.gdt.limit();
    }

    static long address(CpuState s, int selector) {
        long base = (selector & 4) != 0 ? s.ldt.base() : s.gdt.base();
        long a = base + (selector & 0xfff8);
        return s.longMode() ? a : a & 0xffffffffL;
    }

    /**
     * Reads the descriptor a non-null selector names.
     *
     * @param vector the fault when the selector lies outside its table: #GP or #TS, error code the selector
     */
    static long read(Interpreter x, int selector, int vector) {
        if (!inLimits(x.state, selector, false)) {
            throw new GuestFault(vector, selector & 0xfffc);
        }
        return x.readLinear(address(x.state, selector), 8);
    }

    /** The upper 8 bytes of a 16-byte IA-32e system descriptor. */
    static long readHigh(Interpreter x, int selector, int vector) {
        if (!inLimits(x.state, selector, true)) {
            throw new GuestFault(vector, selector & 0xfffc);
        }
        return x.readLinear(address(x.state, selector) + 8, 8);
    }

    /** Sets the accessed bit of a code/data descriptor in memory if it is clear (SDM Vol. 3A 3.4.5.1). */
    static void setAccessed(Interpreter x, int selector, long d) {
        if (codeOrData(d) && (type(d) & 1) == 0) {
            x.writeLinear(address(x.state, selector) + 5, 1, (d >>> 40) & 0xff | 1);
        }
    }

    /** Sets or clears the busy bit of a TSS descriptor in memory (type 9/11, 1/3). */
    static void setBusy(Interpreter x, int selector, long d, boolean busy) {
        long b = (d >>> 40) & 0xff;
        x.writeLinear(address(x.state, selector) + 5, 1, busy ? b | 2 : b & ~2);
    }
}
