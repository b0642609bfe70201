package dev.restvisor.core.cpu.exec;

import dev.restvisor.core.cpu.fpu.X87Math;
import dev.restvisor.core.cpu.state.ControlRegisters;
import dev.restvisor.core.cpu.state.Rflags;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;

/**
 * The x87 against the host CPU. Every escape-opcode form (memory operands at [rbx], register forms on
 * ST(1) and others) runs natively in a C helper generated and built with gcc during the test, and in the
 * core in 64-bit mode, from the same state: FNINIT, a random control word (all four rounding controls, the
 * three precision controls, exceptions mostly masked and sometimes unmasked), zero to eight 80-bit values
 * loaded with FLD m80 (specials, denormals, pseudo-denormals, unnormals, huge and tiny exponents, integers
 * at the limits of the integer formats), random status flags for FCMOVcc, and a random memory operand of
 * the form's format. The host state is taken with FNSAVE (which does not wait, so an unmasked exception is
 * seen as ES without a trap) and compared with the core: the eight registers bit for bit (80 bits), FSW
 * (condition codes, TOP, exception flags, ES and B), the full tag word, FOP, the memory operand and the
 * status flags. The transcendental forms (FSIN, FCOS, FSINCOS, FPTAN, FPATAN, F2XM1, FYL2X, FYL2XP1) may
 * differ by {@link #ULPS} units in the last place of the 64-bit significand and then in C1 (round-up) and
 * nothing else; C1 of those forms (rounded up or not) is not compared. Skipped where the host is not x86-64 or gcc is missing; the report is
 * target/x87-differential.txt.
 */
class X87DifferentialTest {
    private static final int CASES = Integer.getInteger("x87.cases", 3000);
    private static final long CODE = 0x10000;
    private static final long BUFFER = 0x20000;
    /** The tolerance of the transcendental results, in units of the last place of the 64-bit significand. */
    static final int ULPS = 1;

    enum Mem { NONE, F32, F64, F80, I16, I32, I64, BCD }

    /** Which operands: depth of the stack and the domain of ST(0). */
    enum Domain { ANY, UNIT, SMALL, TRIG }

    record Form(String name, byte[] bytes, Mem mem, boolean transcendental, Domain domain) {
    }

    private static void reg(List<Form> f, String name, String bytes) {
        f.add(new Form(name, NativeHelper.hexBytes(bytes), Mem.NONE, false, Domain.ANY));
    }

    private static void mem(List<Form> f, String name, int esc, int reg, Mem mem) {
        f.add(new Form(name, new byte[] {(byte) esc, (byte) (reg << 3 | 3)}, mem, false, Domain.ANY));
    }

    private static void trans(List<Form> f, String name, String bytes, Domain domain) {
        f.add(new Form(name, NativeHelper.hexBytes(bytes), Mem.NONE, true, domain));
    }

