package dev.restvisor.core.cpu.exec;

import dev.restvisor.core.cpu.decode.DecodedInstruction;
import dev.restvisor.core.cpu.decode.Op;
import dev.restvisor.core.cpu.fpu.SseMath;
import dev.restvisor.core.cpu.state.ControlRegisters;
import dev.restvisor.core.cpu.state.CpuState;
import dev.restvisor.core.cpu.state.FpuState;
import dev.restvisor.core.cpu.state.Rflags;
import dev.restvisor.core.cpu.state.SegmentRegister;

/**
 * The SSE and SSE2 instructions of {@code Family.SSE} (SDM Vol. 2 by mnemonic; Vol. 1 chapters 10 and 11).
 * Operands come straight from the ModRM fields: the XMM register in ModRM.reg, the XMM register or memory
 * operand in ModRM.rm. A 128-bit value is handled as two longs, lo (bits 63:0) and hi (bits 127:64).
 * Floating-point results are computed first and written only if no unmasked MXCSR exception was raised
 * (then #XM, or #UD when CR4.OSXMMEXCPT is clear, SDM Vol. 1 11.5.3).
 */
public final class SseExecutor {
    private SseExecutor() {
    }

    // ------------------------------------------------------------------ operand access

    private static long linear(Interpreter x, DecodedInstruction d) {
        CpuState s = x.state;
        if (s.mode64() && d.memorySegment < SegmentRegister.FS) {
            return x.ea;
        }
        return s.seg[d.memorySegment].base() + x.ea;
    }

    private static long next8(Interpreter x, DecodedInstruction d) {
        return (x.ea + 8) & Interpreter.mask(d.addrSize);
    }

    /** The 128-bit source (xmm rm or memory) into {@code out}; legacy SSE memory operands must be 16-byte aligned. */
    private static void source(Interpreter x, DecodedInstruction d, long[] out, boolean aligned) {
        if (d.mod == 3) {
            FpuState f = x.state.fpu;
            out[0] = f.xmm[2 * d.modrmRm];
            out[1] = f.xmm[2 * d.modrmRm + 1];
            return;
        }
        if (aligned) {
            checkAligned(x, d);
        }
        out[0] = x.read(d.memorySegment, x.ea, 8);
        out[1] = x.read(d.memorySegment, next8(x, d), 8);
    }

    /** A scalar source of {@code size} bytes (4 or 8), zero-extended. */
    private static long scalarSource(Interpreter x, DecodedInstruction d, int size) {
        if (d.mod == 3) {
            long v = x.state.fpu.xmm[2 * d.modrmRm];
            return size == 8 ? v : v & 0xffffffffL;
        }
        return x.read(d.memorySegment, x.ea, size);
    }

    /** A legacy SSE memory operand of 16 bytes at {@code x.ea} must be 16-byte aligned (SDM Vol. 1 11.6.6): #GP(0). */
    static void checkAligned(Interpreter x, DecodedInstruction d) {
        if ((linear(x, d) & 15) != 0) {
            throw GuestFault.gp(0);
        }
    }

    /** Stores 128 bits to the xmm rm operand or to memory at {@code x.ea}. */
    static void store128(Interpreter x, DecodedInstruction d, long lo, long hi, boolean aligned) {
        if (d.mod == 3) {
            FpuState f = x.state.fpu;
            f.xmm[2 * d.modrmRm] = lo;
            f.xmm[2 * d.modrmRm + 1] = hi;
            return;
        }
        if (aligned) {
            checkAligned(x, d);
        }
        long second = next8(x, d);
        if ((linear(x, d) & 0xfff) > 0xff0) {
            // across a page boundary the high half is checked first, so that a fault on the second page leaves
            // memory untouched (within one page both halves share a translation)
            x.write(d.memorySegment, second, 8, x.read(d.memorySegment, second, 8));
        }
        x.write(d.memorySegment, x.ea, 8, lo);
        x.write(d.memorySegment, second, 8, hi);
    }

    /** Merges this instruction's MXCSR flags; an unmasked one faults before anything is written. */
    private static void commitFlags(Interpreter x) {
        SseMath m = x.sse;
        FpuState f = x.state.fpu;
        if (m.unmasked() != 0) {
            f.mxcsr |= m.flags;
            throw (x.state.cr4 & ControlRegisters.CR4_OSXMMEXCPT) != 0 ? new GuestFault(GuestFault.XM, -1)
                    : GuestFault.ud();
        }
        f.mxcsr |= m.flags;
    }

