package dev.restvisor.core.cpu.exec;

import dev.restvisor.core.cpu.decode.DecodedInstruction;
import dev.restvisor.core.cpu.state.Rflags;

import java.math.BigInteger;

/**
 * MUL IMUL DIV IDIV (SDM Vol. 2A/2B). CF = OF = "the upper half is significant"; SF, ZF, PF come from
 * the low half of the product and AF is 0, as Intel processors leave them. Division by zero and a
 * quotient that does not fit raise #DE with nothing changed; DIV/IDIV leave the flags unchanged.
 */
final class MulDiv {
    private MulDiv() {
    }

    static void execute(Interpreter x, DecodedInstruction d) {
        if (d.operandCount == 1) {
            int size = d.size[0];
            long src = x.readOp(d, 0);
            switch (d.op) {
                case MUL -> mul(x, size, src, false);
                case IMUL -> mul(x, size, src, true);
                case DIV -> div(x, size, src, false);
                default -> div(x, size, src, true);
            }
            return;
        }
        // IMUL r, r/m [, imm]: truncated signed product
        int size = d.size[0];
        long a = d.operandCount == 3 ? x.readOp(d, 1) : x.readOp(d, 0);
        long b = d.operandCount == 3 ? x.readOp(d, 2) : x.readOp(d, 1);
        x.writeOp(d, 0, imul(x.flags, size, a, b));
    }

    /** The truncated signed product of IMUL r, r/m [, imm]: records the flags, returns the masked result. */
    static long imul(LazyFlags f, int size, long a, long b) {
        int bits = size * 8;
        long sa = (a << (64 - bits)) >> (64 - bits);
        long sb = (b << (64 - bits)) >> (64 - bits);
        long lo = sa * sb;
        boolean overflow;
        if (size == 8) {
            overflow = Math.multiplyHigh(sa, sb) != (lo >> 63);
        } else {
            overflow = ((lo << (64 - bits)) >> (64 - bits)) != lo;
        }
        long r = lo & Interpreter.mask(size);
        f.setResult(size, r, overflow ? Rflags.CF | Rflags.OF : 0);
        return r;
    }

    private static void mul(Interpreter x, int size, long src, boolean signed) {
        int bits = size * 8;
        long a = x.reg(0, size);
        long lo;
        long hi;
        if (size == 8) {
            lo = a * src;
            hi = signed ? Math.multiplyHigh(a, src) : Math.unsignedMultiplyHigh(a, src);
        } else {
            long p = signed ? ((a << (64 - bits)) >> (64 - bits)) * ((src << (64 - bits)) >> (64 - bits)) : a * src;
            lo = p & Interpreter.mask(size);
            hi = (p >> bits) & Interpreter.mask(size);
        }
        boolean significant = signed
                ? hi != (((lo << (64 - bits)) >> 63) & Interpreter.mask(size))
                : hi != 0;
        if (size == 1) {
            x.setReg(0, 2, (hi << 8) | lo);
        } else {
            x.setReg(0, size, lo);
            x.setReg(2, size, hi);
        }
        x.flags.setResult(size, lo, significant ? Rflags.CF | Rflags.OF : 0);
    }

    private static void div(Interpreter x, int size, long divisor, boolean signed) {
        int bits = size * 8;
        long m = Interpreter.mask(size);
        if (divisor == 0) {
            throw GuestFault.de();
        }
        long q;
        long rem;
        if (size == 8) {
            long hi = x.state.gpr[2];
            long lo = x.state.gpr[0];
            BigInteger dividend = BigInteger.valueOf(hi).shiftLeft(64).or(new BigInteger(Long.toUnsignedString(lo)));
            BigInteger dv;
            if (signed) {
                dv = BigInteger.valueOf(divisor);
            } else {
                dividend = dividend.and(BigInteger.ONE.shiftLeft(128).subtract(BigInteger.ONE));
                dv = new BigInteger(Long.toUnsignedString(divisor));
            }
            BigInteger[] qr = dividend.divideAndRemainder(dv);
            int limitBits = signed ? 63 : 64;
            if (qr[0].bitLength() > limitBits) {
                throw GuestFault.de();
            }
            q = qr[0].longValue();
            rem = qr[1].longValue();
        } else {
            long dividend = size == 1 ? x.reg(0, 2) : (x.reg(2, size) << bits) | x.reg(0, size);
            if (signed) {
                long sd = (dividend << (64 - 2 * bits)) >> (64 - 2 * bits);
                long sv = (divisor << (64 - bits)) >> (64 - bits);
                q = sd / sv;
                rem = sd % sv;
                long max = (1L << (bits - 1)) - 1;
                if (q > max || q < -max - 1) {
                    throw GuestFault.de();
                }
            } else {
                q = Long.divideUnsigned(dividend, divisor);
                rem = Long.remainderUnsigned(dividend, divisor);
                if (Long.compareUnsigned(q, m) > 0) {
                    throw GuestFault.de();
                }
            }
        }
        if (size == 1) {
            x.setReg(0, 2, ((rem & 0xff) << 8) | (q & 0xff));
        } else {
            x.setReg(0, size, q & m);
            x.setReg(2, size, rem & m);
        }
    }
}
