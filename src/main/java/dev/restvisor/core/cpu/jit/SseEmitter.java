package dev.restvisor.core.cpu.jit;

import dev.restvisor.core.cpu.decode.DecodedInstruction;
import dev.restvisor.core.cpu.decode.Op;
import dev.restvisor.core.cpu.exec.FastPath;
import dev.restvisor.core.cpu.exec.Interpreter;
import dev.restvisor.core.cpu.exec.SseExecutor;
import dev.restvisor.core.cpu.fpu.SseMath;
import dev.restvisor.core.cpu.state.CpuState;
import dev.restvisor.core.cpu.state.FpuState;

import java.lang.classfile.CodeBuilder;
import java.lang.classfile.Label;
import java.lang.constant.ClassDesc;
import java.lang.constant.MethodTypeDesc;

import static java.lang.constant.ConstantDescs.CD_boolean;
import static java.lang.constant.ConstantDescs.CD_double;
import static java.lang.constant.ConstantDescs.CD_int;
import static java.lang.constant.ConstantDescs.CD_long;
import static java.lang.constant.ConstantDescs.CD_void;

/**
 * Emits the SSE instructions of a block ({@link FastPath#SSE}). The forms compiled code meets most (MOVSS and
 * MOVSD, the MOVAPS family, register-to-register bitwise operations, the scalar and packed-double arithmetic,
 * the quadword unpacks, CVTSI2SD from a 32-bit register, and the scalar compares into EFLAGS) are written out on {@code state.fpu.xmm} with their
 * register numbers as constants. Double-precision arithmetic is the JVM's own where {@code SseMath.quick} would
 * take it, and otherwise, like the other arithmetic, the executor's lane function ({@code SseExecutor.scalar},
 * MXCSR and all). Every other SSE instruction calls {@code SseExecutor.execute}.
 *
 * <p>The CR0 and CR4 checks every SSE instruction makes (#UD, #NM) are emitted once, at the block's first SSE
 * instruction: a block is straight-line code with side exits, so that instruction runs before every later one,
 * and no instruction a block holds can change CR0 or CR4.
 */
final class SseEmitter {
    private static final ClassDesc CD_INTERPRETER = BlockEmitter.desc(Interpreter.class);
    private static final ClassDesc CD_STATE = BlockEmitter.desc(CpuState.class);
    private static final ClassDesc CD_FPU = BlockEmitter.desc(FpuState.class);
    private static final ClassDesc CD_SSE = BlockEmitter.desc(SseExecutor.class);
    private static final ClassDesc CD_X87 = ClassDesc.of(FastPath.class.getPackageName() + ".X87Executor");
    private static final MethodTypeDesc EXECUTE = MethodTypeDesc.of(CD_void, CD_INTERPRETER,
            BlockEmitter.desc(DecodedInstruction.class));
    private static final MethodTypeDesc CHECK = MethodTypeDesc.of(CD_void, CD_STATE);
    private static final MethodTypeDesc SCALAR = MethodTypeDesc.of(CD_long, CD_INTERPRETER, CD_int, CD_long, CD_long,
            CD_boolean);
    private static final ClassDesc CD_MATH = BlockEmitter.desc(SseMath.class);
    private static final ClassDesc CD_DOUBLE = BlockEmitter.desc(Double.class);
    private static final MethodTypeDesc QUICK_OPERANDS = MethodTypeDesc.of(CD_boolean, CD_long, CD_long, CD_int,
            CD_boolean);
    private static final MethodTypeDesc QUICK_RESULT = MethodTypeDesc.of(CD_boolean, CD_long, CD_boolean, CD_boolean);
    private static final MethodTypeDesc PACKED = MethodTypeDesc.of(CD_void, CD_INTERPRETER, CD_int, CD_int, CD_long,
            CD_long, CD_boolean);
    private static final MethodTypeDesc STORE128 = MethodTypeDesc.of(CD_void, CD_INTERPRETER,
            BlockEmitter.desc(DecodedInstruction.class), CD_long, CD_long, CD_boolean);
    private static final MethodTypeDesc COMPARE = MethodTypeDesc.of(CD_void, CD_INTERPRETER, CD_long, CD_long,
            CD_boolean, CD_boolean);

