package dev.restvisor.core.cpu.exec;

import dev.restvisor.core.cpu.decode.DecodedInstruction;
import dev.restvisor.core.cpu.decode.Op;
import dev.restvisor.core.cpu.state.Rflags;
import dev.restvisor.core.cpu.state.SegmentRegister;

import static dev.restvisor.core.cpu.decode.DecodedInstruction.K_MEM;
import static dev.restvisor.core.cpu.decode.DecodedInstruction.K_SREG;

/**
 * Data movement: MOV (incl. segment registers), MOVZX MOVSX MOVSXD XCHG CMPXCHG CMPXCHG8B/16B XADD
 * BSWAP MOVBE CMOVcc SETcc LAHF SAHF CBW/CWDE/CDQE CWD/CDQ/CQO LEA XLAT LDS/LES/LSS/LFS/LGS BOUND SALC
 * (SDM Vol. 2A-2C).
 */
final class DataMove {
    private DataMove() {
    }

    static void execute(Interpreter x, DecodedInstruction d) {
        int size = d.size[0];
        switch (d.op) {
            case MOV -> {
                if (d.kind[0] == K_SREG) {
                    FarTransfers.loadSegment(x, d.reg[0], (int) (x.readOp(d, 1) & 0xffff));
                    if (d.reg[0] == SegmentRegister.SS) {
                        x.state.interruptShadow = true;
                    }
                } else if (d.kind[1] == K_SREG && d.kind[0] == K_MEM) {
                    x.write(d.memorySegment, x.ea, 2, x.readOp(d, 1));
                } else {
                    x.writeOp(d, 0, x.readOp(d, 1));
                }
            }
            case MOVZX -> x.writeOp(d, 0, x.readOp(d, 1));
            case MOVSX, MOVSXD -> {
                int from = d.size[1] * 8;
                long v = x.readOp(d, 1);
                x.writeOp(d, 0, (v << (64 - from)) >> (64 - from));
            }
            case XCHG -> {
                long a = x.readOp(d, 0);
                long b = x.readOp(d, 1);
                x.writeOp(d, 0, b);
                x.writeOp(d, 1, a);
            }
            case CMPXCHG -> {
                long acc = x.reg(0, size);
                long dest = x.readOp(d, 0);
                x.flags.set(LazyFlags.SUB, size, acc, dest, acc - dest);
                if (acc == dest) {
                    x.writeOp(d, 0, x.readOp(d, 1));
                } else {
                    // the destination is written back with its own value (SDM CMPXCHG: locked cycle)
                    if (d.kind[0] == K_MEM) {
                        x.writeOp(d, 0, dest);
                    }
                    x.setReg(0, size, dest);
                }
            }
            case CMPXCHG8B -> {
                long m = x.read(d.memorySegment, x.ea, 8);
                long cmp = (x.reg(2, 4) << 32) | x.reg(0, 4);
                if (m == cmp) {
                    x.write(d.memorySegment, x.ea, 8, (x.reg(1, 4) << 32) | x.reg(3, 4));
                    x.flags.setAll(x.flags.status() | Rflags.ZF);
                } else {
                    x.write(d.memorySegment, x.ea, 8, m);
                    x.setReg(0, 4, m & 0xffffffffL);
                    x.setReg(2, 4, m >>> 32);
                    x.flags.setAll(x.flags.status() & ~Rflags.ZF);
                }
            }
            case CMPXCHG16B -> {
                if ((x.ea & 15) != 0) {
                    throw GuestFault.gp(0);
                }
                long lo = x.read(d.memorySegment, x.ea, 8);
                long hi = x.read(d.memorySegment, x.ea + 8, 8);
                long[] g = x.state.gpr;
                if (lo == g[0] && hi == g[2]) {
                    x.write(d.memorySegment, x.ea, 8, g[3]);
                    x.write(d.memorySegment, x.ea + 8, 8, g[1]);
                    x.flags.setAll(x.flags.status() | Rflags.ZF);
                } else {
                    x.write(d.memorySegment, x.ea, 8, lo);
                    x.write(d.memorySegment, x.ea + 8, 8, hi);
                    g[0] = lo;
                    g[2] = hi;
                    x.flags.setAll(x.flags.status() & ~Rflags.ZF);
                }
            }
            case XADD -> {
                long a = x.readOp(d, 0);
                long b = x.readOp(d, 1);
                long r = a + b;
                x.flags.set(LazyFlags.ADD, size, a, b, r);
                x.writeOp(d, 1, a);
                x.writeOp(d, 0, r & Interpreter.mask(size));
            }
            case BSWAP -> {
                long v = x.readOp(d, 0);
                // with a 16-bit operand the result is undefined; Intel processors produce 0
                x.writeOp(d, 0, size == 8 ? Long.reverseBytes(v) : size == 4 ? Integer.reverseBytes((int) v) : 0);
            }
            case MOVBE -> {
                long v = x.readOp(d, 1);
                long r = size == 8 ? Long.reverseBytes(v) : size == 4 ? Integer.reverseBytes((int) v)
                        : Short.reverseBytes((short) v);
                x.writeOp(d, 0, r);
            }
            case CMOVCC -> cmov(x, d.reg[0], size, x.readOp(d, 1), x.flags.condition(d.condition));
            case SETCC -> x.writeOp(d, 0, x.flags.condition(d.condition) ? 1 : 0);
            case LAHF -> x.setReg(DecodedInstruction.AH, 1, (x.getRflags() & 0xd5) | 2);
            case SAHF -> {
                long ah = x.reg(DecodedInstruction.AH, 1);
                long mask = Rflags.SF | Rflags.ZF | Rflags.AF | Rflags.PF | Rflags.CF;
                x.flags.setAll((x.flags.status() & ~mask) | (ah & mask));
            }
            case CBW -> cbw(x, d.opSize);
            case CWD -> cwd(x, d.opSize);
            case LEA -> x.writeOp(d, 0, x.ea);
            case XLAT -> {
                int seg = d.segmentOverride >= 0 ? d.segmentOverride : SegmentRegister.DS;
                long addr = (x.reg(3, d.addrSize) + x.reg(0, 1)) & Interpreter.mask(d.addrSize);
                x.setReg(0, 1, x.read(seg, addr, 1));
            }
            case LDS, LES, LSS, LFS, LGS -> {
                int os = d.opSize;
                long off = x.read(d.memorySegment, x.ea, os);
                int sel = (int) x.read(d.memorySegment, (x.ea + os) & Interpreter.mask(d.addrSize), 2);
                int sreg = switch (d.op) {
                    case LDS -> SegmentRegister.DS;
                    case LES -> SegmentRegister.ES;
                    case LSS -> SegmentRegister.SS;
                    case LFS -> SegmentRegister.FS;
                    default -> SegmentRegister.GS;
                };
                FarTransfers.loadSegment(x, sreg, sel);
                x.writeOp(d, 0, off);
            }
            case BOUND -> {
                int os = d.opSize;
                int bits = os * 8;
                long idx = x.readOp(d, 0);
                long lo = x.read(d.memorySegment, x.ea, os);
                long hi = x.read(d.memorySegment, (x.ea + os) & Interpreter.mask(d.addrSize), os);
                long si = (idx << (64 - bits)) >> (64 - bits);
                if (si < (lo << (64 - bits)) >> (64 - bits) || si > (hi << (64 - bits)) >> (64 - bits)) {
                    throw new GuestFault(GuestFault.BR, -1);
                }
            }
            case SALC -> x.setReg(0, 1, x.flags.cf() ? 0xff : 0);
            default -> throw new IllegalStateException(d.op.name());
        }
    }

