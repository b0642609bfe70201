package dev.restvisor.core.cpu.exec;

import dev.restvisor.core.cpu.decode.DecodedInstruction;
import dev.restvisor.core.cpu.decode.Op;
import dev.restvisor.core.cpu.state.Rflags;

import static dev.restvisor.core.cpu.decode.DecodedInstruction.K_MEM;
import static dev.restvisor.core.cpu.decode.DecodedInstruction.K_REG;

/** BT BTS BTR BTC BSF BSR POPCNT LZCNT TZCNT (SDM Vol. 2A/2B). */
final class Bits {
    private Bits() {
    }

    static void execute(Interpreter x, DecodedInstruction d) {
        switch (d.op) {
            case BT, BTS, BTR, BTC -> bitTest(x, d);
            default -> scan(x, d);
        }
    }

    /**
     * With a register bit offset and a memory operand the offset is signed and selects any bit relative
     * to the operand's address (SDM "BT" Table 3-2); an immediate offset is taken modulo the width.
     */
    private static void bitTest(Interpreter x, DecodedInstruction d) {
        int size = d.size[0];
        int bits = size * 8;
        long offset = x.readOp(d, 1);
        if (d.kind[0] == K_MEM && d.kind[1] == K_REG) {
            long signed = (offset << (64 - bits)) >> (64 - bits);
            long delta = (signed >> (bits == 8 ? 3 : bits == 16 ? 4 : bits == 32 ? 5 : 6)) * size;
            x.ea = (x.ea + delta) & Interpreter.mask(d.addrSize);
        }
        int bit = (int) (offset & (bits - 1));
        long v = x.readOp(d, 0);
        boolean cf = ((v >>> bit) & 1) != 0;
        long r = switch (d.op) {
            case BTS -> v | (1L << bit);
            case BTR -> v & ~(1L << bit);
            case BTC -> v ^ (1L << bit);
            default -> v;
        };
        long s = x.flags.status() & ~Rflags.CF;
        x.flags.setAll(s | (cf ? Rflags.CF : 0));
        if (d.op != Op.BT) {
            x.writeOp(d, 0, r);
        }
    }

    private static void scan(Interpreter x, DecodedInstruction d) {
        int size = d.size[0];
        int bits = size * 8;
        long src = x.readOp(d, 1);
        long old = x.flags.status();
        switch (d.op) {
            case BSF, BSR -> {
                // source 0: ZF = 1 and the destination keeps its value (what Intel processors do)
                if (src == 0) {
                    x.flags.setAll(old | Rflags.ZF);
                    return;
                }
                int idx = d.op == Op.BSF ? Long.numberOfTrailingZeros(src)
                        : 63 - Long.numberOfLeadingZeros(src);
                x.flags.setAll(old & ~Rflags.ZF);
                x.writeOp(d, 0, idx);
            }
            case POPCNT -> {
                x.flags.setAll(src == 0 ? Rflags.ZF : 0);
                x.writeOp(d, 0, Long.bitCount(src));
            }
            case LZCNT -> {
                int n = src == 0 ? bits : Long.numberOfLeadingZeros(src) - (64 - bits);
                x.flags.setAll((src == 0 ? Rflags.CF : 0) | (n == 0 ? Rflags.ZF : 0));
                x.writeOp(d, 0, n);
            }
            case TZCNT -> {
                int n = src == 0 ? bits : Long.numberOfTrailingZeros(src);
                x.flags.setAll((src == 0 ? Rflags.CF : 0) | (n == 0 ? Rflags.ZF : 0));
                x.writeOp(d, 0, n);
            }
            default -> throw new IllegalStateException(d.op.name());
        }
    }
}