    private final BlockEmitter block;
    private final CodeBuilder c;
    /** The local holding {@code state.fpu.xmm}, loaded at the block's first SSE instruction. */
    private final int xmmSlot;
    /** An earlier SSE instruction of the block made the CR0/CR4 checks and loaded the XMM array. */
    private boolean started;

    SseEmitter(BlockEmitter block, CodeBuilder c, int xmmSlot) {
        this.block = block;
        this.c = c;
        this.xmmSlot = xmmSlot;
    }

    /** Emits SSE instruction {@code k}. */
    void emit(int k, DecodedInstruction d) {
        int opcode = d.opcode & 0xff;
        boolean register = d.mod == 3;
        int v = 2 * d.modrmReg;
        int rm = 2 * d.modrmRm;
        switch (d.op) {
            case MOVSS, MOVSD -> {
                int size = d.op == Op.MOVSS ? 4 : 8;
                long m = size == 8 ? -1L : 0xffffffffL;
                begin(k, d, false);
                if (opcode == 0x10 && register) {
                    merge(v, rm, m);
                } else if (opcode == 0x10) {
                    block.read(d.memorySegment, size);
                    store(v);
                    c.lconst_0();
                    store(v + 1);
                } else if (register) {
                    merge(rm, v, m);
                } else {
                    c.aload(BlockEmitter.X).loadConstant(d.memorySegment).lload(BlockEmitter.EA).loadConstant(size);
                    load(v);
                    block.and(m);
                    c.invokevirtual(CD_INTERPRETER, block.writeMethod, BlockEmitter.WRITE);
                }
                end(k, d);
            }
            case MOVAPS, MOVAPD, MOVDQA, MOVUPS, MOVUPD, MOVDQU -> {
                boolean load = opcode == 0x10 || opcode == 0x28 || opcode == 0x6f;
                boolean aligned = d.op == Op.MOVAPS || d.op == Op.MOVAPD || d.op == Op.MOVDQA;
                begin(k, d, false);
                if (register) {
                    int to = load ? v : rm;
                    int from = load ? rm : v;
                    load(from);
                    store(to);
                    load(from + 1);
                    store(to + 1);
                } else if (load) {
                    source128(k, d, aligned);
                    c.lload(BlockEmitter.A);
                    store(v);
                    c.lload(BlockEmitter.B);
                    store(v + 1);
                } else if (aligned) {
                    // 16 aligned bytes never cross a page: the two halves, as SseExecutor.store128 writes them
                    setEffectiveAddress();
                    c.aload(BlockEmitter.X);
                    block.instructionObject(k);
                    c.invokestatic(CD_SSE, "checkAligned", EXECUTE);
                    c.aload(BlockEmitter.X).loadConstant(d.memorySegment).lload(BlockEmitter.EA).loadConstant(8);
                    load(v);
                    c.invokevirtual(CD_INTERPRETER, block.writeMethod, BlockEmitter.WRITE);
                    c.aload(BlockEmitter.X).loadConstant(d.memorySegment).lload(BlockEmitter.EA).loadConstant(8L).ladd();
                    block.and(Interpreter.mask(d.addrSize));
                    c.loadConstant(8);
                    load(v + 1);
                    c.invokevirtual(CD_INTERPRETER, block.writeMethod, BlockEmitter.WRITE);
                } else {
                    setEffectiveAddress();
                    c.aload(BlockEmitter.X);
                    block.instructionObject(k);
                    load(v);
                    load(v + 1);
                    c.iconst_0().invokestatic(CD_SSE, "store128", STORE128);
                }
                end(k, d);
            }
            case UNPCKLPD, PUNPCKLQDQ, UNPCKHPD, PUNPCKHQDQ -> {
                // low: the destination's low quadword, then the source's; high: the two high quadwords
                boolean high = d.op == Op.UNPCKHPD || d.op == Op.PUNPCKHQDQ;
                begin(k, d, false);
                if (register) {
                    load(rm + (high ? 1 : 0));
                    c.lstore(BlockEmitter.B);
                } else {
                    source128(k, d, true);
                    if (!high) {
                        c.lload(BlockEmitter.A).lstore(BlockEmitter.B);
                    }
                }
                if (high) {
                    load(v + 1);
                    store(v);
                }
                c.lload(BlockEmitter.B);
                store(v + 1);
                end(k, d);
            }
            case ADDPD, SUBPD, MULPD, DIVPD -> {
                begin(k, d, true);
                if (register) {
                    load(rm);
                    c.lstore(BlockEmitter.A);
                    load(rm + 1);
                    c.lstore(BlockEmitter.B);
                } else {
                    source128(k, d, true);
                }
                // both lanes take the quick path, or the executor computes both: nothing is written before
                Label slow = c.newLabel();
                Label done = c.newLabel();
                int operation = SseExecutor.fpOp(d.op);
                load(v);
                c.lstore(BlockEmitter.T);
                load(v + 1);
                c.lstore(BlockEmitter.U);
                quickLane(operation, BlockEmitter.T, BlockEmitter.A, slow);
                c.lstore(BlockEmitter.W);
                quickLane(operation, BlockEmitter.U, BlockEmitter.B, slow);
                store(v + 1);
                c.lload(BlockEmitter.W);
                store(v);
                c.goto_(done);
                c.labelBinding(slow);
                c.aload(BlockEmitter.X).loadConstant(operation).loadConstant(v).lload(BlockEmitter.A)
                        .lload(BlockEmitter.B).iconst_0().invokestatic(CD_SSE, "packed", PACKED);
                c.labelBinding(done);
                end(k, d);
            }
            case ANDPS, ANDPD, PAND, ORPS, ORPD, POR, XORPS, XORPD, PXOR -> {
                if (!register) {
                    generic(k, d);
                    return;
                }
                begin(k, d, false);
                for (int half = 0; half < 2; half++) {
                    load(v + half);
                    load(rm + half);
                    switch (d.op) {
                        case ANDPS, ANDPD, PAND -> c.land();
                        case ORPS, ORPD, POR -> c.lor();
                        default -> c.lxor();
                    }
                    store(v + half);
                }
            }
            case ADDSD, SUBSD, MULSD, DIVSD, SQRTSD -> {
                begin(k, d, true);
                source(d, register, rm, false);
                c.lstore(BlockEmitter.B);
                load(v);
                c.lstore(BlockEmitter.A);
                quickDouble(d.op);
                store(v);
                end(k, d);
            }
            case ADDSS, SUBSS, MULSS, DIVSS, SQRTSS -> {
                long m = 0xffffffffL;
                begin(k, d, true);
                source(d, register, rm, true);
                c.lstore(BlockEmitter.B);
                c.aload(BlockEmitter.X).loadConstant(SseExecutor.fpOp(d.op));
                load(v);
                block.and(m);
                c.lload(BlockEmitter.B).iconst_1().invokestatic(CD_SSE, "scalar", SCALAR);
                load(v);
                block.and(~m);
                c.lor();
                store(v);
                end(k, d);
            }
            case COMISS, COMISD, UCOMISS, UCOMISD -> {
                boolean single = d.op.name().endsWith("SS");
                boolean signaling = d.op.name().startsWith("COMIS");
                begin(k, d, true);
                source(d, register, rm, single);
                c.lstore(BlockEmitter.B);
                c.aload(BlockEmitter.X);
                load(v);
                block.and(single ? 0xffffffffL : -1L);
                c.lload(BlockEmitter.B).loadConstant(single ? 1 : 0).loadConstant(signaling ? 1 : 0)
                        .invokestatic(CD_SSE, "compare", COMPARE);
                end(k, d);
            }
            case CVTSI2SD -> {
                // from a 32-bit register: every int is exact as a double, so nothing is raised
                if (!register || d.rexW()) {
                    generic(k, d);
                    return;
                }
                begin(k, d, false);
                block.loadRegister(d.modrmRm);
                c.l2i().i2d().invokestatic(CD_DOUBLE, "doubleToRawLongBits",
                        MethodTypeDesc.of(CD_long, CD_double));
                store(v);
            }
            default -> generic(k, d);
        }
    }

