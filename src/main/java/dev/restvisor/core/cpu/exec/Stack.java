package dev.restvisor.core.cpu.exec;

import dev.restvisor.core.cpu.decode.DecodedInstruction;
import dev.restvisor.core.cpu.state.Rflags;
import dev.restvisor.core.cpu.state.SegmentRegister;

import static dev.restvisor.core.cpu.decode.DecodedInstruction.K_MEM;
import static dev.restvisor.core.cpu.decode.DecodedInstruction.K_SREG;

/** PUSH POP PUSHA POPA PUSHF POPF ENTER LEAVE (SDM Vol. 2B). */
final class Stack {
    private Stack() {
    }

    static void execute(Interpreter x, DecodedInstruction d) {
        int os = d.opSize;
        switch (d.op) {
            case PUSH -> {
                if (d.kind[0] == K_SREG) {
                    // recent Intel processors write only the selector's 16 bits into the wider slot (SDM PUSH)
                    int ss = x.stackSize();
                    long sp = (x.state.gpr[4] - os) & Interpreter.mask(ss);
                    x.write(SegmentRegister.SS, sp, 2, x.state.seg[d.reg[0]].selector());
                    x.setReg(4, ss, sp);
                } else {
                    x.push(os, x.readOp(d, 0));
                }
            }
            case POP -> {
                if (d.kind[0] == K_SREG) {
                    long sel = x.peek(os, 0) & 0xffff;
                    FarTransfers.loadSegment(x, d.reg[0], (int) sel);
                    x.pop(os);
                    if (d.reg[0] == SegmentRegister.SS) {
                        x.state.interruptShadow = true;
                    }
                } else if (d.kind[0] == K_MEM) {
                    long v = x.peek(os, 0);
                    // the address uses rSP after the increment (SDM POP)
                    int ss = x.stackSize();
                    long oldSp = x.state.gpr[4];
                    x.setReg(4, ss, oldSp + os);
                    x.ea = d.effectiveAddress(x.state.gpr, x.nextRip);
                    try {
                        x.writeOp(d, 0, v);
                    } catch (GuestFault f) {
                        x.state.gpr[4] = oldSp;
                        throw f;
                    }
                } else {
                    long v = x.pop(os);
                    x.writeOp(d, 0, v);
                }
            }
            case PUSHA -> {
                long sp = x.reg(4, os);
                int ss = x.stackSize();
                long base = x.state.gpr[4];
                for (int r = 0; r < 8; r++) {
                    long v = r == 4 ? sp : x.reg(r, os);
                    x.write(SegmentRegister.SS, (base - (long) (r + 1) * os) & Interpreter.mask(ss), os, v);
                }
                x.setReg(4, ss, base - 8L * os);
            }
            case POPA -> {
                int ss = x.stackSize();
                long base = x.state.gpr[4];
                long[] tmp = x.scratch;
                for (int r = 7; r >= 0; r--) {
                    tmp[r] = x.read(SegmentRegister.SS, (base + (long) (7 - r) * os) & Interpreter.mask(ss), os);
                }
                for (int r = 0; r < 8; r++) {
                    if (r != 4) {
                        x.setReg(r, os, tmp[r]);
                    }
                }
                x.setReg(4, ss, base + 8L * os);
            }
            case PUSHF -> {
                if (x.state.virtual8086() && iopl(x) < 3) {
                    throw GuestFault.gp(0);
                }
                // the image has VM and RF clear (SDM PUSHF)
                x.push(os, x.getRflags() & ~(Rflags.VM | Rflags.RF));
            }
            case POPF -> {
                if (x.state.virtual8086() && iopl(x) < 3) {
                    throw GuestFault.gp(0);
                }
                long v = x.peek(os, 0);
                popFlags(x, v, os);
                x.pop(os);
            }
            case ENTER -> enter(x, d);
            case LEAVE -> {
                int ss = x.stackSize();
                long bp = x.reg(5, ss);
                long v = x.read(SegmentRegister.SS, bp, os);
                x.setReg(4, ss, bp + os);
                x.setReg(5, os, v);
            }
            default -> throw new IllegalStateException(d.op.name());
        }
    }

    private static int iopl(Interpreter x) {
        return (int) ((x.state.rflags & Rflags.IOPL) >>> 12);
    }

    /**
     * The POPF/IRET privilege rules of SDM "POPF": VM, VIP, VIF and RF are never loaded here; IOPL only
     * at CPL 0; IF only when CPL <= IOPL. A 16-bit operand replaces bits 15:0 only.
     */
    static void popFlags(Interpreter x, long v, int os) {
        long old = x.getRflags();
        long writable = Rflags.STATUS | Rflags.TF | Rflags.DF | Rflags.NT | Rflags.AC | Rflags.ID | Rflags.IF
                | Rflags.IOPL;
        int cpl = x.state.cpl();
        if (x.state.protectedMode()) {
            if (cpl > 0) {
                writable &= ~Rflags.IOPL;
            }
            if (cpl > iopl(x)) {
                writable &= ~Rflags.IF;
            }
        }
        if (os == 2) {
            writable &= 0xffff;
        }
        x.setRflags((old & ~writable) | (v & writable));
    }

    /** ENTER alloc, level (SDM "ENTER" operation section). */
    private static void enter(Interpreter x, DecodedInstruction d) {
        int os = d.opSize;
        int ss = x.stackSize();
        long alloc = d.imm & 0xffff;
        int level = (int) (d.imm2 & 0x1f);
        long smask = Interpreter.mask(ss);
        long sp = x.state.gpr[4];
        long bp = x.reg(5, ss);
        sp = (sp - os) & smask;
        x.write(SegmentRegister.SS, sp, os, x.reg(5, os));
        long frameTemp = sp;
        for (int i = 1; i < level; i++) {
            bp = (bp - os) & smask;
            long v = x.read(SegmentRegister.SS, bp, os);
            sp = (sp - os) & smask;
            x.write(SegmentRegister.SS, sp, os, v);
        }
        if (level > 0) {
            sp = (sp - os) & smask;
            x.write(SegmentRegister.SS, sp, os, frameTemp);
        }
        sp = (sp - alloc) & smask;
        // the final stack pointer must be writable (the SDM checks it before any change)
        x.linear(SegmentRegister.SS, sp, 1, Segmentation.WRITE);
        x.setReg(5, os, frameTemp);
        x.setReg(4, ss, sp);
    }
}
