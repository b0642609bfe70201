package dev.restvisor.service.api;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Hand-assembled guest code: each call appends one instruction's bytes as the SDM encodes it, with
 * labels for the relative branches. The comment beside each call in a test is its assembly.
 */
final class Guest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final Map<String, Integer> labels = new HashMap<>();
    private final List<int[]> fixups = new ArrayList<>();
    private final List<String> fixupLabels = new ArrayList<>();
    private final long origin;

    Guest() {
        this(0);
    }

    /** @param origin the address (IP) the first byte will have, for absolute label references */
    Guest(long origin) {
        this.origin = origin;
    }

    Guest op(int... bytes) {
        for (int b : bytes) {
            out.write(b);
        }
        return this;
    }

    Guest label(String name) {
        labels.put(name, out.size());
        return this;
    }

    /** A short branch: {@code opcode} (0x70-0x7F, 0xEB, 0xE2...) and an 8-bit displacement to {@code target}. */
    Guest rel8(int opcode, String target) {
        out.write(opcode);
        fixup(target, 1);
        return this;
    }

    /** CALL rel16 (E8 cw) to {@code target}. */
    Guest call16(String target) {
        out.write(0xE8);
        fixup(target, 2);
        return this;
    }

    /** The 16-bit absolute address of a label, as an immediate after {@code opcode} (e.g. BE = mov si, imm16). */
    Guest imm16(int opcode, String target) {
        out.write(opcode);
        fixups.add(new int[] {out.size(), 2, -1});
        fixupLabels.add(target);
        out.write(0);
        out.write(0);
        return this;
    }

    /** mov word [address], label  (C7 06 disp16 imm16): stores a label's absolute address. */
    Guest imm16Store(int address, String target) {
        out.write(0xC7);
        out.write(0x06);
        out.write(address & 0xff);
        out.write(address >> 8);
        fixups.add(new int[] {out.size(), 2, -1});
        fixupLabels.add(target);
        out.write(0);
        out.write(0);
        return this;
    }

    /**
     * The routine at label {@code putc}: AL to COM1 once the transmitter holding register is empty (it polls
     * LSR.THRE), then RET; it uses AH and DX and the label {@code tx}.
     */
    Guest putc() {
        return label("putc")
                .op(0x88, 0xC4)                   // mov ah, al
                .op(0xBA, 0xFD, 0x03)             // mov dx, 0x3fd  (LSR)
                .label("tx")
                .op(0xEC)                         // in al, dx
                .op(0xA8, 0x20)                   // test al, 0x20  (THRE)
                .rel8(0x74, "tx")                 // jz tx
                .op(0x88, 0xE0)                   // mov al, ah
                .op(0xBA, 0xF8, 0x03)             // mov dx, 0x3f8  (THR)
                .op(0xEE)                         // out dx, al
                .op(0xC3);                        // ret
    }

    Guest ascii(String s) {
        for (char c : s.toCharArray()) {
            out.write(c);
        }
        return this;
    }

    private void fixup(String target, int width) {
        fixups.add(new int[] {out.size(), width, out.size() + width});
        fixupLabels.add(target);
        for (int i = 0; i < width; i++) {
            out.write(0);
        }
    }

    int size() {
        return out.size();
    }

    byte[] bytes() {
        byte[] code = out.toByteArray();
        for (int i = 0; i < fixups.size(); i++) {
            int[] f = fixups.get(i);
            Integer target = labels.get(fixupLabels.get(i));
            if (target == null) {
                throw new IllegalStateException("undefined label " + fixupLabels.get(i));
            }
            long value = f[2] < 0 ? origin + target : target - f[2];
            if (f[1] == 1 && (value < -128 || value > 127)) {
                throw new IllegalStateException("short branch to " + fixupLabels.get(i) + " out of range");
            }
            for (int b = 0; b < f[1]; b++) {
                code[f[0] + b] = (byte) (value >> (8 * b));
            }
        }
        return code;
    }
}