    static List<Form> forms() {
        List<Form> f = new ArrayList<>();
        String[] arith = {"fadd", "fmul", "fcom", "fcomp", "fsub", "fsubr", "fdiv", "fdivr"};
        for (int r = 0; r < 8; r++) {
            mem(f, arith[r] + " m32", 0xd8, r, Mem.F32);
            mem(f, arith[r] + " m64", 0xdc, r, Mem.F64);
            mem(f, "fi" + arith[r].substring(1) + " m32", 0xda, r, Mem.I32);
            mem(f, "fi" + arith[r].substring(1) + " m16", 0xde, r, Mem.I16);
            reg(f, arith[r] + " st,st1", String.format("d8 %02x", 0xc1 | r << 3));
            if (r != 2 && r != 3) {
                reg(f, "dc /" + r + " st1,st", String.format("dc %02x", 0xc1 | r << 3));
                reg(f, "de /" + r + " st2,st pop", String.format("de %02x", 0xc2 | r << 3));
            }
        }
        reg(f, "fadd st,st0", "d8 c0");
        reg(f, "fmul st,st0", "d8 c8");
        reg(f, "fsub st3,st", "dc eb");
        reg(f, "fcompp", "de d9");
        reg(f, "fucompp", "da e9");
        reg(f, "fucom st1", "dd e1");
        reg(f, "fucomp st1", "dd e9");
        reg(f, "fcomi", "db f1");
        reg(f, "fucomi", "db e9");
        reg(f, "fcomip", "df f1");
        reg(f, "fucomip", "df e9");
        reg(f, "fcom alias dc d1", "dc d1");
        reg(f, "fcomp alias dc d9", "dc d9");
        reg(f, "fcomp alias de d1", "de d1");
        mem(f, "fld m32", 0xd9, 0, Mem.F32);
        mem(f, "fld m64", 0xdd, 0, Mem.F64);
        mem(f, "fld m80", 0xdb, 5, Mem.F80);
        mem(f, "fild m16", 0xdf, 0, Mem.I16);
        mem(f, "fild m32", 0xdb, 0, Mem.I32);
        mem(f, "fild m64", 0xdf, 5, Mem.I64);
        mem(f, "fbld", 0xdf, 4, Mem.BCD);
        reg(f, "fld st1", "d9 c1");
        reg(f, "fld st7", "d9 c7");
        mem(f, "fst m32", 0xd9, 2, Mem.F32);
        mem(f, "fstp m32", 0xd9, 3, Mem.F32);
        mem(f, "fst m64", 0xdd, 2, Mem.F64);
        mem(f, "fstp m64", 0xdd, 3, Mem.F64);
        mem(f, "fstp m80", 0xdb, 7, Mem.F80);
        mem(f, "fist m16", 0xdf, 2, Mem.I16);
        mem(f, "fistp m16", 0xdf, 3, Mem.I16);
        mem(f, "fist m32", 0xdb, 2, Mem.I32);
        mem(f, "fistp m32", 0xdb, 3, Mem.I32);
        mem(f, "fistp m64", 0xdf, 7, Mem.I64);
        mem(f, "fisttp m16", 0xdf, 1, Mem.I16);
        mem(f, "fisttp m32", 0xdb, 1, Mem.I32);
        mem(f, "fisttp m64", 0xdd, 1, Mem.I64);
        mem(f, "fbstp", 0xdf, 6, Mem.BCD);
        reg(f, "fst st1", "dd d1");
        reg(f, "fstp st1", "dd d9");
        reg(f, "fstp st0", "dd d8");
        reg(f, "fstp alias d9 d9", "d9 d9");
        reg(f, "fstp alias df d1", "df d1");
        reg(f, "fstp alias df d9", "df d9");
        reg(f, "fxch st1", "d9 c9");
        reg(f, "fxch st3", "d9 cb");
        reg(f, "fxch alias dd c9", "dd c9");
        reg(f, "fxch alias df c9", "df c9");
        String[] cmov = {"fcmovb", "fcmove", "fcmovbe", "fcmovu"};
        for (int c = 0; c < 4; c++) {
            reg(f, cmov[c], String.format("da %02x", 0xc1 | c << 3));
            reg(f, "fcmovn" + cmov[c].substring(5), String.format("db %02x", 0xc1 | c << 3));
        }
        reg(f, "ffree st1", "dd c1");
        reg(f, "ffreep st1", "df c1");
        reg(f, "fnop", "d9 d0");
        reg(f, "fchs", "d9 e0");
        reg(f, "fabs", "d9 e1");
        reg(f, "ftst", "d9 e4");
        reg(f, "fxam", "d9 e5");
        String[] constants = {"fld1", "fldl2t", "fldl2e", "fldpi", "fldlg2", "fldln2", "fldz"};
        for (int i = 0; i < constants.length; i++) {
            reg(f, constants[i], String.format("d9 %02x", 0xe8 + i));
        }
        reg(f, "fxtract", "d9 f4");
        reg(f, "fprem1", "d9 f5");
        reg(f, "fdecstp", "d9 f6");
        reg(f, "fincstp", "d9 f7");
        reg(f, "fprem", "d9 f8");
        reg(f, "fsqrt", "d9 fa");
        reg(f, "frndint", "d9 fc");
        reg(f, "fscale", "d9 fd");
        trans(f, "f2xm1", "d9 f0", Domain.UNIT);
        trans(f, "fyl2x", "d9 f1", Domain.ANY);
        trans(f, "fptan", "d9 f2", Domain.TRIG);
        trans(f, "fpatan", "d9 f3", Domain.ANY);
        trans(f, "fyl2xp1", "d9 f9", Domain.SMALL);
        trans(f, "fsincos", "d9 fb", Domain.TRIG);
        trans(f, "fsin", "d9 fe", Domain.TRIG);
        trans(f, "fcos", "d9 ff", Domain.TRIG);
        return f;
    }

