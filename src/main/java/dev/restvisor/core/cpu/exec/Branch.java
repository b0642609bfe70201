package dev.restvisor.core.cpu.exec;

import dev.restvisor.core.cpu.decode.DecodedInstruction;
import dev.restvisor.core.cpu.decode.Op;
import dev.restvisor.core.cpu.state.Rflags;

import static dev.restvisor.core.cpu.decode.DecodedInstruction.K_FAR;
import static dev.restvisor.core.cpu.decode.DecodedInstruction.K_REL;

/**
 * Jcc JMP CALL RET LOOP LOOPE LOOPNE JCXZ and the far/interrupt transfers, which go to
 * {@link FarTransfers} and {@link Interrupts} (SDM Vol. 2A "Jcc", "JMP", "CALL", Vol. 2B "RET", "LOOP").
 * A near target is truncated to the operand size (16 or 32 bits outside 64-bit mode).
 */
final class Branch {
    private Branch() {
    }

    private static long target(Interpreter x, DecodedInstruction d) {
        long t = d.kind[0] == K_REL ? x.nextRip + d.imm : x.readOp(d, 0);
        return t & Interpreter.mask(d.opSize);
    }

    static void execute(Interpreter x, DecodedInstruction d) {
        switch (d.op) {
            case JCC -> {
                if (x.flags.condition(d.condition)) {
                    x.nextRip = target(x, d);
                }
            }
            case JMP -> x.nextRip = target(x, d);
            case CALL -> {
                long t = target(x, d);
                x.push(d.opSize, x.nextRip);
                x.nextRip = t;
            }
            case RET -> {
                long t = x.peek(d.opSize, 0) & Interpreter.mask(d.opSize);
                x.pop(d.opSize);
                if (d.operandCount == 1) {
                    int ss = x.stackSize();
                    x.setReg(4, ss, x.state.gpr[4] + (d.imm & 0xffff));
                }
                x.nextRip = t;
            }
            case LOOP, LOOPE, LOOPNE -> {
                int as = d.addrSize;
                long c = (x.reg(1, as) - 1) & Interpreter.mask(as);
                boolean take = c != 0;
                if (d.op == Op.LOOPE) {
                    take &= x.flags.zf();
                } else if (d.op == Op.LOOPNE) {
                    take &= !x.flags.zf();
                }
                long t = target(x, d);
                x.setReg(1, as, c);
                if (take) {
                    x.nextRip = t;
                }
            }
            case JCXZ -> {
                if (x.reg(1, d.addrSize) == 0) {
                    x.nextRip = target(x, d);
                }
            }
            case JMPF, CALLF -> {
                long offset;
                int selector;
                if (d.kind[0] == K_FAR) {
                    offset = d.imm;
                    selector = (int) d.imm2;
                } else {
                    int os = d.size[0] - 2;
                    offset = x.read(d.memorySegment, x.ea, os);
                    selector = (int) x.read(d.memorySegment, (x.ea + os) & Interpreter.mask(d.addrSize), 2);
                }
                if (d.op == Op.JMPF) {
                    FarTransfers.jumpFar(x, d, selector, offset);
                } else {
                    FarTransfers.callFar(x, d, selector, offset);
                }
            }
            case RETF -> FarTransfers.returnFar(x, d, d.operandCount == 1 ? d.imm & 0xffff : 0);
            case IRET -> FarTransfers.interruptReturn(x, d);
            case INT -> softwareInterrupt(x, (int) (d.imm & 0xff), Interrupts.SOFTWARE);
            case INT3 -> softwareException(x, GuestFault.BP);
            case INT1 -> softwareInterrupt(x, GuestFault.DB, Interrupts.ICEBP);
            case INTO -> {
                if ((x.flags.of())) {
                    softwareException(x, GuestFault.OF);
                }
            }
            default -> throw new IllegalStateException(d.op.name());
        }
    }

    /**
     * INT3 and INTO raise #BP and #OF as software exceptions (SDM Vol. 3A 6.4.2), which VMX's
     * exception bitmap intercepts (Vol. 3C 25.2) while INT n is not: when the VM reports the vector
     * as an exit (exception_exits, the debugger's software breakpoint), RIP stays at the
     * instruction and nothing is delivered.
     */
    private static void softwareException(Interpreter x, int vector) {
        boolean v86Fault = x.state.virtual8086() && ((x.state.rflags & Rflags.IOPL) >>> 12) < 3;
        if (!v86Fault && (x.config.exceptionExitVectors() & (1 << vector)) != 0) {
            throw new GuestFault(vector, -1);
        }
        softwareInterrupt(x, vector, Interrupts.SOFTWARE);
    }

    /** INT n / INT3 / INTO / INT1: a trap, so the pushed return address is the next instruction. */
    private static void softwareInterrupt(Interpreter x, int vector, int kind) {
        if (kind == Interrupts.SOFTWARE && x.state.virtual8086()
                && ((x.state.rflags & Rflags.IOPL) >>> 12) < 3) {
            throw GuestFault.gp(0);
        }
        long start = x.state.rip;
        x.state.rip = x.nextRip;
        try {
            Interrupts.deliver(x, vector, kind, -1);
        } catch (GuestFault f) {
            x.state.rip = start;
            throw f;
        }
        x.nextRip = x.state.rip;
    }
}