    // ------------------------------------------------------------------ lanes

    private static long lane(long lo, long hi, int i, int bits) {
        int perHalf = 64 / bits;
        long word = i < perHalf ? lo : hi;
        long v = word >>> ((i % perHalf) * bits);
        return bits == 64 ? v : v & ((1L << bits) - 1);
    }

    /** Sets lane {@code i} of {@code r} (r[0] = lo, r[1] = hi). */
    private static void setLane(long[] r, int i, int bits, long v) {
        int perHalf = 64 / bits;
        int h = i < perHalf ? 0 : 1;
        if (bits == 64) {
            r[h] = v;
            return;
        }
        int shift = (i % perHalf) * bits;
        long m = ((1L << bits) - 1) << shift;
        r[h] = (r[h] & ~m) | ((v << shift) & m);
    }

    private static long signExtend(long v, int bits) {
        return bits == 64 ? v : (v << (64 - bits)) >> (64 - bits);
    }

    private static long saturateSigned(long v, int bits) {
        long max = (1L << (bits - 1)) - 1;
        long min = -(1L << (bits - 1));
        return Math.max(min, Math.min(max, v));
    }

    private static long saturateUnsigned(long v, int bits) {
        long max = (1L << bits) - 1;
        return Math.max(0, Math.min(max, v));
    }

    // ------------------------------------------------------------------ dispatch