    // ------------------------------------------------------------------------------------------ values

    /** An 80-bit value: [0] the significand, [1] sign and exponent. */
    static long[] value(Random r, Domain domain) {
        int k = r.nextInt(20);
        long[][] special = {{0, 0}, {0, 0x8000}, {X87Math.INTEGER_BIT, 0x7fff}, {X87Math.INTEGER_BIT, 0xffff},
            {0xc000000000000001L, 0x7fff}, {0x8000000000000001L, 0x7fff}, {0xc000000000000000L, 0xffff},
            {X87Math.INTEGER_BIT, 0x3fff}, {X87Math.INTEGER_BIT, 0xbfff}, {X87Math.INTEGER_BIT, 0x0001},
            {-1L, 0x7ffe}, {-1L, 0xfffe}, {0x8000000000000000L, 0x0000}, {0x0000000000000001L, 0x0000},
            {0x7fffffffffffffffL, 0x8000}, {X87Math.INTEGER_BIT, 0x4000}, {X87Math.INTEGER_BIT, 0x3ffe}};
        int sign = r.nextBoolean() ? 0x8000 : 0;
        long mant = r.nextLong() | X87Math.INTEGER_BIT;
        if (domain == Domain.UNIT || domain == Domain.SMALL || domain == Domain.TRIG) {
            if (k < 2) {
                // the specials inside every domain: zeros, NaNs, denormals, the smallest normal
                long[][] inside = {special[0], special[1], special[4], special[5], special[9], special[12],
                    special[13], special[14]};
                long[] s = inside[r.nextInt(inside.length)];
                return new long[] {s[0], s[1]};
            }
            int maxE = domain == Domain.UNIT ? 0x3fff : domain == Domain.SMALL ? 0x3ffc : 0x3fff + 70;
            int e = k < 4 ? 0x3fff - r.nextInt(200) : maxE - r.nextInt(domain == Domain.TRIG ? 90 : 30);
            if (domain == Domain.UNIT && e == 0x3fff) {
                mant = X87Math.INTEGER_BIT;
            }
            return new long[] {mant, sign | e};
        }
        return switch (k) {
            case 0, 1, 2 -> {
                long[] s = special[r.nextInt(special.length)];
                yield new long[] {s[0], s[1]};
            }
            case 3 -> new long[] {r.nextLong() & Long.MAX_VALUE, sign}; // denormal
            case 4 -> new long[] {mant, sign | (1 + r.nextInt(70))}; // tiny
            case 5 -> new long[] {mant, sign | (0x7ffe - r.nextInt(70))}; // huge
            case 6 -> {
                long v = r.nextInt(2001) - 1000;
                yield integer(v);
            }
            case 7 -> integer(limit(r));
            case 8 -> {
                double d = r.nextGaussian() * Math.pow(10, r.nextInt(40) - 20);
                yield fromDouble(d);
            }
            case 9 -> {
                float x = (float) (r.nextGaussian() * 100);
                yield fromDouble(x);
            }
            case 10 -> new long[] {mant & ~((1L << r.nextInt(64)) - 1) | X87Math.INTEGER_BIT, sign | (0x3fff + r.nextInt(64))};
            case 11 -> new long[] {mant, sign | (1 + r.nextInt(0x7ffe))};
            case 12 -> r.nextInt(8) == 0 ? new long[] {r.nextLong() & Long.MAX_VALUE, sign | (1 + r.nextInt(0x7ffe))}
                    : new long[] {mant, sign | (0x3fff - 64 + r.nextInt(128))};
            default -> new long[] {mant, sign | (0x3fff - 64 + r.nextInt(128))};
        };
    }