    /**
     * Pushes the double result of ADDSD/SUBSD/MULSD/DIVSD/SQRTSD on the operands in {@link BlockEmitter#A} (the
     * destination's low lane) and {@link BlockEmitter#B} (the source): {@link #quickLane}, else
     * {@code SseExecutor.scalar}.
     */
    private void quickDouble(Op op) {
        int operation = SseExecutor.fpOp(op);
        Label slow = c.newLabel();
        Label done = c.newLabel();
        quickLane(operation, BlockEmitter.A, BlockEmitter.B, slow);
        c.goto_(done);
        c.labelBinding(slow);
        c.aload(BlockEmitter.X).loadConstant(operation).lload(BlockEmitter.A).lload(BlockEmitter.B).iconst_0()
                .invokestatic(CD_SSE, "scalar", SCALAR);
        c.labelBinding(done);
    }

    /**
     * Pushes the double result of one lane of an arithmetic operation on the doubles in locals {@code a} and
     * {@code b} by the steps of {@code SseMath.quick} (the JVM's arithmetic where the operands and the result
     * allow it), or jumps to {@code slow} with nothing pushed. Uses {@link BlockEmitter#V}.
     */
    private void quickLane(int operation, int a, int b, Label slow) {
        if (operation == SseMath.SQRT) {
            c.lconst_0();
        } else {
            c.lload(a);
        }
        c.lload(b);
        c.aload(BlockEmitter.STATE).getfield(CD_STATE, "fpu", CD_FPU).getfield(CD_FPU, "mxcsr", CD_int);
        c.iconst_0().invokestatic(CD_MATH, "quickOperands", QUICK_OPERANDS).ifeq(slow);
        if (operation == SseMath.SQRT) {
            toDouble(b);
            c.invokestatic(BlockEmitter.desc(Math.class), "sqrt", MethodTypeDesc.of(CD_double, CD_double));
        } else {
            toDouble(a);
            toDouble(b);
            switch (operation) {
                case SseMath.ADD -> c.dadd();
                case SseMath.SUB -> c.dsub();
                case SseMath.MUL -> c.dmul();
                default -> c.ddiv();
            }
        }
        c.invokestatic(CD_DOUBLE, "doubleToRawLongBits", MethodTypeDesc.of(CD_long, CD_double))
                .lstore(BlockEmitter.V).lload(BlockEmitter.V);
        // a zero result is exact for a sum, a difference or a root, and for a zero dividend or factor
        switch (operation) {
            case SseMath.MUL -> {
                isZero(a);
                isZero(b);
                c.ior();
            }
            case SseMath.DIV -> isZero(a);
            default -> c.iconst_1();
        }
        c.iconst_0().invokestatic(CD_MATH, "quickResult", QUICK_RESULT).ifeq(slow);
        c.lload(BlockEmitter.V);
    }