    public static void execute(Interpreter x, DecodedInstruction d) {
        CpuState s = x.state;
        X87Executor.checkSse(s);
        FpuState f = s.fpu;
        long[] xmm = f.xmm;
        int v = 2 * d.modrmReg;
        SseMath sm = x.sse;
        long[] b = sm.source;
        long[] r = sm.result;
        int op = d.opcode & 0xff;
        switch (d.op) {
            // ---- moves
            case MOVUPS, MOVUPD, MOVDQU, MOVAPS, MOVAPD, MOVDQA -> {
                boolean aligned = d.op == Op.MOVAPS || d.op == Op.MOVAPD || d.op == Op.MOVDQA;
                if (op == 0x10 || op == 0x28 || op == 0x6f) {
                    source(x, d, b, aligned);
                    xmm[v] = b[0];
                    xmm[v + 1] = b[1];
                } else {
                    store128(x, d, xmm[v], xmm[v + 1], aligned);
                }
            }
            case MOVNTPS, MOVNTPD, MOVNTDQ -> store128(x, d, xmm[v], xmm[v + 1], true);
            case MOVSS, MOVSD -> {
                int size = d.op == Op.MOVSS ? 4 : 8;
                long m = size == 8 ? -1L : 0xffffffffL;
                if (op == 0x10) {
                    if (d.mod == 3) {
                        xmm[v] = (xmm[v] & ~m) | (xmm[2 * d.modrmRm] & m);
                    } else {
                        xmm[v] = x.read(d.memorySegment, x.ea, size);
                        xmm[v + 1] = 0;
                    }
                } else if (d.mod == 3) {
                    int t = 2 * d.modrmRm;
                    xmm[t] = (xmm[t] & ~m) | (xmm[v] & m);
                } else {
                    x.write(d.memorySegment, x.ea, size, xmm[v] & m);
                }
            }
            case MOVLPS, MOVLPD -> {
                if (op == 0x12) {
                    xmm[v] = x.read(d.memorySegment, x.ea, 8);
                } else {
                    x.write(d.memorySegment, x.ea, 8, xmm[v]);
                }
            }
            case MOVHPS, MOVHPD -> {
                if (op == 0x16) {
                    xmm[v + 1] = x.read(d.memorySegment, x.ea, 8);
                } else {
                    x.write(d.memorySegment, x.ea, 8, xmm[v + 1]);
                }
            }
            case MOVHLPS -> xmm[v] = xmm[2 * d.modrmRm + 1];
            case MOVLHPS -> xmm[v + 1] = xmm[2 * d.modrmRm];
            case MOVD -> {
                int size = d.rexW() ? 8 : 4;
                if (op == 0x6e) {
                    long val = d.mod == 3 ? x.reg(d.modrmRm, size) : x.read(d.memorySegment, x.ea, size);
                    xmm[v] = val;
                    xmm[v + 1] = 0;
                } else if (d.mod == 3) {
                    x.setReg(d.modrmRm, size, size == 8 ? xmm[v] : xmm[v] & 0xffffffffL);
                } else {
                    x.write(d.memorySegment, x.ea, size, xmm[v]);
                }
            }
            case MOVQ -> {
                if (op == 0x7e) {
                    xmm[v] = scalarSource(x, d, 8);
                    xmm[v + 1] = 0;
                } else if (d.mod == 3) {
                    xmm[2 * d.modrmRm] = xmm[v];
                    xmm[2 * d.modrmRm + 1] = 0;
                } else {
                    x.write(d.memorySegment, x.ea, 8, xmm[v]);
                }
            }
            case MOVNTI -> {
                int size = d.rexW() ? 8 : 4;
                x.write(d.memorySegment, x.ea, size, x.reg(d.modrmReg, size));
            }
            case MOVMSKPS, MOVMSKPD, PMOVMSKB -> {
                int bits = d.op == Op.MOVMSKPS ? 32 : d.op == Op.MOVMSKPD ? 64 : 8;
                int rm = 2 * d.modrmRm;
                long mask = 0;
                for (int i = 0; i < 128 / bits; i++) {
                    mask |= (lane(xmm[rm], xmm[rm + 1], i, bits) >>> (bits - 1) & 1) << i;
                }
                x.setReg(d.modrmReg, 4, mask);
            }
            case MASKMOVDQU -> {
                int rm = 2 * d.modrmRm;
                int seg = d.segmentOverride >= 0 ? d.segmentOverride : SegmentRegister.DS;
                long base = x.reg(7, d.addrSize);
                for (int i = 0; i < 16; i++) {
                    if ((lane(xmm[rm], xmm[rm + 1], i, 8) & 0x80) != 0) {
                        x.write(seg, (base + i) & Interpreter.mask(d.addrSize), 1, lane(xmm[v], xmm[v + 1], i, 8));
                    }
                }
            }

            // ---- bitwise
            case ANDPS, ANDPD, PAND, ANDNPS, ANDNPD, PANDN, ORPS, ORPD, POR, XORPS, XORPD, PXOR -> {
                source(x, d, b, true);
                long a0 = xmm[v];
                long a1 = xmm[v + 1];
                switch (d.op) {
                    case ANDPS, ANDPD, PAND -> { a0 &= b[0]; a1 &= b[1]; }
                    case ANDNPS, ANDNPD, PANDN -> { a0 = ~a0 & b[0]; a1 = ~a1 & b[1]; }
                    case ORPS, ORPD, POR -> { a0 |= b[0]; a1 |= b[1]; }
                    default -> { a0 ^= b[0]; a1 ^= b[1]; }
                }
                xmm[v] = a0;
                xmm[v + 1] = a1;
            }

            // ---- floating-point arithmetic
            case ADDPS, SUBPS, MULPS, DIVPS, MINPS, MAXPS, SQRTPS -> packedArith(x, d, fpOp(d.op), true);
            case ADDPD, SUBPD, MULPD, DIVPD, MINPD, MAXPD, SQRTPD -> packedArith(x, d, fpOp(d.op), false);
            case ADDSS, SUBSS, MULSS, DIVSS, MINSS, MAXSS, SQRTSS -> scalarArith(x, d, fpOp(d.op), true);
            case ADDSD, SUBSD, MULSD, DIVSD, MINSD, MAXSD, SQRTSD -> scalarArith(x, d, fpOp(d.op), false);
            case RCPPS, RSQRTPS -> {
                source(x, d, b, true);
                r[0] = b[0];
                r[1] = b[1];
                for (int i = 0; i < 4; i++) {
                    setLane(r, i, 32, approximate(lane(b[0], b[1], i, 32), d.op == Op.RSQRTPS));
                }
                xmm[v] = r[0];
                xmm[v + 1] = r[1];
            }
            case RCPSS, RSQRTSS -> {
                long a = approximate(scalarSource(x, d, 4), d.op == Op.RSQRTSS);
                xmm[v] = (xmm[v] & ~0xffffffffL) | a;
            }

            // ---- comparisons
            case CMPPS, CMPPD -> {
                boolean single = d.op == Op.CMPPS;
                int bits = single ? 32 : 64;
                source(x, d, b, true);
                sm.begin(f.mxcsr);
                r[0] = 0;
                r[1] = 0;
                for (int i = 0; i < 128 / bits; i++) {
                    boolean t = sm.predicate((int) d.imm, lane(xmm[v], xmm[v + 1], i, bits), lane(b[0], b[1], i, bits),
                            single);
                    setLane(r, i, bits, t ? -1L : 0);
                }
                commitFlags(x);
                xmm[v] = r[0];
                xmm[v + 1] = r[1];
            }
            case CMPSS, CMPSD -> {
                boolean single = d.op == Op.CMPSS;
                long m = single ? 0xffffffffL : -1L;
                long src = scalarSource(x, d, single ? 4 : 8);
                sm.begin(f.mxcsr);
                boolean t = sm.predicate((int) d.imm, xmm[v] & m, src, single);
                commitFlags(x);
                xmm[v] = (xmm[v] & ~m) | (t ? m : 0);
            }
            case COMISS, COMISD, UCOMISS, UCOMISD -> {
                boolean single = d.op == Op.COMISS || d.op == Op.UCOMISS;
                boolean signaling = d.op == Op.COMISS || d.op == Op.COMISD;
                compare(x, single ? xmm[v] & 0xffffffffL : xmm[v], scalarSource(x, d, single ? 4 : 8), single,
                        signaling);
            }

            // ---- conversions
            case CVTSI2SS, CVTSI2SD -> {
                int size = d.rexW() ? 8 : 4;
                long val = d.mod == 3 ? x.reg(d.modrmRm, size) : x.read(d.memorySegment, x.ea, size);
                boolean single = d.op == Op.CVTSI2SS;
                sm.begin(f.mxcsr);
                long res = sm.fromInteger(signExtend(val, size * 8), single);
                commitFlags(x);
                xmm[v] = single ? (xmm[v] & ~0xffffffffL) | res : res;
            }
            case CVTSS2SI, CVTTSS2SI, CVTSD2SI, CVTTSD2SI -> {
                boolean single = d.op == Op.CVTSS2SI || d.op == Op.CVTTSS2SI;
                boolean truncate = d.op == Op.CVTTSS2SI || d.op == Op.CVTTSD2SI;
                int size = d.rexW() ? 8 : 4;
                long src = scalarSource(x, d, single ? 4 : 8);
                sm.begin(f.mxcsr);
                long res = sm.toInteger(src, single, truncate, size);
                commitFlags(x);
                x.setReg(d.modrmReg, size, res);
            }
            case CVTSS2SD, CVTSD2SS -> {
                boolean fromSingle = d.op == Op.CVTSS2SD;
                long src = scalarSource(x, d, fromSingle ? 4 : 8);
                sm.begin(f.mxcsr);
                long res = sm.convert(src, fromSingle);
                commitFlags(x);
                xmm[v] = fromSingle ? res : (xmm[v] & ~0xffffffffL) | res;
            }
            case CVTPS2PD -> {
                long src = scalarSource(x, d, 8);
                sm.begin(f.mxcsr);
                long lo = sm.convert(src & 0xffffffffL, true);
                long hi = sm.convert(src >>> 32, true);
                commitFlags(x);
                xmm[v] = lo;
                xmm[v + 1] = hi;
            }
            case CVTPD2PS -> {
                source(x, d, b, true);
                sm.begin(f.mxcsr);
                long lo = sm.convert(b[0], false);
                long hi = sm.convert(b[1], false);
                commitFlags(x);
                xmm[v] = lo | (hi << 32);
                xmm[v + 1] = 0;
            }
            case CVTDQ2PS -> {
                source(x, d, b, true);
                sm.begin(f.mxcsr);
                for (int i = 0; i < 4; i++) {
                    setLane(r, i, 32, sm.fromInteger(signExtend(lane(b[0], b[1], i, 32), 32), true));
                }
                commitFlags(x);
                xmm[v] = r[0];
                xmm[v + 1] = r[1];
            }
            case CVTPS2DQ, CVTTPS2DQ -> {
                source(x, d, b, true);
                sm.begin(f.mxcsr);
                for (int i = 0; i < 4; i++) {
                    setLane(r, i, 32, sm.toInteger(lane(b[0], b[1], i, 32), true, d.op == Op.CVTTPS2DQ, 4));
                }
                commitFlags(x);
                xmm[v] = r[0];
                xmm[v + 1] = r[1];
            }
            case CVTDQ2PD -> {
                long src = scalarSource(x, d, 8);
                sm.begin(f.mxcsr);
                long lo = sm.fromInteger((int) src, false);
                long hi = sm.fromInteger((int) (src >>> 32), false);
                commitFlags(x);
                xmm[v] = lo;
                xmm[v + 1] = hi;
            }
            case CVTPD2DQ, CVTTPD2DQ -> {
                source(x, d, b, true);
                boolean t = d.op == Op.CVTTPD2DQ;
                sm.begin(f.mxcsr);
                long lo = sm.toInteger(b[0], false, t, 4);
                long hi = sm.toInteger(b[1], false, t, 4);
                commitFlags(x);
                xmm[v] = lo | (hi << 32);
                xmm[v + 1] = 0;
            }

            // ---- shuffles and unpacks
            case UNPCKLPS, UNPCKHPS, UNPCKLPD, UNPCKHPD, PUNPCKLBW, PUNPCKLWD, PUNPCKLDQ, PUNPCKLQDQ, PUNPCKHBW,
                 PUNPCKHWD, PUNPCKHDQ, PUNPCKHQDQ -> {
                source(x, d, b, true);
                int bits = switch (d.op) {
                    case PUNPCKLBW, PUNPCKHBW -> 8;
                    case PUNPCKLWD, PUNPCKHWD -> 16;
                    case UNPCKLPS, UNPCKHPS, PUNPCKLDQ, PUNPCKHDQ -> 32;
                    default -> 64;
                };
                boolean high = switch (d.op) {
                    case UNPCKHPS, UNPCKHPD, PUNPCKHBW, PUNPCKHWD, PUNPCKHDQ, PUNPCKHQDQ -> true;
                    default -> false;
                };
                int n = 128 / bits;
                int from = high ? n / 2 : 0;
                long a0 = xmm[v];
                long a1 = xmm[v + 1];
                for (int i = 0; i < n / 2; i++) {
                    setLane(r, 2 * i, bits, lane(a0, a1, from + i, bits));
                    setLane(r, 2 * i + 1, bits, lane(b[0], b[1], from + i, bits));
                }
                xmm[v] = r[0];
                xmm[v + 1] = r[1];
            }
            case SHUFPS -> {
                source(x, d, b, true);
                int imm = (int) d.imm;
                long a0 = xmm[v];
                long a1 = xmm[v + 1];
                setLane(r, 0, 32, lane(a0, a1, imm & 3, 32));
                setLane(r, 1, 32, lane(a0, a1, (imm >>> 2) & 3, 32));
                setLane(r, 2, 32, lane(b[0], b[1], (imm >>> 4) & 3, 32));
                setLane(r, 3, 32, lane(b[0], b[1], (imm >>> 6) & 3, 32));
                xmm[v] = r[0];
                xmm[v + 1] = r[1];
            }
            case SHUFPD -> {
                source(x, d, b, true);
                int imm = (int) d.imm;
                long lo = (imm & 1) == 0 ? xmm[v] : xmm[v + 1];
                long hi = (imm & 2) == 0 ? b[0] : b[1];
                xmm[v] = lo;
                xmm[v + 1] = hi;
            }
            case PSHUFD -> {
                source(x, d, b, true);
                int imm = (int) d.imm;
                for (int i = 0; i < 4; i++) {
                    setLane(r, i, 32, lane(b[0], b[1], (imm >>> (2 * i)) & 3, 32));
                }
                xmm[v] = r[0];
                xmm[v + 1] = r[1];
            }
            case PSHUFLW, PSHUFHW -> {
                source(x, d, b, true);
                int imm = (int) d.imm;
                boolean high = d.op == Op.PSHUFHW;
                long word = high ? b[1] : b[0];
                long out = 0;
                for (int i = 0; i < 4; i++) {
                    out |= ((word >>> (16 * ((imm >>> (2 * i)) & 3))) & 0xffff) << (16 * i);
                }
                xmm[v] = high ? b[0] : out;
                xmm[v + 1] = high ? out : b[1];
            }
            case PINSRW -> {
                long w = d.mod == 3 ? x.reg(d.modrmRm, 4) : x.read(d.memorySegment, x.ea, 2);
                r[0] = xmm[v];
                r[1] = xmm[v + 1];
                setLane(r, (int) d.imm & 7, 16, w & 0xffff);
                xmm[v] = r[0];
                xmm[v + 1] = r[1];
            }
            case PEXTRW -> {
                int rm = 2 * d.modrmRm;
                x.setReg(d.modrmReg, 4, lane(xmm[rm], xmm[rm + 1], (int) d.imm & 7, 16));
            }

            // ---- packs
            case PACKSSWB, PACKUSWB, PACKSSDW -> {
                source(x, d, b, true);
                int from = d.op == Op.PACKSSDW ? 32 : 16;
                int to = from / 2;
                boolean unsigned = d.op == Op.PACKUSWB;
                int n = 128 / from;
                long a0 = xmm[v];
                long a1 = xmm[v + 1];
                for (int i = 0; i < n; i++) {
                    long s1 = signExtend(lane(a0, a1, i, from), from);
                    long s2 = signExtend(lane(b[0], b[1], i, from), from);
                    setLane(r, i, to, unsigned ? saturateUnsigned(s1, to) : saturateSigned(s1, to));
                    setLane(r, n + i, to, unsigned ? saturateUnsigned(s2, to) : saturateSigned(s2, to));
                }
                xmm[v] = r[0];
                xmm[v + 1] = r[1];
            }

            // ---- integer lanes
            case PADDB, PADDW, PADDD, PADDQ, PSUBB, PSUBW, PSUBD, PSUBQ, PADDSB, PADDSW, PADDUSB, PADDUSW, PSUBSB,
                 PSUBSW, PSUBUSB, PSUBUSW, PCMPEQB, PCMPEQW, PCMPEQD, PCMPGTB, PCMPGTW, PCMPGTD, PMINUB, PMAXUB,
                 PMINSW, PMAXSW, PAVGB, PAVGW, PMULLW, PMULHW, PMULHUW -> {
                source(x, d, b, true);
                int bits = laneBits(d.op);
                long a0 = xmm[v];
                long a1 = xmm[v + 1];
                for (int i = 0; i < 128 / bits; i++) {
                    setLane(r, i, bits, integerLane(d.op, lane(a0, a1, i, bits), lane(b[0], b[1], i, bits), bits));
                }
                xmm[v] = r[0];
                xmm[v + 1] = r[1];
            }
            case PMULUDQ -> {
                source(x, d, b, true);
                xmm[v] = (xmm[v] & 0xffffffffL) * (b[0] & 0xffffffffL);
                xmm[v + 1] = (xmm[v + 1] & 0xffffffffL) * (b[1] & 0xffffffffL);
            }
            case PMADDWD -> {
                source(x, d, b, true);
                long a0 = xmm[v];
                long a1 = xmm[v + 1];
                for (int i = 0; i < 4; i++) {
                    long p = signExtend(lane(a0, a1, 2 * i, 16), 16) * signExtend(lane(b[0], b[1], 2 * i, 16), 16)
                            + signExtend(lane(a0, a1, 2 * i + 1, 16), 16) * signExtend(lane(b[0], b[1], 2 * i + 1, 16), 16);
                    setLane(r, i, 32, p);
                }
                xmm[v] = r[0];
                xmm[v + 1] = r[1];
            }
            case PSADBW -> {
                source(x, d, b, true);
                long low = 0;
                long high = 0;
                for (int i = 0; i < 8; i++) {
                    low += Math.abs(lane(xmm[v], xmm[v + 1], i, 8) - lane(b[0], b[1], i, 8));
                    high += Math.abs(lane(xmm[v], xmm[v + 1], i + 8, 8) - lane(b[0], b[1], i + 8, 8));
                }
                xmm[v] = low;
                xmm[v + 1] = high;
            }

            // ---- shifts
            case PSRLW, PSRLD, PSRLQ, PSRAW, PSRAD, PSLLW, PSLLD, PSLLQ -> {
                long count;
                int t;
                if (op >= 0x71 && op <= 0x73) {
                    count = d.imm & 0xff;
                    t = 2 * d.modrmRm;
                } else {
                    source(x, d, b, true);
                    count = b[0];
                    t = v;
                }
                int bits = switch (d.op) {
                    case PSRLW, PSRAW, PSLLW -> 16;
                    case PSRLD, PSRAD, PSLLD -> 32;
                    default -> 64;
                };
                long a0 = xmm[t];
                long a1 = xmm[t + 1];
                for (int i = 0; i < 128 / bits; i++) {
                    long e = lane(a0, a1, i, bits);
                    long res;
                    boolean big = Long.compareUnsigned(count, bits - 1) > 0;
                    switch (d.op) {
                        case PSRAW, PSRAD -> res = signExtend(e, bits) >> (big ? bits - 1 : count);
                        case PSLLW, PSLLD, PSLLQ -> res = big ? 0 : e << count;
                        default -> res = big ? 0 : e >>> count;
                    }
                    setLane(r, i, bits, res);
                }
                xmm[t] = r[0];
                xmm[t + 1] = r[1];
            }
            case PSRLDQ, PSLLDQ -> {
                int t = 2 * d.modrmRm;
                int n = (int) Math.min(d.imm & 0xff, 16);
                long a0 = xmm[t];
                long a1 = xmm[t + 1];
                for (int i = 0; i < 16; i++) {
                    int from = d.op == Op.PSRLDQ ? i + n : i - n;
                    setLane(r, i, 8, from >= 0 && from < 16 ? lane(a0, a1, from, 8) : 0);
                }
                xmm[t] = r[0];
                xmm[t + 1] = r[1];
            }
            default -> throw GuestFault.ud();
        }
    }