    private static long limit(Random r) {
        long[] l = {Short.MAX_VALUE, Short.MIN_VALUE, Integer.MAX_VALUE, Integer.MIN_VALUE, Long.MAX_VALUE,
            Long.MIN_VALUE, 999_999_999_999_999_999L, -999_999_999_999_999_999L, 1_000_000_000_000_000_000L};
        return l[r.nextInt(l.length)] + (r.nextInt(3) - 1);
    }

    private static long[] integer(long v) {
        if (v == 0) {
            return new long[] {0, 0};
        }
        int sign = v < 0 ? 0x8000 : 0;
        long mag = v < 0 ? -v : v;
        int z = Long.numberOfLeadingZeros(mag);
        return new long[] {mag << z, sign | (0x3fff + 63 - z)};
    }

    private static long[] fromDouble(double d) {
        long bits = Double.doubleToRawLongBits(d);
        int sign = bits < 0 ? 0x8000 : 0;
        int e = (int) (bits >>> 52) & 0x7ff;
        if (e == 0) {
            return new long[] {0, sign};
        }
        return new long[] {X87Math.INTEGER_BIT | (bits & 0xfffffffffffffL) << 11, sign | (e - 1023 + 0x3fff)};
    }

    /** A derived second operand near the first, to exercise cancellation and equal comparisons. */
    private static long[] near(Random r, long[] a) {
        int kind = r.nextInt(4);
        long m = a[0];
        int se = (int) a[1];
        return switch (kind) {
            case 0 -> new long[] {m, se};
            case 1 -> new long[] {m ^ (1L << r.nextInt(8)), se};
            case 2 -> new long[] {m, se ^ 0x8000};
            default -> new long[] {m, (se & 0x8000) | Math.max(1, Math.min(0x7ffe, (se & 0x7fff) + r.nextInt(130) - 65))};
        };
    }

    private static byte[] memory(Random r, Mem mem) {
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(r.nextLong()).putLong(r.nextLong());
        b.clear();
        int k = r.nextInt(6);
        switch (mem) {
            case F32 -> {
                int[] special = {0, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 0x7fa00000, 0xffc00001, 1,
                    0x807fffff, 0x3f800000, 0x7f7fffff, 0x00800000};
                b.putInt(k == 0 ? special[r.nextInt(special.length)]
                        : k == 1 ? Float.floatToRawIntBits((float) (r.nextInt(2001) - 1000)) : r.nextInt());
            }
            case F64 -> {
                long[] special = {0, Long.MIN_VALUE, 0x7ff0000000000000L, 0xfff0000000000000L, 0x7ff8000000000000L,
                    0x7ff4000000000000L, 1, 0x3ff0000000000000L, 0x7fefffffffffffffL, 0x0010000000000000L};
                b.putLong(k == 0 ? special[r.nextInt(special.length)]
                        : k == 1 ? Double.doubleToRawLongBits(r.nextInt(2001) - 1000)
                        : k == 2 ? Double.doubleToRawLongBits(r.nextGaussian()) : r.nextLong());
            }
            case F80 -> {
                long[] v = value(r, Domain.ANY);
                b.putLong(v[0]).putShort((short) v[1]);
            }
            case I16 -> b.putShort((short) (k == 0 ? limit(r) : k == 1 ? r.nextInt(200) - 100 : r.nextInt()));
            case I32 -> b.putInt((int) (k == 0 ? limit(r) : k == 1 ? r.nextInt(200) - 100 : r.nextInt()));
            case I64 -> b.putLong(k == 0 ? limit(r) : k == 1 ? r.nextInt(200) - 100 : r.nextLong());
            case BCD -> {
                for (int i = 0; i < 9; i++) {
                    int d = r.nextInt(k == 0 ? 2 : 100);
                    b.put((byte) ((d / 10) << 4 | d % 10));
                }
                b.put((byte) (r.nextBoolean() ? 0x80 : 0));
            }
            default -> { }
        }
        return b.array();
    }

