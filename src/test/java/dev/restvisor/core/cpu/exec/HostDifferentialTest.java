package dev.restvisor.core.cpu.exec;

import dev.restvisor.core.cpu.decode.DecodedInstruction;
import dev.restvisor.core.cpu.decode.Disassembler;
import dev.restvisor.core.cpu.state.Rflags;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Differential test against the host CPU: random register and memory operands for 64-bit integer
 * instruction forms, run natively (src/test/resources/native/x86runner.c, built with gcc during the test)
 * and in the core in 64-bit mode. Results, memory and the flags the SDM defines for each instruction must
 * agree. Skipped where the host is not x86-64 or gcc is missing. Per-form results go to
 * target/host-differential.txt.
 */
class HostDifferentialTest {
    private static final int CASES_PER_FORM = 300;
    private static final long CODE = 0x10000;
    private static final long BUFFER = 0x20000;
    private static final long STATUS = Rflags.STATUS;
    private static final int[] REGS = {0, 1, 2, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
    private static final int[] LEGACY_BYTE_REGS = {0, 1, 2, 5, 6};

    /** How the SDM defines the flags of a form; {@link #mask} picks the defined ones for one case. */
    enum FlagRule { ALL, LOGIC, MUL, NONE_DEFINED, SHIFT, ROTATE, DOUBLE_SHIFT, BT, BSF, LZCNT }

    /**
     * One instruction form: a pattern of hex bytes, "/r" (ModRM with random reg and r/m register or [rbx]),
     * "/0".."/7" (ModRM with a fixed reg field), "ib"/"iw"/"id" (random immediates), "+r" (register in the
     * opcode byte); {@code size} 1, 2, 4 or 8 picks the prefixes.
     */
    record Form(String name, String pattern, int size, FlagRule rule, boolean memory) {
    }

    record Case(byte[] code, long[] regs, long flags, byte[] mem, int count, Form form) {
    }

    private static List<Form> forms() {
        List<Form> f = new ArrayList<>();
        String[] alu = {"add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"};
        for (int i = 0; i < 8; i++) {
            FlagRule rule = i == 1 || i == 4 || i == 6 ? FlagRule.LOGIC : FlagRule.ALL;
            String b = String.format("%02x", i * 8);
            String b1 = String.format("%02x", i * 8 + 1);
            String b2 = String.format("%02x", i * 8 + 2);
            String b3 = String.format("%02x", i * 8 + 3);
            for (boolean mem : new boolean[] {false, true}) {
                f.add(new Form(alu[i] + " Eb,Gb", b + " /r", 1, rule, mem));
                f.add(new Form(alu[i] + " Gb,Eb", b2 + " /r", 1, rule, mem));
                for (int size : new int[] {2, 4, 8}) {
                    f.add(new Form(alu[i] + " Ev,Gv", b1 + " /r", size, rule, mem));
                    f.add(new Form(alu[i] + " Gv,Ev", b3 + " /r", size, rule, mem));
                    f.add(new Form(alu[i] + " Ev,Ib", "83 /" + i + " ib", size, rule, mem));
                }
                f.add(new Form(alu[i] + " Eb,Ib", "80 /" + i + " ib", 1, rule, mem));
                f.add(new Form(alu[i] + " Ev,Iz", "81 /" + i + " id", 4, rule, mem));
                f.add(new Form(alu[i] + " Ev,Iz", "81 /" + i + " id", 8, rule, mem));
            }
        }
        String[] unary = {null, null, "not", "neg", "mul", "imul", "div", "idiv"};
        for (int r = 2; r < 8; r++) {
            FlagRule rule = r == 2 ? FlagRule.ALL : r == 3 ? FlagRule.ALL : r < 6 ? FlagRule.MUL : FlagRule.NONE_DEFINED;
            f.add(new Form(unary[r] + " Eb", "f6 /" + r, 1, rule, r >= 4));
            for (int size : new int[] {2, 4, 8}) {
                f.add(new Form(unary[r] + " Ev", "f7 /" + r, size, rule, false));
            }
        }
        for (int size : new int[] {2, 4, 8}) {
            f.add(new Form("inc Ev", "ff /0", size, FlagRule.ALL, true));
            f.add(new Form("dec Ev", "ff /1", size, FlagRule.ALL, false));
            f.add(new Form("test Ev,Gv", "85 /r", size, FlagRule.LOGIC, false));
            f.add(new Form("xchg Ev,Gv", "87 /r", size, FlagRule.ALL, true));
            f.add(new Form("mov Gv,Ev", "8b /r", size, FlagRule.ALL, true));
            f.add(new Form("mov Ev,Gv", "89 /r", size, FlagRule.ALL, true));
            f.add(new Form("imul Gv,Ev", "0f af /r", size, FlagRule.MUL, false));
            f.add(new Form("imul Gv,Ev,Ib", "6b /r ib", size, FlagRule.MUL, false));
            f.add(new Form("bt Ev,Gv", "0f a3 /r", size, FlagRule.BT, true));
            f.add(new Form("bts Ev,Gv", "0f ab /r", size, FlagRule.BT, true));
            f.add(new Form("btr Ev,Gv", "0f b3 /r", size, FlagRule.BT, false));
            f.add(new Form("btc Ev,Gv", "0f bb /r", size, FlagRule.BT, false));
            f.add(new Form("bt Ev,Ib", "0f ba /4 ib", size, FlagRule.BT, false));
            f.add(new Form("btc Ev,Ib", "0f ba /7 ib", size, FlagRule.BT, true));
            f.add(new Form("bsf Gv,Ev", "0f bc /r", size, FlagRule.BSF, false));
            f.add(new Form("bsr Gv,Ev", "0f bd /r", size, FlagRule.BSF, true));
            f.add(new Form("popcnt Gv,Ev", "f3 0f b8 /r", size, FlagRule.ALL, false));
            f.add(new Form("lzcnt Gv,Ev", "f3 0f bd /r", size, FlagRule.LZCNT, false));
            f.add(new Form("tzcnt Gv,Ev", "f3 0f bc /r", size, FlagRule.LZCNT, false));
            f.add(new Form("movzx Gv,Eb", "0f b6 /r", size, FlagRule.ALL, false));
            f.add(new Form("movsx Gv,Eb", "0f be /r", size, FlagRule.ALL, false));
            f.add(new Form("movsx Gv,Ew", "0f bf /r", size, FlagRule.ALL, true));
            f.add(new Form("cmovl Gv,Ev", "0f 4c /r", size, FlagRule.ALL, false));
            f.add(new Form("cmovbe Gv,Ev", "0f 46 /r", size, FlagRule.ALL, true));
            f.add(new Form("xadd Ev,Gv", "0f c1 /r", size, FlagRule.ALL, false));
            f.add(new Form("cmpxchg Ev,Gv", "0f b1 /r", size, FlagRule.ALL, true));
            f.add(new Form("shld Ev,Gv,CL", "0f a5 /r", size, FlagRule.DOUBLE_SHIFT, false));
            f.add(new Form("shrd Ev,Gv,Ib", "0f ac /r ib", size, FlagRule.DOUBLE_SHIFT, false));
            f.add(new Form("movbe Gv,Mv", "0f 38 f0 /r", size, FlagRule.ALL, true));
            f.add(new Form("cbw/cwde/cdqe", "98", size, FlagRule.ALL, false));
            f.add(new Form("cwd/cdq/cqo", "99", size, FlagRule.ALL, false));
            String[] shifts = {"rol", "ror", "rcl", "rcr", "shl", "shr", "sal", "sar"};
            for (int r = 0; r < 8; r++) {
                FlagRule rule = r < 4 ? FlagRule.ROTATE : FlagRule.SHIFT;
                f.add(new Form(shifts[r] + " Ev,CL", "d3 /" + r, size, rule, r == 2));
                f.add(new Form(shifts[r] + " Ev,Ib", "c1 /" + r + " ib", size, rule, false));
                f.add(new Form(shifts[r] + " Ev,1", "d1 /" + r, size, rule, false));
            }
        }
        for (int size : new int[] {4, 8}) {
            f.add(new Form("bswap", "0f c8 +r", size, FlagRule.ALL, false));
        }
        f.add(new Form("movsxd Gv,Ed", "63 /r", 8, FlagRule.ALL, true));
        for (int cc = 0; cc < 16; cc++) {
            f.add(new Form("setcc Eb", String.format("0f %02x /0", 0x90 + cc), 1, FlagRule.ALL, cc % 3 == 0));
        }
        String[] shifts = {"rol", "ror", "rcl", "rcr", "shl", "shr", "sal", "sar"};
        for (int r = 0; r < 8; r++) {
            f.add(new Form(shifts[r] + " Eb,CL", "d2 /" + r, 1, r < 4 ? FlagRule.ROTATE : FlagRule.SHIFT, r == 3));
        }
        f.add(new Form("lahf", "9f", 4, FlagRule.ALL, false));
        f.add(new Form("sahf", "9e", 4, FlagRule.ALL, false));
        f.add(new Form("cmc", "f5", 4, FlagRule.ALL, false));
        return f;
    }

    @Test
    void integerFormsMatchTheHost() throws Exception {
        NativeHelper runner;
        try (InputStream source = HostDifferentialTest.class.getResourceAsStream("/native/x86runner.c")) {
            runner = NativeHelper.build("x86runner", new String(source.readAllBytes(), StandardCharsets.UTF_8));
        }

        Random rnd = new Random(20261203);
        List<Case> cases = new ArrayList<>();
        List<Form> forms = forms();
        for (Form form : forms) {
            for (int i = 0; i < CASES_PER_FORM; i++) {
                cases.add(generate(form, rnd, i));
            }
        }
        byte[] results = runNative(runner, cases);
        Core core = new Core();
        Map<String, int[]> perForm = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        ByteBuffer out = ByteBuffer.wrap(results).order(ByteOrder.LITTLE_ENDIAN);
        for (Case c : cases) {
            long[] want = new long[17];
            for (int i = 0; i < 17; i++) {
                want[i] = out.getLong();
            }
            byte[] wantMem = new byte[64];
            out.get(wantMem);
            boolean wantFault = out.getLong() != 0;
            String key = c.form.name + " /" + (c.form.size * 8) + (c.form.memory ? " mem" : "");
            int[] tally = perForm.computeIfAbsent(key, k -> new int[2]);
            String diff = core.run(c, want, wantMem, wantFault);
            if (diff == null) {
                tally[0]++;
            } else {
                tally[1]++;
                if (tally[1] <= 3) {
                    failures.add(key + " [" + hex(c.code) + "]: " + diff);
                }
            }
        }
        StringBuilder report = new StringBuilder();
        int bad = 0;
        for (var e : perForm.entrySet()) {
            report.append(String.format("%-28s %5d pass %5d fail%n", e.getKey(), e.getValue()[0], e.getValue()[1]));
            bad += e.getValue()[1];
        }
        report.insert(0, String.format("%d forms, %d cases, %d failing%n", perForm.size(), cases.size(), bad));
        report.append(String.join("\n", failures)).append('\n');
        Path out2 = Path.of("target", "host-differential.txt");
        Files.createDirectories(out2.getParent());
        Files.writeString(out2, report.toString());
        int failing = bad;
        assertTrue(failing == 0, () -> failing + " failing cases, see " + out2.toAbsolutePath() + "\n"
                + String.join("\n", failures.subList(0, Math.min(30, failures.size()))));
        assertTrue(perForm.size() >= 200, "only " + perForm.size() + " forms");
    }

    private static Case generate(Form form, Random rnd, int i) {
        long[] regs = new long[16];
        for (int r = 0; r < 16; r++) {
            regs[r] = value(rnd);
        }
        byte[] mem = new byte[64];
        rnd.nextBytes(mem);
        long flags = (rnd.nextLong() & (STATUS)) | Rflags.FIXED1;
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int size = form.size;
        String[] tokens = form.pattern.split(" ");
        boolean byteForm = size == 1;
        boolean useRex = !byteForm || rnd.nextBoolean();
        int[] pool = byteForm && !useRex ? LEGACY_BYTE_REGS : REGS;
        int reg = pool[rnd.nextInt(pool.length)];
        int rm = pool[rnd.nextInt(pool.length)];
        int count = -1;
        // prefixes: mandatory F3 first, then 66, then REX
        int idx = 0;
        if (tokens[0].equals("f3")) {
            b.write(0xf3);
            idx = 1;
        }
        if (size == 2) {
            b.write(0x66);
        }
        boolean hasModrm = form.pattern.contains("/");
        boolean regField = form.pattern.contains("/r");
        boolean plusR = form.pattern.contains("+r");
        int rex = (size == 8 ? 8 : 0) | (hasModrm && regField && reg >= 8 ? 4 : 0)
                | ((hasModrm && !form.memory || plusR) && rm >= 8 ? 1 : 0);
        // a byte source of MOVZX/MOVSX/SETcc with REX reads SIL/DIL, never BH (RBX holds the buffer address)
        if (rex != 0 || (byteForm && useRex) || form.name.contains(",Eb")) {
            b.write(0x40 | rex);
        }
        for (int t = idx; t < tokens.length; t++) {
            String tok = tokens[t];
            switch (tok) {
                case "/r", "/0", "/1", "/2", "/3", "/4", "/5", "/6", "/7" -> {
                    int field = tok.equals("/r") ? reg & 7 : tok.charAt(1) - '0';
                    b.write(form.memory ? (field << 3) | 3 : 0xc0 | (field << 3) | (rm & 7));
                }
                case "+r" -> { }
                case "ib" -> {
                    int v = rnd.nextInt(256);
                    b.write(v);
                    count = v;
                }
                case "iw" -> {
                    b.write(rnd.nextInt(256));
                    b.write(rnd.nextInt(256));
                }
                case "id" -> {
                    for (int k = 0; k < 4; k++) {
                        b.write(rnd.nextInt(256));
                    }
                }
                default -> {
                    int op = Integer.parseInt(tok, 16);
                    if (t + 1 < tokens.length && tokens[t + 1].equals("+r")) {
                        op += rm & 7;
                    }
                    b.write(op);
                }
            }
        }
        String name = form.name;
        if (name.endsWith(",CL") || name.startsWith("shld")) {
            // shift counts: often the interesting ones
            long cl = switch (i % 6) {
                case 0 -> 0;
                case 1 -> 1;
                case 2 -> size * 8 - 1;
                case 3 -> size * 8;
                default -> rnd.nextInt(256);
            };
            regs[1] = (regs[1] & ~0xffL) | cl;
            count = (int) cl;
        } else if (name.endsWith(",1")) {
            count = 1;
        }
        if (name.startsWith("shld") || name.startsWith("shrd")) {
            if (size == 2 && (count & 0x1f) > 16) {
                // result undefined for 16-bit operands with counts above 16
                count &= 0x0f;
                if (name.endsWith(",CL")) {
                    regs[1] = (regs[1] & ~0xffL) | count;
                } else {
                    byte[] code = b.toByteArray();
                    code[code.length - 1] = (byte) count;
                    b = new ByteArrayOutputStream();
                    b.writeBytes(code);
                }
            }
        }
        if ((name.startsWith("bt") && name.endsWith("Gv")) && form.memory) {
            // keep the bit offset inside the 64-byte buffer
            regs[reg] = rnd.nextInt(64 * 8 - size * 8);
        }
        if (name.startsWith("div") || name.startsWith("idiv")) {
            // mostly non-faulting: small high half
            if (i % 4 != 0) {
                regs[2] = name.startsWith("idiv") ? (regs[0] < 0 ? -1 : 0) : 0;
            }
        }
        if (name.startsWith("bsf") || name.startsWith("bsr") || name.startsWith("lzcnt") || name.startsWith("tzcnt")
                || name.startsWith("popcnt")) {
            if (i % 5 == 0) {
                regs[rm] = 0;
                for (int k = 0; k < 8; k++) {
                    mem[k] = 0;
                }
            }
        }
        byte[] code = b.toByteArray();
        return new Case(code, regs, flags, mem, count, form);
    }

    private static long value(Random rnd) {
        return switch (rnd.nextInt(8)) {
            case 0 -> rnd.nextInt(4) - 1;
            case 1 -> 0x7fL << (8 * rnd.nextInt(8)) | (rnd.nextBoolean() ? 0xff : 0);
            case 2 -> 0x80L << (8 * rnd.nextInt(8));
            case 3 -> rnd.nextInt(256);
            default -> rnd.nextLong();
        };
    }

    /** The status flags the SDM defines for this case (others are compared only where defined). */
    private static long mask(Case c) {
        int bits = c.form.size * 8;
        int count = c.count < 0 ? -1 : c.count & (bits == 64 ? 0x3f : 0x1f);
        return switch (c.form.rule) {
            case ALL -> STATUS;
            case LOGIC -> STATUS & ~Rflags.AF;
            case MUL -> Rflags.CF | Rflags.OF;
            case NONE_DEFINED -> 0;
            case SHIFT -> count == 0 ? STATUS : count == 1 ? STATUS & ~Rflags.AF
                    : count > bits ? 0 : STATUS & ~(Rflags.AF | Rflags.OF);
            case ROTATE -> count == 0 ? STATUS : count == 1 ? STATUS : STATUS & ~Rflags.OF;
            case DOUBLE_SHIFT -> count == 0 ? STATUS : count == 1 ? STATUS & ~Rflags.AF : STATUS & ~(Rflags.AF | Rflags.OF);
            case BT -> Rflags.CF;
            case BSF -> Rflags.ZF;
            case LZCNT -> Rflags.ZF | Rflags.CF;
        };
    }

    private static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (byte x : b) {
            sb.append(String.format("%02x", x & 0xff));
        }
        return sb.toString();
    }

