package dev.restvisor.core.cpu.exec;

import dev.restvisor.core.cpu.decode.DecodedInstruction;
import dev.restvisor.core.cpu.decode.Disassembler;
import dev.restvisor.core.cpu.state.CpuState;
import dev.restvisor.core.io.IoBus;
import dev.restvisor.core.memory.GuestMemory;
import dev.restvisor.core.memory.MemoryQuota;
import dev.restvisor.core.memory.MemorySlot;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fast forms ({@link FastPath}) against the generic executors: random encodings of every classified
 * family (all widths, AH-BH, register, memory and immediate operands, counts 0 and above the width) run
 * one instruction at a time on two vcpus, one with fast forms and one without, in 64-bit and 32-bit
 * protected mode. Registers, RFLAGS (undefined flags included: both paths share the arithmetic), RIP,
 * memory and exits must be identical, and most cases must actually have taken a fast form.
 */
class FastPathDifferentialTest {
    private static final int CASES = 40000;
    private static final long CODE = 0x10000;
    private static final long BUFFER = 0x20000;
    private static final long STACK = 0x30000;

    /** Opcode bytes; "/r" a random ModRM reg field, "/n" a fixed one; a register or [rbx+disp8] r/m follows. */
    private static final String[] TEMPLATES = {
        "00 /r", "01 /r", "02 /r", "03 /r", "08 /r", "09 /r", "0a /r", "0b /r", "10 /r", "11 /r", "12 /r", "13 /r",
        "18 /r", "19 /r", "1a /r", "1b /r", "20 /r", "21 /r", "22 /r", "23 /r", "28 /r", "29 /r", "2a /r", "2b /r",
        "30 /r", "31 /r", "32 /r", "33 /r", "38 /r", "39 /r", "3a /r", "3b /r", "04", "05", "24", "2d", "3c", "3d",
        "80 /r", "81 /r", "83 /r", "84 /r", "85 /r", "a8", "a9", "86 /r", "87 /r", "88 /r", "89 /r", "8a /r", "8b /r",
        "c6 /0", "c7 /0", "b0", "b4", "b7", "b8", "bc", "bf", "c0 /r", "c1 /r", "d0 /r", "d1 /r", "d2 /r", "d3 /r",
        "f6 /0", "f6 /2", "f6 /3", "f7 /0", "f7 /2", "f7 /3", "fe /0", "fe /1", "ff /0", "ff /1",
        "0f 40 /r", "0f 42 /r", "0f 44 /r", "0f 47 /r", "0f 4c /r", "0f 4f /r", "0f 4a /r", "0f 48 /r",
        "0f 90 /0", "0f 93 /0", "0f 95 /0", "0f 96 /0", "0f 9c /0", "0f 9e /0", "0f 9a /0", "0f 98 /0",
        "0f af /r", "69 /r", "6b /r", "98", "99", "0f b6 /r", "0f b7 /r", "0f be /r", "0f bf /r", "63 /r", "8d /r",
        "91", "93", "96", "50", "53", "58", "5d", "40", "4b", "48", "4e", "ff /2", "ff /4",
    };

    @Test
    void fastFormsMatchTheGenericExecutors() {
        Random rnd = new Random(20261203);
        Vcpu fast = new Vcpu(true);
        Vcpu generic = new Vcpu(false);
        List<String> failures = new ArrayList<>();
        int fastCases = 0;
        int[] perForm = new int[64];
        for (int i = 0; i < CASES; i++) {
            boolean mode64 = i % 4 != 3;
            byte[] code = instruction(rnd, mode64);
            long[] regs = new long[16];
            for (int r = 0; r < 16; r++) {
                regs[r] = value(rnd);
            }
            regs[1] = switch (i % 5) {
                case 0 -> regs[1] & ~0xffL;
                case 1 -> (regs[1] & ~0xffL) | 1;
                case 2 -> (regs[1] & ~0xffL) | 31;
                default -> regs[1];
            };
            byte[] mem = new byte[256];
            rnd.nextBytes(mem);
            long flags = (rnd.nextLong() & 0x8d5L) | 2;
            fast.run(mode64, code, regs, mem, flags);
            generic.run(mode64, code, regs, mem, flags);
            if (fast.lastForm != FastPath.NONE) {
                fastCases++;
            }
            perForm[fast.lastForm]++;
            String diff = fast.diff(generic);
            if (diff != null && failures.size() < 30) {
                String text = Disassembler.disassemble(o -> code[(int) Math.min(o - CODE, code.length - 1)] & 0xff, CODE,
                        mode64 ? 64 : 32, new DecodedInstruction());
                failures.add((mode64 ? "64: " : "32: ") + text + " [" + hex(code) + "] form " + fast.lastForm + ":"
                        + diff);
            }
        }
        assertTrue(failures.isEmpty(), () -> String.join("\n", failures));
        int taken = fastCases;
        assertTrue(taken > CASES / 2, () -> "only " + taken + " cases took a fast form");
        // every form these templates can reach (not the branches) was exercised
        for (int form = 1; form <= FastPath.CALL_IND; form++) {
            boolean branch = form == FastPath.JCC || form == FastPath.JMP_REL || form == FastPath.CALL_REL
                    || form == FastPath.RET_NEAR || form == FastPath.NOP;
            int f = form;
            assertTrue(branch || perForm[form] > 20, () -> "fast form " + f + " ran " + perForm[f] + " times");
        }
    }