    /**
     * Reads the 16-byte memory operand into {@link BlockEmitter#A} (bits 63:0) and {@link BlockEmitter#B}, both
     * before anything is written, checking its alignment first when {@code aligned}.
     */
    private void source128(int k, DecodedInstruction d, boolean aligned) {
        setEffectiveAddress();
        if (aligned) {
            c.aload(BlockEmitter.X);
            block.instructionObject(k);
            c.invokestatic(CD_SSE, "checkAligned", EXECUTE);
        }
        block.read(d.memorySegment, 8);
        c.lstore(BlockEmitter.A);
        c.aload(BlockEmitter.X).loadConstant(d.memorySegment).lload(BlockEmitter.EA).loadConstant(8L).ladd();
        block.and(Interpreter.mask(d.addrSize));
        c.loadConstant(8).invokevirtual(CD_INTERPRETER, block.readMethod, BlockEmitter.READ).lstore(BlockEmitter.B);
    }

    /** {@code x.ea}, which the executor's helpers read, from {@link BlockEmitter#EA}. */
    private void setEffectiveAddress() {
        c.aload(BlockEmitter.X).lload(BlockEmitter.EA).putfield(CD_INTERPRETER, "ea", CD_long);
    }

    private void toDouble(int slot) {
        c.lload(slot).invokestatic(CD_DOUBLE, "longBitsToDouble", MethodTypeDesc.of(CD_double, CD_long));
    }