    /** The {@code SseMath} operation of an arithmetic mnemonic. */
    public static int fpOp(Op op) {
        return switch (op) {
            case ADDPS, ADDPD, ADDSS, ADDSD -> SseMath.ADD;
            case SUBPS, SUBPD, SUBSS, SUBSD -> SseMath.SUB;
            case MULPS, MULPD, MULSS, MULSD -> SseMath.MUL;
            case DIVPS, DIVPD, DIVSS, DIVSD -> SseMath.DIV;
            case MINPS, MINPD, MINSS, MINSD -> SseMath.MIN;
            case MAXPS, MAXPD, MAXSS, MAXSD -> SseMath.MAX;
            default -> SseMath.SQRT;
        };
    }

    private static void packedArith(Interpreter x, DecodedInstruction d, int op, boolean single) {
        long[] b = x.sse.source;
        source(x, d, b, true);
        packed(x, op, 2 * d.modrmReg, b[0], b[1], single);
    }

    /**
     * ADDPS/ADDPD and the other packed arithmetic ({@code SseMath} op numbers) of XMM register {@code v / 2} with
     * the source {@code b1:b0}: every lane is computed and the MXCSR flags merged before the register is written.
     */
    static void packed(Interpreter x, int op, int v, long b0, long b1, boolean single) {
        SseMath sm = x.sse;
        FpuState f = x.state.fpu;
        long[] xmm = f.xmm;
        long[] r = sm.result;
        int bits = single ? 32 : 64;
        sm.begin(f.mxcsr);
        for (int i = 0; i < 128 / bits; i++) {
            long a = lane(xmm[v], xmm[v + 1], i, bits);
            long s = lane(b0, b1, i, bits);
            long res = SseMath.quick(op, a, s, single, f.mxcsr);
            setLane(r, i, bits, res != -1 ? res : sm.arith(op, a, s, single));
        }
        commitFlags(x);
        xmm[v] = r[0];
        xmm[v + 1] = r[1];
    }

