package dev.restvisor.core.cpu.exec;

import dev.restvisor.core.cpu.decode.DecodedInstruction;
import dev.restvisor.core.cpu.decode.Op;
import dev.restvisor.core.cpu.mmu.Mmu;
import dev.restvisor.core.cpu.state.Rflags;
import dev.restvisor.core.cpu.state.Segment;
import dev.restvisor.core.cpu.state.SegmentRegister;

/**
 * MOVS CMPS SCAS LODS STOS INS OUTS with REP/REPE/REPNE (SDM Vol. 2B "REP/REPE/REPZ/REPNE/REPNZ").
 * rSI/rDI/rCX are used at the address size. A repeated instruction is interruptible: it may stop
 * between iterations with registers updated and RIP still on the instruction, and the next step
 * continues it. It stops that way every {@link #CHUNK} iterations so interrupts and the budget are
 * honoured, when an I/O or MMIO exit is waiting, and after an iteration that hit a data breakpoint.
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
                stopBetweenIterations(x);
                return;
            }
            long si = x.reg(6, as);
            long di = x.reg(7, as);
            if (rep && delta > 0 && (d.op == Op.STOS || d.op == Op.MOVS)) {
                long n = bulk(x, d, size, as, si, di, Math.min(count, CHUNK - done), srcSeg);
                if (n > 0) {
                    done += (int) n;
                    count = (count - n) & amask;
                    x.setReg(1, as, count);
                    continue;
                }
            }
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
                        stopBetweenIterations(x);
                        return;
                    }
                    long v = x.read(srcSeg, si, size);
                    x.portOut(port, size, v, true);
                    x.setReg(6, as, (si + delta) & amask);
                }
                default -> throw new IllegalStateException(d.op.name());
            }
            done++;
            x.mmioReads.retire();
            if (!rep) {
                return;
            }
            count = (count - 1) & amask;
            x.setReg(1, as, count);
            if (stop) {
                return;
            }
            if (x.dataBreakpointHits != 0 && count != 0) {
                // the #DB trap comes after the iteration that hit the breakpoint (SDM Vol. 3A 18.3.1.2)
                stopBetweenIterations(x);
                return;
            }
        }
    }

    /**
     * Stops a repeated string instruction between iterations: RIP stays on it, and RF is set, so an event taken
     * now pushes RF = 1 and the instruction's breakpoint is not reported again when it continues (SDM Vol. 3A
     * 18.3.1.1).
     */
    private static void stopBetweenIterations(Interpreter x) {
        x.nextRip = x.state.rip;
        x.state.rflags |= Rflags.RF;
    }

    /**
     * REP STOS and REP MOVS (forward) over RAM, many elements at once: the elements up to the end of the page
     * (of both pages for MOVS) and of the segment, as one bulk store or copy. It gives the same result as the
     * element loop because nothing can happen between those elements: both pages are mapped to RAM for this
     * access by the TLB (so no #PF, MMIO exit, or accessed/dirty flag update is due), the segment limit check
     * passes for the whole range, no data breakpoint is armed, and for MOVS the destination does not start
     * inside the source (where the element loop replicates a pattern instead of copying). The dirty logs and
     * the decoded-code invalidation see one write of the whole range.
     *
     * @return the number of elements done, 0 when the next element must go through the element loop
     */
    private static long bulk(Interpreter x, DecodedInstruction d, int size, int as, long si, long di, long max,
            int srcSeg) {
        if (x.dataBreakpointsArmed || x.exitPending) {
            return 0;
        }
        long n = max;
        if (as != 8) {
            // no wrap of rSI/rDI at the address size inside the bulk range
            long top = Interpreter.mask(as) + 1;
            n = Math.min(n, (top - di) / size);
            if (d.op == Op.MOVS) {
                n = Math.min(n, (top - si) / size);
            }
        }
        int user = x.userAccess();
        // the first element's checks in the element loop's order (source segment, source page, destination
        // segment, destination page): a fault thrown here is the one that element raises
        long src = 0;
        int se = -1;
        if (d.op == Op.MOVS) {
            src = x.linear(srcSeg, si, size, Segmentation.READ);
            se = x.mmu.ramEntry(src, user);
            if (se < 0) {
                return 0;
            }
            n = Math.min(n, (0x1000 - (src & 0xfff)) / size);
        }
        long dst = x.linear(SegmentRegister.ES, di, size, Segmentation.WRITE);
        int de = x.mmu.ramEntry(dst, Mmu.WRITE | user);
        n = Math.min(n, (0x1000 - (dst & 0xfff)) / size);
        if (de < 0 || n < 2 || !withinLimit(x, SegmentRegister.ES, di, n * size)
                || d.op == Op.MOVS && !withinLimit(x, srcSeg, si, n * size)) {
            return 0;
        }
        long dstOff = x.mmu.slotOffset(de) + (dst & 0xfff);
        if (d.op == Op.STOS) {
            x.mmu.slot(de).fill(dstOff, n, size, x.reg(0, size));
        } else {
            long srcOff = x.mmu.slotOffset(se) + (src & 0xfff);
            if (x.mmu.slot(se) == x.mmu.slot(de) && dstOff > srcOff && dstOff < srcOff + n * size) {
                return 0;
            }
            x.mmu.slot(de).copyFrom(x.mmu.slot(se), srcOff, dstOff, n * size);
            x.setReg(6, as, si + n * size);
        }
        x.setReg(7, as, di + n * size);
        return n;
    }

    /** The segment limit admits {@code len} bytes at {@code offset} (always in 64-bit mode, never expand-down). */
    private static boolean withinLimit(Interpreter x, int sreg, long offset, long len) {
        if (x.state.mode64()) {
            return true; // the range lies in one page, whose canonical check the first element passed
        }
        Segment seg = x.state.seg[sreg];
        boolean protectedChecks = x.state.protectedMode() && !x.state.virtual8086();
        return !(protectedChecks && seg.expandDown()) && offset + len - 1 <= (seg.limit() & 0xffffffffL);
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
