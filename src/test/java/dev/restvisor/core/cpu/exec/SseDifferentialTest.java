package dev.restvisor.core.cpu.exec;

import dev.restvisor.core.cpu.state.ControlRegisters;
import dev.restvisor.core.cpu.state.Rflags;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * SSE/SSE2 against the host CPU: every register form runs on random XMM inputs (special values mixed in)
 * under random MXCSR rounding, DAZ and FTZ (exceptions masked) natively, in a C helper generated and built
 * with gcc during the test, and in the core in 64-bit mode. XMM0, RAX, MXCSR and, for (U)COMIS, the status
 * flags must agree. Skipped where the host is not x86-64 or gcc is missing. RCPPS/RSQRTPS are left out:
 * their bits are implementation-specific (SDM Vol. 2B "RCPPS").
 */
class SseDifferentialTest {
    private static final int CASES = 2000;
    private static final long CODE = 0x10000;
    private static final long BUFFER = 0x20000;

    /**
     * A form: its bytes with ModRM (reg = xmm0/rax, rm = xmm1/rax, or [rbx] for a memory form, where rbx points
     * to a 16-byte aligned copy of the second operand) and immediate already filled in.
     */
    record Form(String name, byte[] bytes, boolean flags, boolean memory) {
    }

    private static void add(List<Form> f, String name, String bytes) {
        f.add(new Form(name, NativeHelper.hexBytes(bytes), false, false));
    }

    private static void mem(List<Form> f, String name, String bytes, boolean flags) {
        f.add(new Form(name + " mem", NativeHelper.hexBytes(bytes), flags, true));
    }