    private static void scalarArith(Interpreter x, DecodedInstruction d, int op, boolean single) {
        FpuState f = x.state.fpu;
        long[] xmm = f.xmm;
        int v = 2 * d.modrmReg;
        long m = single ? 0xffffffffL : -1L;
        long src = scalarSource(x, d, single ? 4 : 8);
        xmm[v] = (xmm[v] & ~m) | scalar(x, op, xmm[v] & m, src, single);
    }

    /**
     * One scalar lane of ADD/SUB/MUL/DIV/MIN/MAX/SQRT ({@code SseMath} op numbers): the quick path when it applies,
     * else the exact one, whose MXCSR flags are merged (an unmasked one faults).
     */
    static long scalar(Interpreter x, int op, long a, long b, boolean single) {
        int mxcsr = x.state.fpu.mxcsr;
        long res = SseMath.quick(op, a, b, single, mxcsr);
        if (res != -1) {
            return res;
        }
        SseMath sm = x.sse;
        sm.begin(mxcsr);
        res = sm.arith(op, a, b, single);
        commitFlags(x);
        return res;
    }

    /** COMISS, COMISD, UCOMISS, UCOMISD of two scalar values: ZF, PF and CF as the SDM gives, the others cleared. */
    static void compare(Interpreter x, long a, long b, boolean single, boolean signaling) {
        SseMath sm = x.sse;
        sm.begin(x.state.fpu.mxcsr);
        int c = sm.compare(a, b, single, signaling);
        commitFlags(x);
        long fl = switch (c) {
            case SseMath.UNORDERED -> Rflags.ZF | Rflags.PF | Rflags.CF;
            case SseMath.LESS -> Rflags.CF;
            case SseMath.EQUAL -> Rflags.ZF;
            default -> 0;
        };
        x.setRflags((x.getRflags() & ~Rflags.STATUS) | fl);
    }

