package dev.restvisor.core.cpu.exec;

import dev.restvisor.core.cpu.decode.DecodedInstruction;
import dev.restvisor.core.cpu.decode.Op;
import dev.restvisor.core.cpu.state.Rflags;

/**
 * DAA DAS AAA AAS AAM AAD, following the SDM Vol. 2A operation sections (invalid in 64-bit mode,
 * which the decoder enforces). Where the SDM leaves flags undefined we produce what Intel processors do:
 * AAA/AAS set only AF and CF and clear the other status flags' dependence on nothing else (SF, ZF, PF
 * from AL, OF 0); AAM/AAD set SF, ZF, PF from AL and clear CF, AF, OF.
 */
final class Bcd {
    private Bcd() {
    }

    static void execute(Interpreter x, DecodedInstruction d) {
        LazyFlags f = x.flags;
        long al = x.reg(0, 1);
        boolean cf = f.cf();
        boolean af = f.af();
        switch (d.op) {
            case DAA -> {
                long old = al;
                boolean newCf = false;
                boolean newAf = false;
                if ((al & 0xf) > 9 || af) {
                    al += 6;
                    newCf = cf || al > 0xff;
                    newAf = true;
                }
                if (old > 0x99 || cf) {
                    al += 0x60;
                    newCf = true;
                }
                al &= 0xff;
                boolean of = (old & 0x80) == 0 && (al & 0x80) != 0;
                x.setReg(0, 1, al);
                f.setResult(1, al, (newCf ? Rflags.CF : 0) | (newAf ? Rflags.AF : 0) | (of ? Rflags.OF : 0));
            }
            case DAS -> {
                long old = al;
                boolean newCf = false;
                boolean newAf = false;
                if ((al & 0xf) > 9 || af) {
                    newCf = cf || al < 6;
                    al -= 6;
                    newAf = true;
                }
                if (old > 0x99 || cf) {
                    al -= 0x60;
                    newCf = true;
                }
                al &= 0xff;
                boolean of = (old & 0x80) != 0 && (al & 0x80) == 0;
                x.setReg(0, 1, al);
                f.setResult(1, al, (newCf ? Rflags.CF : 0) | (newAf ? Rflags.AF : 0) | (of ? Rflags.OF : 0));
            }
            case AAA, AAS -> {
                long ax = x.reg(0, 2);
                boolean adjust = (al & 0xf) > 9 || af;
                if (adjust) {
                    ax = d.op == Op.AAA ? ax + 0x106 : ax - 0x106;
                }
                ax = (ax & 0xff0f);
                x.setReg(0, 2, ax);
                f.setResult(1, ax & 0xff, adjust ? Rflags.CF | Rflags.AF : 0);
            }
            case AAM -> {
                long base = d.imm & 0xff;
                if (base == 0) {
                    throw GuestFault.de();
                }
                long ah = al / base;
                al = al % base;
                x.setReg(0, 2, (ah << 8) | al);
                f.setResult(1, al, 0);
            }
            case AAD -> {
                long base = d.imm & 0xff;
                long ah = x.reg(AH, 1);
                long r = (al + ah * base) & 0xff;
                x.setReg(0, 2, r);
                f.setResult(1, r, 0);
            }
            default -> throw new IllegalStateException(d.op.name());
        }
    }

    private static final int AH = DecodedInstruction.AH;
}