    private static byte[] runNative(NativeHelper runner, List<Case> cases) throws IOException, InterruptedException {
        ByteBuffer in = ByteBuffer.allocate(cases.size() * (17 * 8 + 64 + 16)).order(ByteOrder.LITTLE_ENDIAN);
        for (Case c : cases) {
            for (long r : c.regs) {
                in.putLong(r);
            }
            in.putLong(c.flags);
            in.put(c.mem);
            byte[] code = new byte[16];
            java.util.Arrays.fill(code, (byte) 0x90);
            System.arraycopy(c.code, 0, code, 0, c.code.length);
            in.put(code);
        }
        return runner.run(in.array(), 17 * 8 + 64 + 8, cases.size(),
                i -> cases.get(i).form.name + " [" + hex(cases.get(i).code) + "]");
    }

    /** A 64-bit vcpu with identity-mapped low memory, running one instruction at a time. */
    private static final class Core extends LongModeMachine {
        Core() {
            super(GuestFault.DE, GuestFault.UD, GuestFault.GP, GuestFault.PF);
        }

        String run(Case c, long[] want, byte[] wantMem, boolean wantFault) {
            s.reset();
            enterLongMode(0, 0);
            System.arraycopy(c.regs, 0, s.gpr, 0, 16);
            s.gpr[3] = BUFFER;
            s.gpr[4] = 0x30000;
            s.rflags = c.flags;
            memory.write(BUFFER, c.mem, 0, 64);
            byte[] code = new byte[16];
            java.util.Arrays.fill(code, (byte) 0x90);
            System.arraycopy(c.code, 0, code, 0, c.code.length);
            CpuExit e = step(CODE, code);
            boolean fault = e.reason == ExitReason.EXCEPTION;
            if (fault != wantFault) {
                return fault ? "core raised #" + e.exceptionVector + ", host did not" : "host raised #DE, core "
                        + e.reason;
            }
            if (fault) {
                return e.exceptionVector == GuestFault.DE ? null : "core raised #" + e.exceptionVector;
            }
            StringBuilder d = new StringBuilder();
            for (int r = 0; r < 16; r++) {
                if (r == 3 || r == 4) {
                    continue;
                }
                if (s.gpr[r] != want[r]) {
                    d.append(String.format(" r%d=%x want %x", r, s.gpr[r], want[r]));
                }
            }
            long m = mask(c);
            if (((s.rflags ^ want[16]) & m) != 0) {
                d.append(String.format(" flags=%x want %x (mask %x)", s.rflags & STATUS, want[16] & STATUS, m));
            }
            byte[] got = new byte[64];
            memory.read(BUFFER, got, 0, 64);
            if (!java.util.Arrays.equals(got, wantMem)) {
                d.append(" memory differs");
            }
            if (s.rip != CODE + c.code.length) {
                d.append(String.format(" rip=%x", s.rip));
            }
            if (d.isEmpty()) {
                return null;
            }
            byte[] bytes = c.code;
            String text = Disassembler.disassemble(o -> bytes[(int) Math.min(o - CODE, bytes.length - 1)] & 0xff, CODE, 64,
                    new DecodedInstruction());
            return text + ":" + d;
        }
    }
}
