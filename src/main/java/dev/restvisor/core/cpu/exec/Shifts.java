package dev.restvisor.core.cpu.exec;

import dev.restvisor.core.cpu.decode.DecodedInstruction;
import dev.restvisor.core.cpu.decode.Op;
import dev.restvisor.core.cpu.state.Rflags;

/**
 * ROL ROR RCL RCR SHL/SAL SHR SAR SHLD SHRD (SDM Vol. 2B "RCL/RCR/ROL/ROR", "SAL/SAR/SHL/SHR",
 * "SHLD", "SHRD"). The count is masked to 5 bits (6 with a 64-bit operand); a masked count of 0
 * changes nothing. OF is defined for 1-bit shifts; for larger counts we produce what Intel hardware
 * produces for the same formula (OF from the last step), and AF is left 0 for shifts.
 */
final class Shifts {
    private Shifts() {
    }

    static void execute(Interpreter x, DecodedInstruction d) {
        int size = d.size[0];
        long m = Interpreter.mask(size);
        int countIndex = d.operandCount - 1;
        int count = (int) x.readOp(d, countIndex) & (size == 8 ? 0x3f : 0x1f);
        // the operand is read (and may fault) even when the masked count is 0
        long a = x.readOp(d, 0);
        if (count == 0) {
            if (size == 4 && d.kind[0] == DecodedInstruction.K_REG) {
                // the 32-bit register is still written, so its upper half is cleared (SDM Vol. 1 3.4.1.1)
                x.writeOp(d, 0, a);
            }
            return;
        }
        long r = d.op == Op.SHLD || d.op == Op.SHRD ? doubleShift(x, d, a, count, size) : shift(x, d.op, size, a, count);
        x.writeOp(d, 0, r & m);
    }

    /**
     * ROL ROR RCL RCR SHL/SAL SHR SAR of a zero-extended operand by a masked count other than 0: records the
     * flags and returns the result (unmasked). Shared by the generic executor and the fast forms.
     */
    static long shift(Interpreter x, Op op, int size, long a, int count) {
        int bits = size * 8;
        long m = Interpreter.mask(size);
        long sign = 1L << (bits - 1);
        LazyFlags f = x.flags;
        long r;
        switch (op) {
            case SHL, SAL -> {
                long cf = count <= bits ? ((count == 64 ? 0 : a << (count - 1)) & sign) : 0;
                r = count >= 64 ? 0 : a << count;
                boolean c = cf != 0;
                boolean o = ((r & sign) != 0) != c;
                f.setResult(size, r & m, (c ? Rflags.CF : 0) | (o ? Rflags.OF : 0));
            }
            case SHR -> {
                boolean c = count <= bits && ((a >>> (count - 1)) & 1) != 0;
                r = a >>> count;
                boolean o = count == 1 ? (a & sign) != 0 : ((r << 1 ^ r) & sign) != 0;
                f.setResult(size, r & m, (c ? Rflags.CF : 0) | (o ? Rflags.OF : 0));
            }
            case SAR -> {
                long sa = (a << (64 - bits)) >> (64 - bits);
                int n = Math.min(count, 63);
                boolean c = ((sa >> (n - 1)) & 1) != 0;
                r = sa >> n;
                f.setResult(size, r & m, c ? Rflags.CF : 0);
            }
            case ROL -> {
                int n = count % bits;
                r = n == 0 ? a : ((a << n) | (a >>> (bits - n))) & m;
                boolean c = (r & 1) != 0;
                boolean o = ((r & sign) != 0) != c;
                setCfOf(x, c, o);
            }
            case ROR -> {
                int n = count % bits;
                r = n == 0 ? a : ((a >>> n) | (a << (bits - n))) & m;
                boolean c = (r & sign) != 0;
                boolean o = ((r ^ (r << 1)) & sign) != 0;
                setCfOf(x, c, o);
            }
            case RCL -> {
                int n = size == 1 ? count % 9 : size == 2 ? count % 17 : count;
                boolean c = f.cf();
                r = a;
                for (int i = 0; i < n; i++) {
                    boolean out = (r & sign) != 0;
                    r = ((r << 1) | (c ? 1 : 0)) & m;
                    c = out;
                }
                boolean o = ((r & sign) != 0) != c;
                setCfOf(x, c, o);
            }
            case RCR -> {
                int n = size == 1 ? count % 9 : size == 2 ? count % 17 : count;
                boolean c = f.cf();
                r = a;
                for (int i = 0; i < n; i++) {
                    boolean out = (r & 1) != 0;
                    r = (r >>> 1) | (c ? sign : 0);
                    c = out;
                }
                boolean o = ((r ^ (r << 1)) & sign) != 0;
                setCfOf(x, c, o);
            }
            default -> throw new IllegalStateException(op.name());
        }
        return r;
    }

    /** Rotates touch only CF and OF. */
    private static void setCfOf(Interpreter x, boolean c, boolean o) {
        long s = x.flags.status() & ~(Rflags.CF | Rflags.OF);
        x.flags.setAll(s | (c ? Rflags.CF : 0) | (o ? Rflags.OF : 0));
    }

    /**
     * SHLD/SHRD: the destination is shifted and filled from the source. With a 16-bit operand and a count
     * above 16 the result is undefined; we shift through the 48-bit concatenation dest:src:dest as Intel
     * processors do.
     */
    private static long doubleShift(Interpreter x, DecodedInstruction d, long a, int count, int size) {
        int bits = size * 8;
        long m = Interpreter.mask(size);
        long sign = 1L << (bits - 1);
        long b = x.readOp(d, 1) & m;
        long r;
        boolean c;
        if (d.op == Op.SHLD) {
            if (size == 2) {
                long cat = (a << 32) | (b << 16) | a;
                long sh = cat << count;
                r = (sh >>> 32) & m;
                c = ((cat >>> (48 - count)) & 1) != 0;
            } else {
                r = ((a << count) | (b >>> (bits - count))) & m;
                c = ((a >>> (bits - count)) & 1) != 0;
            }
        } else {
            if (size == 2) {
                long full = (a << 32) | (b << 16) | a;
                r = (full >>> count) & m;
                c = ((full >>> (count - 1)) & 1) != 0;
            } else {
                r = ((a >>> count) | (b << (bits - count))) & m;
                c = ((a >>> (count - 1)) & 1) != 0;
            }
        }
        boolean o = ((r ^ a) & sign) != 0;
        x.flags.setResult(size, r, (c ? Rflags.CF : 0) | (o ? Rflags.OF : 0));
        return r;
    }
}