    // ------------------------------------------------------------------------------------------ host

    /** The helper's In record (the stack as 16-byte slots, the memory operand, FCW, form, depth, RFLAGS) and Out. */
    private static final String C_RECORDS = """
            #include <stdint.h>
            #include <stdio.h>
            #include <string.h>
            typedef struct { uint8_t st[8][16]; uint8_t mem[16]; uint32_t fcw, form, depth, rflags; } In;
            typedef struct { uint8_t save[108]; uint32_t pad; uint8_t mem[16]; uint64_t flags; } Out;
            """;

    /** The C body of a form: FNINIT, FLDCW, the stack loaded with FLD m80, RFLAGS, the instruction, FNSAVE. */
    private static String cBody(Form form) {
        return """
                  static uint8_t m[16] __attribute__((aligned(16)));
                  memcpy(m, in->mem, 16);
                  uint16_t cw = in->fcw; uint64_t depth = in->depth, rf = in->rflags, fl;
                  __asm__ volatile("fninit\\n fldcw %[cw]\\n mov %[depth], %%rcx\\n\
                 1: test %%rcx, %%rcx\\n jz 2f\\n mov %%rcx, %%rax\\n dec %%rax\\n shl $4, %%rax\\n\
                 fldt (%[st],%%rax)\\n dec %%rcx\\n jmp 1b\\n 2: push %[rf]\\n popfq\\n\
                 .byte @BYTES@\\n pushfq\\n pop %[fl]\\n fnsave %[save]"\
                 : [fl] "=&r"(fl), [save] "=m"(o->save), "+m"(m)\
                 : [cw] "m"(cw), [depth] "r"(depth), [st] "r"(in->st), [rf] "r"(rf), "b"(m)\
                 : "rax", "rcx", "memory", "cc");
                  memcpy(o->mem, m, 16); o->flags = fl;
                """.replace("@BYTES@", NativeHelper.byteDirective(form.bytes()));
    }

    static final int IN_SIZE = 160;
    static final int OUT_SIZE = 136;

    /** One case: the stack values, memory, control word, depth and RFLAGS. */
    record Case(int form, long[][] st, byte[] mem, int fcw, int depth, long rflags) {
    }

    private static Case randomCase(Random r, int formIndex, Form form) {
        long[][] st = new long[8][];
        for (int i = 0; i < 8; i++) {
            st[i] = value(r, i == 0 ? form.domain() : Domain.ANY);
        }
        if (r.nextInt(4) == 0) {
            st[1] = near(r, st[0]);
        }
        int d = r.nextInt(10);
        int depth = d < 7 ? 2 + r.nextInt(3) : d == 7 ? 0 : d == 8 ? 1 : 8;
        int pc = new int[] {0, 2, 3, 3}[r.nextInt(4)];
        int masks = r.nextInt(4) == 0 ? r.nextInt(64) : 0x3f;
        int fcw = masks | 0x40 | pc << 8 | r.nextInt(4) << 10;
        long rflags = 0x202 | (r.nextBoolean() ? Rflags.CF : 0) | (r.nextBoolean() ? Rflags.ZF : 0)
                | (r.nextBoolean() ? Rflags.PF : 0) | (r.nextBoolean() ? Rflags.SF : 0) | (r.nextBoolean() ? Rflags.OF : 0);
        return new Case(formIndex, st, memory(r, form.mem()), fcw, depth, rflags);
    }