    /** CMOVcc into register {@code r} (the source already read, as it is whether or not the move happens). */
    static void cmov(Interpreter x, int r, int size, long v, boolean condition) {
        if (condition) {
            x.setReg(r, size, v);
        } else if (size == 4) {
            // a 32-bit destination is zero-extended even when the condition is false
            x.state.gpr[r] &= 0xffffffffL;
        }
    }

    /** CBW/CWDE/CDQE: the lower half of rAX sign-extended into rAX of {@code os} bytes. */
    static void cbw(Interpreter x, int os) {
        int half = os * 4;
        long v = x.reg(0, os / 2);
        x.setReg(0, os, (v << (64 - half)) >> (64 - half));
    }

    /** CWD/CDQ/CQO: the sign of rAX of {@code os} bytes copied into every bit of rDX. */
    static void cwd(Interpreter x, int os) {
        long v = x.reg(0, os);
        x.setReg(2, os, (v & (1L << (os * 8 - 1))) != 0 ? -1L : 0);
    }

    /** CLC STC CMC CLD STD CLI STI (SDM Vol. 2A/2B); CLI/STI need CPL <= IOPL in protected mode. */
    static void flagControl(Interpreter x, DecodedInstruction d) {
        var s = x.state;
        switch (d.op) {
            case CLC -> x.flags.setAll(x.flags.status() & ~Rflags.CF);
            case STC -> x.flags.setAll(x.flags.status() | Rflags.CF);
            case CMC -> x.flags.setAll(x.flags.status() ^ Rflags.CF);
            case CLD -> s.rflags &= ~Rflags.DF;
            case STD -> s.rflags |= Rflags.DF;
            case CLI, STI -> {
                if (s.protectedMode() && s.cpl() > (int) ((s.rflags & Rflags.IOPL) >>> 12)) {
                    throw GuestFault.gp(0);
                }
                if (d.op == Op.CLI) {
                    s.rflags &= ~Rflags.IF;
                } else {
                    if ((s.rflags & Rflags.IF) == 0) {
                        s.interruptShadow = true;
                    }
                    s.rflags |= Rflags.IF;
                }
            }
            default -> throw new IllegalStateException(d.op.name());
        }
    }
}
