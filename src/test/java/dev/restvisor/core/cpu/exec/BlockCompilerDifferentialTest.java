package dev.restvisor.core.cpu.exec;

import dev.restvisor.core.cpu.decode.DecodedInstruction;
import dev.restvisor.core.cpu.decode.Decoder;
import dev.restvisor.core.cpu.state.ControlRegisters;
import dev.restvisor.core.cpu.state.CpuState;
import dev.restvisor.core.io.IoBus;
import dev.restvisor.core.memory.GuestMemory;
import dev.restvisor.core.memory.MemoryQuota;
import dev.restvisor.core.memory.MemorySlot;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Blocks against the interpreter: random programs of fast forms (the generator of {@link FastPathDifferentialTest},
 * with branches, calls and returns among them) run on a vcpu that never makes blocks and on three that do: one
 * compiles every block head on its first run ({@code core.cpu.jit}), one runs {@link InterpretedBlock}s only, and one
 * runs interpreted blocks that are compiled on their third run, in 64-bit and 32-bit protected mode. Each
 * program runs twice from the same state (the first run makes its heads hot), in slices of random instruction
 * limits that end inside blocks, with memory operands that fault (#PF, #GP), reach unbacked memory (MMIO read and
 * write exits, answered and resumed) or overwrite the program itself, some with TF set (single steps, each a #DB
 * exit, which no block may skip). A third of the programs mix in SSE instructions, on random XMM values under
 * random MXCSR settings, and sometimes with SSE unusable (#NM, #UD). After every slice the exit, registers, XMM
 * registers, MXCSR, RFLAGS, RIP, the retired-instruction count and memory must be identical.
 */
class BlockCompilerDifferentialTest {
    private static final int CASES = 6000;
    private static final long CODE = 0x10000;
    private static final long BUFFER = 0x20000;
    private static final long STACK = 0x30000;
    /** Beyond RAM: mapped (by a 2 MiB page in 64-bit mode) but unbacked, so accesses exit as MMIO. */
    private static final long UNBACKED = 0x200000;

    @Test
    void blocksMatchTheInterpreter() {
        Random rnd = new Random(20261204);
        // compiled at once; interpreted blocks only; interpreted blocks replaced by compiled ones after 3 runs
        Vcpu[] tiers = {new Vcpu(1, Integer.MAX_VALUE), new Vcpu(Integer.MAX_VALUE, 1), new Vcpu(3, 1)};
        String[] tierNames = {"compiled", "interpreted blocks", "interpreted, then compiled"};
        // each beside an interpreter of its own, so that the retired counts and the accessed flags stay comparable
        Vcpu[] interpreters = {new Vcpu(Integer.MAX_VALUE, Integer.MAX_VALUE),
            new Vcpu(Integer.MAX_VALUE, Integer.MAX_VALUE), new Vcpu(Integer.MAX_VALUE, Integer.MAX_VALUE)};
        List<String> failures = new ArrayList<>();
        int[] exits = new int[ExitReason.values().length];
        int slices = 0;
        for (int i = 0; i < CASES && failures.size() < 20; i++) {
            boolean mode64 = i % 4 != 3;
            boolean sse = i % 3 == 0;
            byte[] program = program(rnd, mode64, sse);
            long[] regs = new long[16];
            for (int r = 0; r < 16; r++) {
                regs[r] = FastPathDifferentialTest.value(rnd);
            }
            if (rnd.nextBoolean()) {
                regs[1] = rnd.nextInt(40);
            }
            regs[3] = switch (rnd.nextInt(10)) {
                case 0 -> CODE + rnd.nextInt(64);
                case 1 -> UNBACKED - 0x40 + rnd.nextInt(8);
                case 8 -> UNBACKED - 0x400 + rnd.nextInt(0x40);
                case 9 -> 2 * UNBACKED - 0x400 + rnd.nextInt(0x40);
                case 2 -> 0x7ff00000L;
                case 3 -> 0x8000000000000000L;
                default -> BUFFER;
            };
            byte[] mem = new byte[256];
            rnd.nextBytes(mem);
            // IF, and sometimes TF: single-stepping must keep every instruction out of compiled blocks
            long flags = (rnd.nextLong() & 0x8d5L) | 2 | (rnd.nextBoolean() ? 0x200 : 0) | (rnd.nextInt(10) == 0 ? 0x100 : 0);
            long[] xmm = new long[32];
            for (int r = 0; r < 32; r++) {
                xmm[r] = lane(rnd);
            }
            // MXCSR: all masked, round to nearest and PE already raised mostly (the quick path), else random RC,
            // DAZ, FTZ, sticky flags, and some unmasked exceptions (#XM); CR4.OSXMMEXCPT, and now and then CR0.TS
            // (#NM) or no CR4.OSFXSR (#UD)
            int mxcsr = 0x1fa0;
            if (rnd.nextInt(3) == 0) {
                int masks = rnd.nextInt(8) == 0 ? rnd.nextInt(0x40) << 7 : 0x1f80;
                mxcsr = masks | rnd.nextInt(4) << 13 | rnd.nextInt(0x40) | (rnd.nextBoolean() ? 0x8040 : 0);
            }
            int sseState = rnd.nextInt(12);
            for (int t = 0; t < tiers.length; t++) {
                Vcpu tier = tiers[t];
                Vcpu interpreted = interpreters[t];
                tier.load(mode64, program);
                interpreted.load(mode64, program);
                for (int pass = 0; pass < 2; pass++) {
                    tier.reset(regs, mem, flags, xmm, mxcsr, sseState);
                    interpreted.reset(regs, mem, flags, xmm, mxcsr, sseState);
                    long seed = rnd.nextLong();
                    Random a = new Random(seed);
                    Random b = new Random(seed);
                    for (int slice = 0; slice < 12; slice++) {
                        ExitReason e = tier.slice(a);
                        interpreted.slice(b);
                        slices++;
                        exits[e.ordinal()]++;
                        String diff = tier.diff(interpreted);
                        if (diff != null) {
                            failures.add(tierNames[t] + ", " + (mode64 ? "64" : "32") + " case " + i + " pass " + pass
                                    + " slice " + slice + " program " + FastPathDifferentialTest.hex(program) + ":"
                                    + diff);
                            break;
                        }
                        if (e != ExitReason.INTR && e != ExitReason.MMIO) {
                            break;
                        }
                    }
                }
            }
        }
        assertTrue(failures.isEmpty(), () -> String.join("\n", failures));
        for (Vcpu tier : tiers) {
            assertNull(tier.cpu.lastHostError, () -> "host error " + tier.cpu.lastHostError);
            assertTrue(tier.cpu.blocksRun > CASES, () -> "only " + tier.cpu.blocksRun + " blocks ran");
        }
        for (Vcpu interpreted : interpreters) {
            assertNull(interpreted.cpu.lastHostError);
            assertTrue(interpreted.cpu.blocksRun == 0);
        }
        StringBuilder summary = new StringBuilder();
        for (ExitReason r : ExitReason.values()) {
            if (exits[r.ordinal()] > 0) {
                summary.append(' ').append(r).append('=').append(exits[r.ordinal()]);
            }
        }
        System.out.printf("blocks: %d cases, %d slices, %d / %d / %d blocks run, exits%s%n", CASES, slices,
                tiers[0].cpu.blocksRun, tiers[1].cpu.blocksRun, tiers[2].cpu.blocksRun, summary);
        for (ExitReason r : new ExitReason[] {ExitReason.INTR, ExitReason.MMIO, ExitReason.EXCEPTION, ExitReason.HLT}) {
            assertTrue(exits[r.ordinal()] > 50, () -> r + " exits: " + exits[r.ordinal()]);
        }
    }

    /**
     * A chain of blocks follows a link from one code page to another only while the translation it was made under
     * holds: the guest remaps the target page (a PTE write and INVLPG) halfway through a loop whose blocks are
     * linked, and the same jump must then reach the new page's code. Both vcpus must add 50 x 1 + 50 x 2.
     */
    @Test
    void linksFollowRemappedCode() {
        // mov ecx, 100 / outer: jmp 0x11000 / back: add ebx, eax / dec ecx / cmp ecx, 50 / jne skip /
        // mov qword [0x4088], 0x12003 / invlpg [0x11000] / skip: test ecx, ecx / jnz outer / hlt
        byte[] loop = HexFormat.of().parseHex("b964000000e9f60f000001c3ffc983f932751448c7042588400000032001000f013c2500"
                + "10010085c975daf4");
        for (int threshold : new int[] {1, Integer.MAX_VALUE}) {
            Vcpu v = new Vcpu(threshold, Integer.MAX_VALUE);
            v.pageTable();
            v.load(true, loop);
            // 0x11000 and 0x12000: mov eax, 1 (2) / jmp 0x1000a
            v.memory.write(0x11000, HexFormat.of().parseHex("b801000000e900f0ffff"), 0, 10);
            v.memory.write(0x12000, HexFormat.of().parseHex("b802000000e900f0ffff"), 0, 10);
            v.reset(new long[16], new byte[256], 2, new long[32], 0x1f80, 2);
            assertEquals(ExitReason.HLT, v.cpu.run(100_000).reason);
            assertEquals(150, v.s.gpr[3], "threshold " + threshold);
            assertTrue(threshold > 1 || v.cpu.blocksRun > 0);
        }
    }

    @Test
    void indirectTransfersFollowRemappedCode() {
        // mov ecx, 100 / outer: mov eax, ecx / and eax, 3 / shl eax, 12 / add eax, 0x11000 / call rax (0x11000,
        // 0x12000, 0x13000 or 0x14000, which all share one link slot of the caller) / cmp ecx, 50 / jne skip /
        // mov qword [0x4088], 0x15003 / invlpg [0x11000] / skip: dec ecx / jnz outer / hlt
        byte[] loop = HexFormat.of().parseHex("b96400000089c883e003c1e00c0500100100ffd083f932751448c70425884000000350"
                + "01000f013c2500100100ffc975d4f4");
        for (int[] thresholds : new int[][] {{1, Integer.MAX_VALUE}, {Integer.MAX_VALUE, 1}, {Integer.MAX_VALUE, Integer.MAX_VALUE}}) {
            Vcpu v = new Vcpu(thresholds[0], thresholds[1]);
            v.pageTable();
            v.load(true, loop);
            // add ebx, 1 / 10 / 100 / 1000 / 10000 at 0x11000 ... 0x15000, then ret
            String[] targets = {"83c301c3", "83c30ac3", "83c364c3", "81c3e8030000c3", "81c310270000c3"};
            for (int i = 0; i < targets.length; i++) {
                byte[] code = HexFormat.of().parseHex(targets[i]);
                v.memory.write(0x11000 + 0x1000L * i, code, 0, code.length);
            }
            v.reset(new long[16], new byte[256], 2, new long[32], 0x1f80, 2);
            assertEquals(ExitReason.HLT, v.cpu.run(100_000).reason);
            // 0x11000 before the remap at ECX = 50 (ECX 100, 96 .. 52), 0x15000 in its place after it (48 .. 4)
            assertEquals(13 + 12 * 10000 + 25 * (10 + 100 + 1000), v.s.gpr[3], "thresholds " + Arrays.toString(thresholds));
        }
    }

    @Test
    void codeMappedAtTwoAddressesRunsAsBlocksAtBoth() {
        // mov ecx, 200 / again: call 0x11000 / call 0x15000 / dec ecx / jnz again / hlt
        byte[] loop = HexFormat.of().parseHex("b9c8000000e8f60f0000e8f14f0000ffc975f2f4");
        Vcpu v = new Vcpu(3, 1);
        v.pageTable();
        // linear 0x15000 maps the frame of 0x11000: add ebx, 1 / ret
        v.ram.write64(0x4000 + 8 * 0x15, 0x11003);
        v.load(true, loop);
        v.memory.write(0x11000, HexFormat.of().parseHex("83c301c3"), 0, 4);
        v.reset(new long[16], new byte[256], 2, new long[32], 0x1f80, 2);
        assertEquals(ExitReason.HLT, v.cpu.run(100_000).reason);
        assertEquals(400, v.s.gpr[3]);
        // per iteration: both calls, both subroutine runs and the loop's tail, after a few runs to warm up
        assertTrue(v.cpu.blocksRun >= 5 * 200 - 20, "blocks run: " + v.cpu.blocksRun);
    }

    @Test
    void theRunAfterAPageCrossingInstructionIsABlock() {
        // mov ecx, 200 / jmp body / nop ... / body (0x10ffa): add ebx, 1 / mov eax, 0x12345678 (across 0x11000) /
        // add ebx, 1 (8 times) / dec ecx / jnz body / hlt
        byte[] program = new byte[0xffa + 37];
        Arrays.fill(program, (byte) 0x90);
        byte[] head = HexFormat.of().parseHex("b9c8000000e9f00f0000");
        byte[] body = HexFormat.of().parseHex("83c301b87856341283c30183c30183c30183c30183c30183c30183c30183c301ffc975dcf4");
        System.arraycopy(head, 0, program, 0, head.length);
        System.arraycopy(body, 0, program, 0xffa, body.length);
        Vcpu v = new Vcpu(3, 1);
        v.pageTable();
        v.load(true, program);
        v.reset(new long[16], new byte[256], 2, new long[32], 0x1f80, 2);
        assertEquals(ExitReason.HLT, v.cpu.run(100_000).reason);
        assertEquals(9 * 200, v.s.gpr[3]);
        // per iteration: the block before the crossing instruction and the one after it
        assertTrue(v.cpu.blocksRun >= 2 * 200 - 20, "blocks run: " + v.cpu.blocksRun);
    }

    /**
     * SSE instructions: the moves, bitwise operations, scalar arithmetic, compares and conversions compiled code
     * writes out, and some it hands to the SSE executor (packed arithmetic, MIN/MAX, conversions to a register),
     * on XMM registers or [RBX+disp8] (8-byte aligned: half the 16-byte operands fault), with a REX prefix in
     * 64-bit mode.
     */
    private static final int[][] SSE = {
        {0xf2, 0x10}, {0xf2, 0x11}, {0xf3, 0x10}, {0xf3, 0x11}, {0x66, 0x28}, {0x66, 0x29}, {0, 0x28}, {0, 0x10},
        {0, 0x11}, {0x66, 0x6f}, {0xf3, 0x7f}, {0x66, 0xef}, {0x66, 0x57}, {0, 0x57}, {0, 0x54}, {0x66, 0x54},
        {0x66, 0xdb}, {0, 0x56}, {0x66, 0xeb}, {0xf2, 0x58}, {0xf2, 0x59}, {0xf2, 0x5c}, {0xf2, 0x5e}, {0xf2, 0x51},
        {0xf3, 0x58}, {0xf3, 0x59}, {0xf3, 0x5c}, {0xf3, 0x5e}, {0xf3, 0x51}, {0xf2, 0x5d}, {0x66, 0x59}, {0, 0x58},
        {0x66, 0x2e}, {0x66, 0x2f}, {0, 0x2e}, {0, 0x2f}, {0xf2, 0x2a}, {0xf3, 0x2a}, {0xf2, 0x2c}, {0x66, 0x7e},
        {0x66, 0xd7}, {0x66, 0x58}, {0x66, 0x5c}, {0x66, 0x5e}, {0x66, 0x14}, {0x66, 0x15}, {0x66, 0x6c},
        {0x66, 0x6d},
    };

    private static byte[] sseInstruction(Random rnd, boolean mode64) {
        int[] form = SSE[rnd.nextInt(SSE.length)];
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        if (form[0] != 0) {
            b.write(form[0]);
        }
        boolean memory = rnd.nextInt(3) == 0;
        if (mode64 && rnd.nextBoolean()) {
            // REX.W, REX.R, and REX.B for register operands (REX.B would change the [rbx+disp8] addressing)
            b.write(0x40 | rnd.nextInt(16) & (memory ? 0xc : 0xf));
        }
        b.write(0x0f);
        b.write(form[1]);
        int reg = rnd.nextInt(8);
        if (memory) {
            b.write(0x44 | reg << 3);
            b.write(0x23);
            b.write(rnd.nextInt(0x80) & ~7);
        } else {
            b.write(0xc0 | reg << 3 | rnd.nextInt(8));
        }
        return b.toByteArray();
    }

    /** A random XMM lane: ordinary doubles and singles mostly, and zeros, denormals, infinities and NaNs. */
    private static long lane(Random rnd) {
        return switch (rnd.nextInt(8)) {
            case 0 -> Double.doubleToRawLongBits(rnd.nextInt(2001) - 1000);
            case 1 -> (long) Float.floatToRawIntBits((float) (rnd.nextDouble() * 64 - 32)) << 32
                    | Float.floatToRawIntBits(rnd.nextFloat() * 8) & 0xffffffffL;
            case 2 -> rnd.nextBoolean() ? 0 : Long.MIN_VALUE;
            case 3 -> rnd.nextLong() & 0x800fffffffffffffL;
            case 4 -> rnd.nextBoolean() ? 0x7ff0000000000000L : 0x7ff8000000000000L | rnd.nextInt(16);
            case 5 -> rnd.nextLong();
            default -> Double.doubleToRawLongBits((rnd.nextDouble() - 0.5) * Math.scalb(1.0, rnd.nextInt(40) - 20));
        };
    }

    /** Up to 40 random fast forms (SSE ones among them when {@code sse}), branches, calls, returns, perhaps a loop, then HLT. */
    private static byte[] program(Random rnd, boolean mode64, boolean sse) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int n = 1 + rnd.nextInt(40);
        for (int k = 0; k < n; k++) {
            byte[] insn = switch (rnd.nextInt(sse ? 12 : 10)) {
                // Jcc rel8 and JMP rel8 forward by up to 24 bytes (possibly into an instruction), CALL to the next
                // instruction, RET
                case 0 -> new byte[] {(byte) (0x70 + rnd.nextInt(16)), (byte) rnd.nextInt(24)};
                case 1 -> new byte[] {(byte) 0xeb, (byte) rnd.nextInt(24)};
                case 2 -> new byte[] {(byte) 0xe8, 0, 0, 0, 0};
                case 3 -> new byte[] {(byte) 0xc3};
                case 4, 5 -> sseInstruction(rnd, mode64);
                default -> FastPathDifferentialTest.instruction(rnd, mode64);
            };
            DecodedInstruction d = new DecodedInstruction();
            Decoder.decode(o -> insn[(int) Math.min(o - CODE, insn.length - 1)] & 0xff, CODE, mode64 ? 64 : 32, d);
            b.write(insn, 0, Math.max(1, Math.min(d.length, insn.length)));
        }
        // a loop back to the start: a random Jcc, or DEC ECX; JNZ, or one that walks RBX up through memory until
        // an access faults or exits in a later iteration: ADD RBX, 40h; JMP
        int back = b.size() + (rnd.nextBoolean() ? 2 : 4);
        if (b.size() < 100 && rnd.nextInt(3) == 0) {
            if (mode64) {
                b.write(0x48);
            }
            b.write(new byte[] {(byte) 0x83, (byte) 0xc3, 0x40}, 0, 3);
            b.write(0xeb);
            b.write(-(b.size() + 1));
        } else if (back <= 128 && rnd.nextInt(2) == 0) {
            if (back == b.size() + 4) {
                b.write(0xff);
                b.write(0xc9);
                b.write(0x75);
            } else {
                b.write(0x70 + rnd.nextInt(16));
            }
            b.write(-back);
        }
        b.write(0xf4);
        return b.toByteArray();
    }

    /** A vcpu with identity-mapped low memory in 64-bit mode, or flat 32-bit protected mode without paging. */
    private static final class Vcpu {
        final GuestMemory memory = new GuestMemory(MemoryQuota.UNLIMITED);
        final MemorySlot ram = memory.setRegion(0, 0, 0, 2 << 20);
        final CpuState s = new CpuState();
        final Cpu cpu;
        private CpuExit exit;
        private boolean mode64;

        Vcpu(int compileThreshold, int interpretThreshold) {
            ram.write64(0x1000, 0x2003);
            ram.write64(0x2000, 0x3003);
            ram.write64(0x3000, 0x83);
            ram.write64(0x3008, UNBACKED | 0x83);
            cpu = new Cpu(s, memory, new IoBus(), new CpuConfig(() -> 0, false, -1));
            cpu.compileThreshold = compileThreshold;
            cpu.interpretThreshold = interpretThreshold;
        }

        /** Maps the first 2 MiB through a page table at 0x4000 (4 KiB pages, identity) instead of one large page. */
        void pageTable() {
            ram.write64(0x3000, 0x4003);
            for (int i = 0; i < 512; i++) {
                ram.write64(0x4000 + 8 * i, (long) i << 12 | 3);
            }
        }

        void load(boolean mode64, byte[] program) {
            this.mode64 = mode64;
            memory.write(CODE, new byte[0x1000], 0, 0x1000);
            memory.write(CODE, program, 0, program.length);
            cpu.stateChanged();
        }

        /**
         * The state at the program's start; decoded code and compiled blocks are kept.
         *
         * @param sseState 0: CR0.TS set, 1: CR4.OSFXSR clear, else SSE usable
         */
        void reset(long[] regs, byte[] mem, long flags, long[] xmm, int mxcsr, int sseState) {
            s.reset();
            FlatModes.enter(s, mode64);
            s.cr4 |= ControlRegisters.CR4_OSXMMEXCPT | (sseState == 1 ? 0 : ControlRegisters.CR4_OSFXSR);
            s.cr0 |= sseState == 0 ? ControlRegisters.CR0_TS : 0;
            System.arraycopy(xmm, 0, s.fpu.xmm, 0, 32);
            s.fpu.mxcsr = mxcsr;
            System.arraycopy(regs, 0, s.gpr, 0, 16);
            s.gpr[4] = STACK;
            s.rflags = flags;
            s.rip = CODE;
            memory.write(BUFFER, mem, 0, mem.length);
            memory.write(STACK - 64, new byte[128], 0, 128);
        }

        /** One run with a random instruction limit; an MMIO read asked for before is answered first. */
        ExitReason slice(Random rnd) {
            if (exit != null && exit.reason == ExitReason.MMIO && !exit.mmioWrite) {
                byte[] data = new byte[8];
                rnd.nextBytes(data);
                cpu.completeMmioRead(data);
            }
            exit = cpu.run(rnd.nextInt(8) == 0 ? 5000 : 1 + rnd.nextInt(rnd.nextBoolean() ? 8 : 64));
            return exit.reason;
        }

        String diff(Vcpu o) {
            StringBuilder d = new StringBuilder();
            if (exit.reason != o.exit.reason) {
                d.append(" exit ").append(exit.reason).append(" interpreted ").append(o.exit.reason);
            } else if (exit.reason == ExitReason.EXCEPTION && (exit.exceptionVector != o.exit.exceptionVector
                    || exit.exceptionErrorCode != o.exit.exceptionErrorCode)) {
                d.append(" #").append(exit.exceptionVector).append(" interpreted #").append(o.exit.exceptionVector);
            } else if (exit.reason == ExitReason.MMIO && (exit.mmioPhysAddr != o.exit.mmioPhysAddr
                    || exit.mmioLen != o.exit.mmioLen || exit.mmioWrite != o.exit.mmioWrite
                    || exit.mmioWrite && !Arrays.equals(exit.mmioData, o.exit.mmioData))) {
                d.append(String.format(" mmio %x/%d interpreted %x/%d", exit.mmioPhysAddr, exit.mmioLen,
                        o.exit.mmioPhysAddr, o.exit.mmioLen));
            }
            if (cpu.instructionsRetired() != o.cpu.instructionsRetired()) {
                d.append(" retired ").append(cpu.instructionsRetired()).append(" interpreted ")
                        .append(o.cpu.instructionsRetired());
            }
            FlatModes.registerDifferences(d, s, o.s, "interpreted");
            for (int r = 0; r < 32; r++) {
                if (s.fpu.xmm[r] != o.s.fpu.xmm[r]) {
                    d.append(String.format(" xmm%d.%d=%x interpreted %x", r / 2, r % 2, s.fpu.xmm[r], o.s.fpu.xmm[r]));
                }
            }
            if (s.fpu.mxcsr != o.s.fpu.mxcsr) {
                d.append(String.format(" mxcsr=%x interpreted %x", s.fpu.mxcsr, o.s.fpu.mxcsr));
            }
            if (s.cr2 != o.s.cr2) {
                d.append(String.format(" cr2=%x interpreted %x", s.cr2, o.s.cr2));
            }
            byte[] a = new byte[STACK_END];
            byte[] b = new byte[STACK_END];
            memory.read(0, a, 0, a.length);
            o.memory.read(0, b, 0, b.length);
            if (!Arrays.equals(a, b)) {
                d.append(String.format(" memory at %x differs", Arrays.mismatch(a, b)));
            }
            return d.isEmpty() ? null : d.toString();
        }
    }

    /** Memory compared: page tables, program, buffer and stack. */
    private static final int STACK_END = (int) STACK + 0x1000;
}