    @Test
    void everyFormAgreesWithTheHost() throws Exception {
        List<Form> forms = forms();
        NativeHelper helper = NativeHelper.buildForms("x87", C_RECORDS,
                forms.stream().map(X87DifferentialTest::cBody).toList());

        Random rnd = new Random(87);
        int n = forms.size() * CASES;
        Case[] cases = new Case[n];
        ByteBuffer in = ByteBuffer.allocate(n * IN_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            Case c = randomCase(rnd, i / CASES, forms.get(i / CASES));
            cases[i] = c;
            for (long[] v : c.st()) {
                in.putLong(v[0]).putShort((short) v[1]).putShort((short) 0).putInt(0);
            }
            in.put(c.mem()).putInt(c.fcw()).putInt(c.form()).putInt(c.depth()).putInt((int) c.rflags());
        }
        byte[] out = helper.run(in.array(), OUT_SIZE, n,
                i -> forms.get(i / CASES).name() + " " + describe(cases[i]));
        ByteBuffer res = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);

        Core core = new Core();
        FormDifferences differences = new FormDifferences();
        TreeMap<String, Integer> ulpCounts = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            Form form = forms.get(i / CASES);
            byte[] want = new byte[OUT_SIZE];
            res.get(want);
            String diff = core.run(form, cases[i], ByteBuffer.wrap(want).order(ByteOrder.LITTLE_ENDIAN), ulpCounts);
            if (diff != null) {
                Case c = cases[i];
                differences.add(form.name(), () -> form.name() + " " + describe(c) + ":" + diff);
            }
        }
        String header = String.format("%d forms x %d cases = %d, %d forms with differences%n", forms.size(), CASES, n,
                differences.forms());
        differences.report(header + "transcendental results off by k ulps: " + ulpCounts + '\n', "x87-differential.txt");
    }

    private static String describe(Case c) {
        StringBuilder sb = new StringBuilder(String.format("fcw=%04x depth=%d fl=%x", c.fcw(), c.depth(), c.rflags()));
        for (int i = 0; i < Math.min(Math.max(c.depth(), 2), 8); i++) {
            sb.append(String.format(" st%d=%04x:%016x", i, c.st()[i][1] & 0xffff, c.st()[i][0]));
        }
        sb.append(" mem=");
        for (int i = 9; i >= 0; i--) {
            sb.append(String.format("%02x", c.mem()[i] & 0xff));
        }
        return sb.toString();
    }

    /** Units in the last place between two finite values of the same sign, or -1. */
    static long ulps(int se1, long m1, int se2, long m2) {
        if (((se1 ^ se2) & 0x8000) != 0 || (se1 & 0x7fff) == 0x7fff || (se2 & 0x7fff) == 0x7fff) {
            return -1;
        }
        // a linear index of the magnitude: exponent * 2^63 + fraction (denormals: exponent 0, the significand)
        java.math.BigInteger x = java.math.BigInteger.valueOf(se1 & 0x7fff).shiftLeft(63)
                .add(java.math.BigInteger.valueOf(m1 & Long.MAX_VALUE));
        java.math.BigInteger y = java.math.BigInteger.valueOf(se2 & 0x7fff).shiftLeft(63)
                .add(java.math.BigInteger.valueOf(m2 & Long.MAX_VALUE));
        return x.subtract(y).abs().min(java.math.BigInteger.valueOf(Long.MAX_VALUE)).longValue();
    }

    /** A 64-bit vcpu with identity-mapped low memory, running one x87 instruction from a prepared state. */
    static final class Core extends LongModeMachine {
        Core() {
            super(GuestFault.UD, GuestFault.GP, GuestFault.MF, GuestFault.NM);
        }

        String run(Form form, Case c, ByteBuffer want, TreeMap<String, Integer> ulpCounts) {
            s.reset();
            enterLongMode(ControlRegisters.CR0_NE, ControlRegisters.CR4_OSFXSR);
            s.rflags = c.rflags();
            s.gpr[3] = BUFFER;
            memory.write(BUFFER, c.mem(), 0, 16);
            var f = s.fpu;
            f.initX87();
            f.fcw = c.fcw() & 0x1f7f | 0x40;
            int top = (8 - c.depth()) & 7;
            f.fsw = top << 11;
            int tw = 0xffff;
            for (int i = 0; i < c.depth(); i++) {
                int p = (top + i) & 7;
                f.stMantissa[p] = c.st()[i][0];
                f.stExponent[p] = (int) c.st()[i][1] & 0xffff;
                tw = (tw & ~(3 << 2 * p)) | X87Math.tag(f.stExponent[p], f.stMantissa[p]) << 2 * p;
            }
            f.ftw = tw;
            // the registers below the loaded ones keep what the host's earlier FLDs left there: compare only
            // registers the instruction can see
            CpuExit e = step(CODE, form.bytes());
            if (e.reason == ExitReason.EXCEPTION) {
                return " core raised #" + e.exceptionVector;
            }
            int wFsw = want.getShort(4) & 0xffff;
            int wFtw = want.getShort(8) & 0xffff;
            int wFop = want.getInt(16) >>> 16 & 0x7ff;
            StringBuilder d = new StringBuilder();
            int fswMask = 0xffff;
            boolean approx = false;
            int wTop = wFsw >>> 11 & 7;
            for (int i = 0; i < 8; i++) {
                long wm = want.getLong(28 + 10 * i);
                int wse = want.getShort(36 + 10 * i) & 0xffff;
                int p = (wTop + i) & 7;
                if ((wFtw >>> 2 * p & 3) == 3) {
                    continue;
                }
                int p2 = ((f.fsw >>> 11) + i) & 7;
                long m = f.stMantissa[p2];
                int se = f.stExponent[p2];
                if (m != wm || se != wse) {
                    long u = form.transcendental() ? ulps(se, m, wse, wm) : -1;
                    if (u >= 0 && u <= ULPS) {
                        approx = true;
                        ulpCounts.merge(form.name() + " " + u, 1, Integer::sum);
                        continue;
                    }
                    d.append(String.format(" st%d=%04x:%016x want %04x:%016x", i, se, m, wse, wm));
                }
            }
            if (form.transcendental()) {
                // C1 tells whether the hardware rounded its own approximation up: not comparable
                fswMask &= ~0x200;
            }
            if (form.name().equals("fxam") && c.depth() == 0) {
                // FXAM of an empty register reports the sign of whatever the register last held
                fswMask &= ~0x200;
            }
            if (((f.fsw ^ wFsw) & fswMask) != 0) {
                d.append(String.format(" fsw=%04x want %04x", f.fsw, wFsw));
            }
            if (f.ftw != wFtw) {
                d.append(String.format(" ftw=%04x want %04x", f.ftw, wFtw));
            }
            // a context switch on the host between the instruction and FNSAVE can leave FOP zero (XRSTOR)
            if (f.fop != wFop && wFop != 0) {
                d.append(String.format(" fop=%03x want %03x", f.fop, wFop));
            }
            if (form.mem() != Mem.NONE) {
                byte[] got = new byte[16];
                memory.read(BUFFER, got, 0, 16);
                for (int k = 0; k < 16; k++) {
                    if (got[k] != want.get(112 + k)) {
                        d.append(String.format(" mem=%016x:%016x want %016x:%016x", ram.read64(BUFFER + 8),
                                ram.read64(BUFFER), want.getLong(120), want.getLong(112)));
                        break;
                    }
                }
            }
            long wFlags = want.getLong(128);
            if (((s.rflags ^ wFlags) & Rflags.STATUS) != 0) {
                d.append(String.format(" flags=%x want %x", s.rflags & Rflags.STATUS, wFlags & Rflags.STATUS));
            }
            return d.isEmpty() ? null : d.toString();
        }
    }
}
