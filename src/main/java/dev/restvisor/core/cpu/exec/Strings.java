package dev.restvisor.core.cpu.exec;

import dev.restvisor.core.cpu.decode.DecodedInstruction;
import dev.restvisor.core.cpu.decode.Op;
import dev.restvisor.core.cpu.state.Rflags;
import dev.restvisor.core.cpu.state.SegmentRegister;

/**
 * MOVS CMPS SCAS LODS STOS INS OUTS with REP/REPE/REPNE (SDM Vol. 2B "REP/REPE/REPZ/REPNE/REPNZ").
 * rSI/rDI/rCX are used at the address size. A repeated instruction is interruptible: it may stop
 * between iterations with registers updated and RIP still on the instruction, and the next step
 * continues it. It stops that way every {@link #CHUNK} iterations so interrupts and the budget are
 * honoured, and when an I/O or MMIO exit is waiting.
 */
final class Strings {
    static final int CHUNK = 4096;

    private Strings() {
    }

    static void execute(Interpreter x, DecodedInstruction d) {
        int size = d.op == Op.OUTS ? d.size[1] : d.size[0];
        int as = d.addrSize;
        long amask = Interpreter.mask(as);
        int srcSeg = d.segmentOverride >= 0 ? d.segmentOverride : SegmentRegister.DS;
        long delta = (x.state.rflags & Rflags.DF) != 0 ? -size : size;
        boolean rep = d.rep != DecodedInstruction.REP_NONE;
        long count = rep ? x.reg(1, as) : 1;
        int done = 0;
        while (count != 0) {
            if (done == CHUNK || (x.exitPending && d.op != Op.OUTS)) {
                x.nextRip = x.state.rip;
                return;
            }
            long si = x.reg(6, as);
            long di = x.reg(7, as);
            boolean stop = false;
            switch (d.op) {
                case MOVS -> {
                    long v = x.read(srcSeg, si, size);
                    x.write(SegmentRegister.ES, di, size, v);
                    x.setReg(6, as, (si + delta) & amask);
                    x.setReg(7, as, (di + delta) & amask);
                }
                case CMPS -> {
                    long a = x.read(srcSeg, si, size);
                    long b = x.read(SegmentRegister.ES, di, size);
                    x.flags.set(LazyFlags.SUB, size, a, b, a - b);
                    x.setReg(6, as, (si + delta) & amask);
                    x.setReg(7, as, (di + delta) & amask);
                    stop = repeatEnds(x, d);
                }
                case SCAS -> {
                    long a = x.reg(0, size);
                    long b = x.read(SegmentRegister.ES, di, size);
                    x.flags.set(LazyFlags.SUB, size, a, b, a - b);
                    x.setReg(7, as, (di + delta) & amask);
                    stop = repeatEnds(x, d);
                }
                case LODS -> {
                    x.setReg(0, size, x.read(srcSeg, si, size));
                    x.setReg(6, as, (si + delta) & amask);
                }
                case STOS -> {
                    x.write(SegmentRegister.ES, di, size, x.reg(0, size));
                    x.setReg(7, as, (di + delta) & amask);
                }
                case INS -> {
                    int port = (int) x.reg(2, 2);
                    PortIo.checkAccess(x, port, size);
                    // the segment check of ES:rDI comes before the port is read (SDM INS)
                    x.linear(SegmentRegister.ES, di, size, Segmentation.WRITE);
                    long v = x.portIn(port, size, true, count);
                    x.write(SegmentRegister.ES, di, size, v);
                    x.setReg(7, as, (di + delta) & amask);
                }
                case OUTS -> {
                    int port = (int) x.reg(2, 2);
                    PortIo.checkAccess(x, port, size);
                    if (!x.outputRoom(size)) {
                        x.nextRip = x.state.rip;
                        return;
                    }
                    long v = x.read(srcSeg, si, size);
                    x.portOut(port, size, v, true);
                    x.setReg(6, as, (si + delta) & amask);
                }
                default -> throw new IllegalStateException(d.op.name());
            }
            done++;
            if (!rep) {
                return;
            }
            count = (count - 1) & amask;
            x.setReg(1, as, count);
            if (stop) {
                return;
            }
        }
    }

    /** REPE stops when ZF = 0, REPNE when ZF = 1 (only CMPS and SCAS test it). */
    private static boolean repeatEnds(Interpreter x, DecodedInstruction d) {
        if (d.rep == DecodedInstruction.REP_NONE) {
            return false;
        }
        boolean zf = x.flags.zf();
        return d.rep == DecodedInstruction.REP_F3 ? !zf : zf;
    }
}