    private void isZero(int slot) {
        c.lload(slot).iconst_0().invokestatic(CD_MATH, "isZero", MethodTypeDesc.of(CD_boolean, CD_long, CD_boolean));
    }

    /**
     * The start of a written-out form: before the block's first SSE instruction and before one that can fault
     * (a memory access, an MXCSR exception), the boundary state (registers, RIP) and the effective address; at
     * the first, the CR0/CR4 checks.
     */
    private void begin(int k, DecodedInstruction d, boolean raises) {
        if (d.hasMemory || raises || !started) {
            block.memoryStart(k);
        }
        if (!started) {
            c.aload(BlockEmitter.STATE).invokestatic(CD_X87, "checkSse", CHECK);
            loadArray();
        }
    }

    private void end(int k, DecodedInstruction d) {
        if (d.hasMemory) {
            block.memoryEnd(k);
        }
    }

    private void loadArray() {
        c.aload(BlockEmitter.STATE).getfield(CD_STATE, "fpu", CD_FPU).getfield(CD_FPU, "xmm", CD_long.arrayType())
                .astore(xmmSlot);
        started = true;
    }

    /** Any SSE instruction: {@code SseExecutor.execute} on the written-back registers. */
    private void generic(int k, DecodedInstruction d) {
        block.memoryStart(k);
        if (d.hasMemory) {
            setEffectiveAddress();
        }
        c.aload(BlockEmitter.X);
        block.instructionObject(k);
        c.invokestatic(CD_SSE, "execute", EXECUTE);
        if (!started) {
            loadArray();
        }
        switch (d.op) {
            case MOVD, MOVMSKPS, MOVMSKPD, PMOVMSKB, CVTSS2SI, CVTTSS2SI, CVTSD2SI, CVTTSD2SI, PEXTRW -> block.forget();
            default -> { }
        }
        end(k, d);
    }

    /** Pushes the scalar source: the low lane of XMM register {@code rm}, or {@code size} bytes of memory. */
    private void source(DecodedInstruction d, boolean register, int rm, boolean single) {
        if (register) {
            load(rm);
            block.and(single ? 0xffffffffL : -1L);
        } else {
            block.read(d.memorySegment, single ? 4 : 8);
        }
    }

    /** {@code xmm[to] = (xmm[to] & ~m) | (xmm[from] & m)}. */
    private void merge(int to, int from, long m) {
        load(from);
        block.and(m);
        if (m != -1L) {
            load(to);
            block.and(~m);
            c.lor();
        }
        store(to);
    }

    private void load(int index) {
        c.aload(xmmSlot).loadConstant(index).laload();
    }

    /** Pops a long into {@code xmm[index]}. */
    private void store(int index) {
        c.lstore(BlockEmitter.R).aload(xmmSlot).loadConstant(index).lload(BlockEmitter.R).lastore();
    }
}