    static List<Form> forms() {
        List<Form> f = new ArrayList<>();
        String[] pre = {"", "66", "f3", "f2"};
        String[] suf = {"ps", "pd", "ss", "sd"};
        String[][] arith = {{"58", "add"}, {"59", "mul"}, {"5c", "sub"}, {"5d", "min"}, {"5e", "div"}, {"5f", "max"},
            {"51", "sqrt"}};
        for (String[] a : arith) {
            for (int p = 0; p < 4; p++) {
                add(f, a[1] + suf[p], pre[p] + " 0f " + a[0] + " c1");
            }
        }
        String[] cvt5a = {"cvtps2pd", "cvtpd2ps", "cvtss2sd", "cvtsd2ss"};
        for (int p = 0; p < 4; p++) {
            add(f, cvt5a[p], pre[p] + " 0f 5a c1");
        }
        add(f, "cvtdq2ps", "0f 5b c1");
        add(f, "cvtps2dq", "66 0f 5b c1");
        add(f, "cvttps2dq", "f3 0f 5b c1");
        add(f, "cvttpd2dq", "66 0f e6 c1");
        add(f, "cvtdq2pd", "f3 0f e6 c1");
        add(f, "cvtpd2dq", "f2 0f e6 c1");
        for (int p = 0; p < 4; p++) {
            for (int imm = 0; imm < 8; imm++) {
                add(f, "cmp" + suf[p] + " " + imm, pre[p] + " 0f c2 c1 0" + imm);
            }
        }
        f.add(new Form("ucomiss", NativeHelper.hexBytes("0f 2e c1"), true, false));
        f.add(new Form("ucomisd", NativeHelper.hexBytes("66 0f 2e c1"), true, false));
        f.add(new Form("comiss", NativeHelper.hexBytes("0f 2f c1"), true, false));
        f.add(new Form("comisd", NativeHelper.hexBytes("66 0f 2f c1"), true, false));
        String[][] two = {{"54", "and"}, {"55", "andn"}, {"56", "or"}, {"57", "xor"}, {"14", "unpckl"}, {"15", "unpckh"}};
        for (String[] t : two) {
            add(f, t[1] + "ps", "0f " + t[0] + " c1");
            add(f, t[1] + "pd", "66 0f " + t[0] + " c1");
        }
        for (String imm : new String[] {"00", "1b", "e4", "b1", "ff"}) {
            add(f, "shufps " + imm, "0f c6 c1 " + imm);
            add(f, "pshufd " + imm, "66 0f 70 c1 " + imm);
            add(f, "pshufhw " + imm, "f3 0f 70 c1 " + imm);
            add(f, "pshuflw " + imm, "f2 0f 70 c1 " + imm);
        }
        add(f, "shufpd 1", "66 0f c6 c1 01");
        add(f, "shufpd 2", "66 0f c6 c1 02");
        add(f, "movss", "f3 0f 10 c1");
        add(f, "movsd", "f2 0f 10 c1");
        add(f, "movhlps", "0f 12 c1");
        add(f, "movlhps", "0f 16 c1");
        add(f, "movaps", "0f 28 c1");
        add(f, "movq xmm", "f3 0f 7e c1");
        add(f, "movq d6", "66 0f d6 c8");
        int[] integer = {0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x74, 0x75,
            0x76, 0xd1, 0xd2, 0xd3, 0xd4, 0xd5, 0xd8, 0xd9, 0xda, 0xdb, 0xdc, 0xdd, 0xde, 0xdf, 0xe0, 0xe1, 0xe2, 0xe3,
            0xe4, 0xe5, 0xe8, 0xe9, 0xea, 0xeb, 0xec, 0xed, 0xee, 0xef, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf8, 0xf9,
            0xfa, 0xfb, 0xfc, 0xfd, 0xfe};
        for (int op : integer) {
            add(f, String.format("66 0f %02x", op), String.format("66 0f %02x c1", op));
        }
        String[][] shifts = {{"71", "2"}, {"71", "4"}, {"71", "6"}, {"72", "2"}, {"72", "4"}, {"72", "6"}, {"73", "2"},
            {"73", "3"}, {"73", "6"}, {"73", "7"}};
        for (String[] sh : shifts) {
            for (String imm : new String[] {"00", "01", "07", "0f", "1f", "3f", "40"}) {
                int modrm = 0xc0 | Integer.parseInt(sh[1]) << 3;
                add(f, "66 0f " + sh[0] + " /" + sh[1] + " " + imm, String.format("66 0f %s %02x %s", sh[0], modrm, imm));
            }
        }
        add(f, "pinsrw 3", "66 0f c4 c0 03");
        add(f, "pextrw 5", "66 0f c5 c1 05");
        add(f, "pmovmskb", "66 0f d7 c1");
        add(f, "movmskps", "0f 50 c1");
        add(f, "movmskpd", "66 0f 50 c1");
        add(f, "cvtsi2ss r32", "f3 0f 2a c0");
        add(f, "cvtsi2ss r64", "f3 48 0f 2a c0");
        add(f, "cvtsi2sd r32", "f2 0f 2a c0");
        add(f, "cvtsi2sd r64", "f2 48 0f 2a c0");
        add(f, "cvttss2si r32", "f3 0f 2c c1");
        add(f, "cvttss2si r64", "f3 48 0f 2c c1");
        add(f, "cvtss2si r32", "f3 0f 2d c1");
        add(f, "cvtsd2si r64", "f2 48 0f 2d c1");
        add(f, "cvttsd2si r32", "f2 0f 2c c1");
        add(f, "movd xmm,r32", "66 0f 6e c0");
        add(f, "movq xmm,r64", "66 48 0f 6e c0");
        add(f, "movd r32,xmm", "66 0f 7e c0");
        add(f, "movq r64,xmm", "66 48 0f 7e c0");
        // memory operands: loads, stores, and arithmetic with a memory source
        String[][] memForms = {{"movups", "0f 10 03"}, {"movupd", "66 0f 10 03"}, {"movss", "f3 0f 10 03"},
            {"movsd", "f2 0f 10 03"}, {"movups st", "0f 11 03"}, {"movss st", "f3 0f 11 03"}, {"movsd st", "f2 0f 11 03"},
            {"movlps", "0f 12 03"}, {"movlpd", "66 0f 12 03"}, {"movlps st", "0f 13 03"}, {"movhps", "0f 16 03"},
            {"movhpd", "66 0f 16 03"}, {"movhps st", "0f 17 03"}, {"movaps", "0f 28 03"}, {"movaps st", "0f 29 03"},
            {"movntps", "0f 2b 03"}, {"movdqa", "66 0f 6f 03"}, {"movdqu", "f3 0f 6f 03"}, {"movdqa st", "66 0f 7f 03"},
            {"movdqu st", "f3 0f 7f 03"}, {"movntdq", "66 0f e7 03"}, {"movq", "f3 0f 7e 03"}, {"movq st", "66 0f d6 03"},
            {"movd", "66 0f 6e 03"}, {"movq r64", "66 48 0f 6e 03"}, {"movd st", "66 0f 7e 03"},
            {"movq st64", "66 48 0f 7e 03"}, {"addps", "0f 58 03"}, {"addss", "f3 0f 58 03"}, {"addsd", "f2 0f 58 03"},
            {"mulsd", "f2 0f 59 03"}, {"divsd", "f2 0f 5e 03"}, {"sqrtsd", "f2 0f 51 03"}, {"minsd", "f2 0f 5d 03"},
            {"cvtsi2sd m32", "f2 0f 2a 03"}, {"cvtsi2sd m64", "f2 48 0f 2a 03"}, {"cvttsd2si", "f2 48 0f 2c 03"},
            {"cvtss2sd", "f3 0f 5a 03"}, {"cvtps2pd", "0f 5a 03"}, {"cvtdq2pd", "f3 0f e6 03"}, {"pxor", "66 0f ef 03"},
            {"paddd", "66 0f fe 03"}, {"pshufd", "66 0f 70 03 1b"}, {"punpcklbw", "66 0f 60 03"},
            {"pinsrw", "66 0f c4 03 02"}, {"cmpsd", "f2 0f c2 03 01"}, {"andpd", "66 0f 54 03"}};
        for (String[] m : memForms) {
            mem(f, m[0], m[1], false);
        }
        mem(f, "ucomisd", "66 0f 2e 03", true);
        mem(f, "comiss", "0f 2f 03", true);
        return f;
    }