    /**
     * RCPPS/RSQRTPS: the SDM bounds the relative error by 1.5 * 2^-12 without fixing the bits; we return the
     * correctly rounded single-precision value, which is within that bound. Denormal sources count as zero.
     */
    private static long approximate(long bits, boolean rsqrt) {
        float a = Float.intBitsToFloat((int) bits);
        if ((bits & 0x7f800000L) == 0) {
            a = Math.copySign(0f, a);
        }
        float res;
        if (Float.isNaN(a)) {
            return bits | 0x00400000L;
        }
        if (rsqrt) {
            res = a < 0 ? Float.intBitsToFloat(0xffc00000) : (float) (1.0 / Math.sqrt(a));
        } else {
            res = (float) (1.0 / a);
        }
        if (res != 0 && Math.abs(res) < Float.MIN_NORMAL) {
            res = Math.copySign(0f, res);
        }
        return Float.floatToRawIntBits(res) & 0xffffffffL;
    }

    private static int laneBits(Op op) {
        return switch (op) {
            case PADDB, PSUBB, PADDSB, PADDUSB, PSUBSB, PSUBUSB, PCMPEQB, PCMPGTB, PMINUB, PMAXUB, PAVGB -> 8;
            case PADDD, PSUBD, PCMPEQD, PCMPGTD -> 32;
            case PADDQ, PSUBQ -> 64;
            default -> 16;
        };
    }

