package dev.restvisor.core.cpu.exec;

import dev.restvisor.core.cpu.decode.DecodedInstruction;
import dev.restvisor.core.cpu.decode.Op;
import dev.restvisor.core.cpu.state.Rflags;

/** IN and OUT (SDM Vol. 2A "IN", Vol. 2B "OUT"); the string forms live in {@link Strings}. */
final class PortIo {
    private PortIo() {
    }

    static void execute(Interpreter x, DecodedInstruction d) {
        if (d.op == Op.IN) {
            int size = d.size[0];
            int port = portOf(x, d, 1);
            checkAccess(x, port, size);
            x.setReg(0, size, x.portIn(port, size, false, 1));
        } else {
            int size = d.size[1];
            int port = portOf(x, d, 0);
            checkAccess(x, port, size);
            x.portOut(port, size, x.reg(0, size), false);
        }
    }

    private static int portOf(Interpreter x, DecodedInstruction d, int i) {
        return d.kind[i] == DecodedInstruction.K_IMM ? (int) (d.imm & 0xff) : (int) x.reg(2, 2);
    }

    /**
     * I/O permission (SDM Vol. 1 19.5): in protected mode with CPL > IOPL, and always in virtual-8086
     * mode, the TSS I/O permission bitmap decides; every bit for the accessed ports must be 0.
     */
    static void checkAccess(Interpreter x, int port, int size) {
        var s = x.state;
        if (!s.protectedMode()) {
            return;
        }
        int iopl = (int) ((s.rflags & Rflags.IOPL) >>> 12);
        if (!s.virtual8086() && s.cpl() <= iopl) {
            return;
        }
        var tr = s.tr;
        if (tr == null || tr.limit() < 0x67) {
            throw GuestFault.gp(0);
        }
        long mapBase = x.readLinear(tr.base() + 0x66, 2);
        long byteOff = mapBase + (port >>> 3);
        if (byteOff + 1 > (tr.limit() & 0xffffffffL)) {
            throw GuestFault.gp(0);
        }
        long bitsWord = x.readLinear(tr.base() + byteOff, 2);
        long want = ((1L << size) - 1) << (port & 7);
        if ((bitsWord & want) != 0) {
            throw GuestFault.gp(0);
        }
    }
}