    /** Interesting lane values: specials, small integers, denormals, random bits. */
    private static long lane(Random r, boolean single) {
        int k = r.nextInt(12);
        if (single) {
            int[] special = {0, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 0x7fa00000, 0xffc00001, 0x00000001,
                0x807fffff, 0x3f800000, 0x7f7fffff, 0x00800000, 0x4f000000, 0xcf000000};
            return switch (k) {
                case 0, 1 -> special[r.nextInt(special.length)] & 0xffffffffL;
                case 2 -> Float.floatToRawIntBits((float) (r.nextInt(2001) - 1000)) & 0xffffffffL;
                case 3 -> r.nextInt(0x800000) | (r.nextBoolean() ? 0x80000000L : 0);
                case 4 -> Float.floatToRawIntBits((float) r.nextGaussian() * 1e30f) & 0xffffffffL;
                default -> r.nextInt() & 0xffffffffL;
            };
        }
        long[] special = {0, 0x8000000000000000L, 0x7ff0000000000000L, 0xfff0000000000000L, 0x7ff8000000000000L,
            0x7ff4000000000000L, 0x0000000000000001L, 0x3ff0000000000000L, 0x7fefffffffffffffL, 0x0010000000000000L,
            0x43e0000000000000L, 0xc1e0000000000000L};
        return switch (k) {
            case 0, 1 -> special[r.nextInt(special.length)];
            case 2 -> Double.doubleToRawLongBits(r.nextInt(2001) - 1000);
            case 3 -> (r.nextLong() & 0xfffffffffffffL) | (r.nextBoolean() ? Long.MIN_VALUE : 0);
            case 4 -> Double.doubleToRawLongBits(r.nextGaussian() * 1e300);
            default -> r.nextLong();
        };
    }

    private static long half(Random r) {
        return switch (r.nextInt(3)) {
            case 0 -> lane(r, true) | lane(r, true) << 32;
            case 1 -> lane(r, false);
            default -> r.nextLong();
        };
    }

    /** The helper's In record (XMM0 as a, the second operand as b, RAX, MXCSR, the form) and Out record. */
    private static final String C_RECORDS = """
            #include <stdint.h>
            #include <stdio.h>
            typedef struct { uint64_t a[2], b[2], rax; uint32_t mxcsr, form; } In;
            typedef struct { uint64_t a[2], rax, flags; uint32_t mxcsr, pad; uint64_t b[2]; } Out;
            """;

    /** The C body of a form: XMM0, XMM1, [RBX], RAX and MXCSR from In, the instruction, the results into Out. */
    private static String cBody(Form form) {
        return """
                  uint64_t a[2] = {in->a[0], in->a[1]}, rax = in->rax, fl;
                  static uint64_t b[2] __attribute__((aligned(16)));
                  b[0] = in->b[0]; b[1] = in->b[1];
                  uint32_t m = in->mxcsr;
                  __asm__ volatile("ldmxcsr %4\\n movdqu %0, %%xmm0\\n movdqu %1, %%xmm1\\n mov %2, %%rax\\n\
                 .byte @BYTES@\\n movdqu %%xmm0, %0\\n mov %%rax, %2\\n pushfq\\n pop %3\\n\
                 stmxcsr %4" : "+m"(a), "+m"(b), "+m"(rax), "=&r"(fl), "+m"(m) : "b"(b) : "rax", "xmm0",\
                 "xmm1", "memory", "cc");
                  o->a[0] = a[0]; o->a[1] = a[1]; o->rax = rax; o->flags = fl; o->mxcsr = m;\
                 o->b[0] = b[0]; o->b[1] = b[1];
                """.replace("@BYTES@", NativeHelper.byteDirective(form.bytes()));
    }