    private static long integerLane(Op op, long a, long b, int bits) {
        long sa = signExtend(a, bits);
        long sb = signExtend(b, bits);
        return switch (op) {
            case PADDB, PADDW, PADDD, PADDQ -> a + b;
            case PSUBB, PSUBW, PSUBD, PSUBQ -> a - b;
            case PADDSB, PADDSW -> saturateSigned(sa + sb, bits);
            case PSUBSB, PSUBSW -> saturateSigned(sa - sb, bits);
            case PADDUSB, PADDUSW -> saturateUnsigned(a + b, bits);
            case PSUBUSB, PSUBUSW -> saturateUnsigned(a - b, bits);
            case PCMPEQB, PCMPEQW, PCMPEQD -> a == b ? -1L : 0;
            case PCMPGTB, PCMPGTW, PCMPGTD -> sa > sb ? -1L : 0;
            case PMINUB -> Math.min(a, b);
            case PMAXUB -> Math.max(a, b);
            case PMINSW -> Math.min(sa, sb);
            case PMAXSW -> Math.max(sa, sb);
            case PAVGB, PAVGW -> (a + b + 1) >>> 1;
            case PMULLW -> sa * sb;
            case PMULHW -> (sa * sb) >> 16;
            default -> (a * b) >>> 16; // PMULHUW
        };
    }
}