    static byte[] instruction(Random rnd, boolean mode64) {
        String[] tokens = TEMPLATES[rnd.nextInt(TEMPLATES.length)].split(" ");
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        if (rnd.nextInt(4) == 0) {
            b.write(0x66);
        }
        boolean memory = rnd.nextInt(3) == 0;
        int rex = 0;
        if (mode64 && rnd.nextBoolean()) {
            // REX.X and REX.B would change the [rbx+disp8] addressing
            rex = 0x40 | rnd.nextInt(16) & (memory ? 0xc : 0xf);
            b.write(rex);
        }
        int opcode = -1;
        for (String tok : tokens) {
            if (tok.startsWith("/")) {
                int field = tok.equals("/r") ? rnd.nextInt(8) : tok.charAt(1) - '0';
                if (memory) {
                    b.write(0x44 | field << 3);
                    b.write(0x23);
                    b.write(rnd.nextInt(0x80));
                } else {
                    b.write(0xc0 | field << 3 | rnd.nextInt(8));
                }
            } else {
                opcode = Integer.parseInt(tok, 16);
                b.write(opcode);
            }
        }
        // immediates: the decoder takes what the opcode needs; shift counts favour the interesting ones
        int[] counts = {0, 1, 7, 8, 15, 16, 31, 32, 33, 63, 64, 0xff};
        for (int k = 0; k < 8; k++) {
            b.write(k == 0 && rnd.nextBoolean() ? counts[rnd.nextInt(counts.length)] : rnd.nextInt(256));
        }
        return b.toByteArray();
    }

    static long value(Random rnd) {
        return switch (rnd.nextInt(6)) {
            case 0 -> rnd.nextInt(4);
            case 1 -> -1L - rnd.nextInt(4);
            case 2 -> 0x7fffffffL + rnd.nextInt(3) - 1;
            case 3 -> 0x80L + rnd.nextInt(3) - 1 | (rnd.nextBoolean() ? 0x7f00 : 0);
            default -> rnd.nextLong();
        };
    }

    static String hex(byte[] b) {
        StringBuilder s = new StringBuilder();
        for (byte v : b) {
            s.append(String.format("%02x", v & 0xff));
        }
        return s.toString();
    }

    /** A vcpu with identity-mapped low memory in 64-bit mode, or flat 32-bit protected mode without paging. */
    private static final class Vcpu {
        private final GuestMemory memory = new GuestMemory(MemoryQuota.UNLIMITED);
        private final MemorySlot ram = memory.setRegion(0, 0, 0, 2 << 20);
        private final CpuState s = new CpuState();
        private final Cpu cpu;
        private CpuExit exit;
        int lastForm;

        Vcpu(boolean fastForms) {
            ram.write64(0x1000, 0x2003);
            ram.write64(0x2000, 0x3003);
            ram.write64(0x3000, 0x83);
            cpu = new Cpu(s, memory, new IoBus(), new CpuConfig(() -> 0, false, -1));
            cpu.fastForms = fastForms;
        }

        void run(boolean mode64, byte[] code, long[] regs, byte[] mem, long flags) {
            s.reset();
            FlatModes.enter(s, mode64);
            System.arraycopy(regs, 0, s.gpr, 0, 16);
            s.gpr[3] = BUFFER;
            s.gpr[4] = STACK;
            s.rflags = flags;
            s.rip = CODE;
            memory.write(CODE, code, 0, code.length);
            memory.write(BUFFER, mem, 0, mem.length);
            memory.write(STACK - 64, new byte[128], 0, 128);
            cpu.stateChanged();
            exit = cpu.run(1);
            DecodedInstruction d = new DecodedInstruction();
            dev.restvisor.core.cpu.decode.Decoder.decode(o -> code[(int) Math.min(o - CODE, code.length - 1)] & 0xff,
                    CODE, mode64 ? 64 : 32, d);
            FastPath.classify(d);
            lastForm = d.op == null ? FastPath.NONE : d.fastForm;
        }

        String diff(Vcpu o) {
            StringBuilder d = new StringBuilder();
            if (exit.reason != o.exit.reason) {
                d.append(" exit ").append(exit.reason).append(" generic ").append(o.exit.reason);
            } else if (exit.reason == ExitReason.EXCEPTION && exit.exceptionVector != o.exit.exceptionVector) {
                d.append(" #").append(exit.exceptionVector).append(" generic #").append(o.exit.exceptionVector);
            }
            FlatModes.registerDifferences(d, s, o.s, "generic");
            for (long[] range : new long[][] {{BUFFER, 256}, {STACK - 64, 128}}) {
                byte[] a = new byte[(int) range[1]];
                byte[] b = new byte[(int) range[1]];
                memory.read(range[0], a, 0, a.length);
                o.memory.read(range[0], b, 0, b.length);
                if (!Arrays.equals(a, b)) {
                    d.append(String.format(" memory at %x differs", range[0]));
                }
            }
            return d.isEmpty() ? null : d.toString();
        }
    }
}