    /** Per case: XMM0 and XMM1 (low and high halves), RAX, and MXCSR under random RC, DAZ, FTZ and PE. */
    private static long[][] randomInputs(int n) {
        Random rnd = new Random(42);
        long[][] inputs = new long[n][6];
        for (long[] v : inputs) {
            v[0] = half(rnd);
            v[1] = half(rnd);
            v[2] = half(rnd);
            v[3] = half(rnd);
            v[4] = rnd.nextInt(4) == 0 ? rnd.nextInt(2001) - 1000 : rnd.nextLong();
            // PE already raised in half the cases: the state of almost every real program, and the quick path's
            v[5] = 0x1f80 | (long) rnd.nextInt(4) << 13 | (rnd.nextInt(4) == 0 ? 0x40 : 0)
                    | (rnd.nextInt(4) == 0 ? 0x8000 : 0) | (rnd.nextBoolean() ? 0x20 : 0);
        }
        return inputs;
    }

    @Test
    void registerFormsAgreeWithTheHost() throws Exception {
        List<Form> forms = forms();
        NativeHelper helper = NativeHelper.buildForms("sse", C_RECORDS,
                forms.stream().map(SseDifferentialTest::cBody).toList());
        int n = forms.size() * CASES;
        long[][] inputs = randomInputs(n);
        ByteBuffer in = ByteBuffer.allocate(n * 48).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            long[] v = inputs[i];
            in.putLong(v[0]).putLong(v[1]).putLong(v[2]).putLong(v[3]).putLong(v[4]).putInt((int) v[5])
              .putInt(i / CASES);
        }
        byte[] out = helper.run(in.array(), 56, n, i -> forms.get(i / CASES).name());
        ByteBuffer res = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);

        Core core = new Core();
        FormDifferences differences = new FormDifferences();
        for (int i = 0; i < n; i++) {
            Form form = forms.get(i / CASES);
            long wantLo = res.getLong();
            long wantHi = res.getLong();
            long wantRax = res.getLong();
            long wantFlags = res.getLong();
            long wantMxcsr = res.getInt() & 0xffffffffL;
            res.getInt();
            long wantMem0 = res.getLong();
            long wantMem1 = res.getLong();
            String diff = core.run(form, inputs[i], wantLo, wantHi, wantRax, wantFlags, wantMxcsr, wantMem0, wantMem1);
            if (diff != null) {
                long[] v = inputs[i];
                differences.add(form.name(), () -> String.format("%s a=%016x:%016x b=%016x:%016x rax=%x mxcsr=%x:%s",
                        form.name(), v[1], v[0], v[3], v[2], v[4], v[5], diff));
            }
        }
        differences.report(String.format("%d forms x %d cases, %d forms with differences%n", forms.size(), CASES,
                differences.forms()), "sse-differential.txt");
    }

    /** A 64-bit vcpu with identity-mapped low memory and SSE enabled, running one instruction at a time. */
    private static final class Core extends LongModeMachine {
        Core() {
            super(GuestFault.UD, GuestFault.GP, GuestFault.XM, GuestFault.NM);
        }

        String run(Form form, long[] v, long lo, long hi, long rax, long flags, long mxcsr, long mem0, long mem1) {
            s.reset();
            enterLongMode(0, ControlRegisters.CR4_OSFXSR | ControlRegisters.CR4_OSXMMEXCPT);
            s.fpu.xmm[0] = v[0];
            s.fpu.xmm[1] = v[1];
            s.fpu.xmm[2] = v[2];
            s.fpu.xmm[3] = v[3];
            s.gpr[0] = v[4];
            s.gpr[3] = BUFFER;
            ram.write64(BUFFER, v[2]);
            ram.write64(BUFFER + 8, v[3]);
            s.fpu.mxcsr = (int) v[5];
            CpuExit e = step(CODE, form.bytes());
            if (e.reason == ExitReason.EXCEPTION) {
                return " core raised #" + e.exceptionVector;
            }
            StringBuilder d = new StringBuilder();
            if (s.fpu.xmm[0] != lo || s.fpu.xmm[1] != hi) {
                d.append(String.format(" xmm0=%016x:%016x want %016x:%016x", s.fpu.xmm[1], s.fpu.xmm[0], hi, lo));
            }
            if (s.gpr[0] != rax) {
                d.append(String.format(" rax=%x want %x", s.gpr[0], rax));
            }
            if ((s.fpu.mxcsr & 0xffffffffL) != mxcsr) {
                d.append(String.format(" mxcsr=%x want %x", s.fpu.mxcsr, mxcsr));
            }
            if (form.memory() && (ram.read64(BUFFER) != mem0 || ram.read64(BUFFER + 8) != mem1)) {
                d.append(String.format(" mem=%016x:%016x want %016x:%016x", ram.read64(BUFFER + 8), ram.read64(BUFFER),
                        mem1, mem0));
            }
            if (form.flags() && ((s.rflags ^ flags) & Rflags.STATUS) != 0) {
                d.append(String.format(" flags=%x want %x", s.rflags & Rflags.STATUS, flags & Rflags.STATUS));
            }
            return d.isEmpty() ? null : d.toString();
        }
    }
}
