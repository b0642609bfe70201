package dev.restvisor.core.cpu.jit;

import dev.restvisor.core.cpu.decode.DecodedInstruction;
import dev.restvisor.core.cpu.decode.Op;
import dev.restvisor.core.cpu.exec.FastPath;
import dev.restvisor.core.cpu.exec.Interpreter;
import dev.restvisor.core.cpu.exec.LazyFlags;
import dev.restvisor.core.cpu.state.CpuState;
import dev.restvisor.core.cpu.state.SegmentRegister;

import java.lang.classfile.CodeBuilder;
import java.lang.classfile.Label;
import java.lang.constant.ClassDesc;
import java.lang.constant.MethodTypeDesc;

import static java.lang.constant.ConstantDescs.CD_boolean;
import static java.lang.constant.ConstantDescs.CD_int;
import static java.lang.constant.ConstantDescs.CD_long;
import static java.lang.constant.ConstantDescs.CD_void;

/**
 * Emits the body of {@link CompiledBlock#run} for one run of fast forms. The common forms (MOV, LEA, MOVZX, MOVSX,
 * the two-operand ALU operations, shifts and rotates by an immediate, INC DEC NEG NOT, IMUL, SETcc, Jcc, JMP, CALL,
 * RET, PUSH and POP of a register) are
 * written out with their register numbers, sizes and immediates as constants, on registers in locals
 * ({@link GuestRegisters}), with the flags recorded in the vcpu's {@link LazyFlags} exactly as the interpreter
 * records them; memory goes through {@link Interpreter#read} and {@link Interpreter#write} (in 64-bit code their
 * {@link Interpreter#readIn64} and {@link Interpreter#writeIn64}, with the TLB hit inline). Every other fast form
 * is handed to the interpreter's own {@code FastPath.execute} on the written-back state.
 */
final class BlockEmitter {
    private static final ClassDesc CD_INTERPRETER = desc(Interpreter.class);
    private static final ClassDesc CD_STATE = desc(CpuState.class);
    private static final ClassDesc CD_FLAGS = desc(LazyFlags.class);
    private static final ClassDesc CD_INSN = desc(DecodedInstruction.class);
    private static final ClassDesc CD_OP = desc(Op.class);
    private static final ClassDesc CD_BLOCK = desc(CompiledBlock.class);
    private static final ClassDesc CD_FAST_PATH = desc(FastPath.class);
    /** Package-private executor classes, reachable from the hidden class, which lives in their package. */
    private static final ClassDesc CD_ALU = ClassDesc.of(FastPath.class.getPackageName() + ".Alu");
    private static final ClassDesc CD_SHIFTS = ClassDesc.of(FastPath.class.getPackageName() + ".Shifts");
    private static final ClassDesc CD_MUL_DIV = ClassDesc.of(FastPath.class.getPackageName() + ".MulDiv");
    private static final ClassDesc CD_LONGS = CD_long.arrayType();

    static final MethodTypeDesc READ = MethodTypeDesc.of(CD_long, CD_int, CD_long, CD_int);
    static final MethodTypeDesc WRITE = MethodTypeDesc.of(CD_void, CD_int, CD_long, CD_int, CD_long);
    private static final MethodTypeDesc FLAGS_SET = MethodTypeDesc.of(CD_void, CD_int, CD_int, CD_long, CD_long, CD_long);
    private static final MethodTypeDesc FLAGS_RESULT = MethodTypeDesc.of(CD_void, CD_int, CD_long, CD_long);
    private static final MethodTypeDesc ALU_BINARY = MethodTypeDesc.of(CD_long, CD_FLAGS, CD_OP, CD_int, CD_long, CD_long);
    private static final MethodTypeDesc ALU_UNARY = MethodTypeDesc.of(CD_long, CD_FLAGS, CD_OP, CD_int, CD_long);
    private static final MethodTypeDesc SHIFT = MethodTypeDesc.of(CD_long, CD_INTERPRETER, CD_OP, CD_int, CD_long, CD_int);
    private static final MethodTypeDesc IMUL = MethodTypeDesc.of(CD_long, CD_FLAGS, CD_int, CD_long, CD_long);
    private static final MethodTypeDesc FAST_EXECUTE = MethodTypeDesc.of(CD_void, CD_INTERPRETER, CD_INSN);
    private static final MethodTypeDesc EFFECTIVE_ADDRESS = MethodTypeDesc.of(CD_long, CD_LONGS, CD_long);

    // locals: this, the interpreter, the room, state.gpr, the lazy flags, the state, 16 registers, temporaries, and
    // the instructions a loop block retired in its completed iterations, state.fpu.xmm, and temporaries of the SSE
    // forms
    static final int THIS = 0, X = 1, ROOM = 2, GPR = 4, FLAGS = 5, STATE = 6, REGS = 7, A = 39, B = 41, R = 43,
            EA = 45, DONE = 47, XMM = 48, T = 49, U = 51, V = 53, W = 55;

    private final CodeBuilder c;
    private final DecodedInstruction[] insns;
    private final long[] starts;
    private final long[] nexts;
    /** The stack size (2, 4 or 8 bytes) the block was compiled for, when it pushes or pops. */
    private final int stackSize;
    private final GuestRegisters regs = new GuestRegisters(GPR, REGS);
    private final SseEmitter sse;
    /** The interpreter's memory access methods for the block's code size: those of 64-bit code, or the general ones. */
    final String readMethod;
    final String writeMethod;
    /** A relative branch of the block goes back to its first instruction, which it takes without returning. */
    private final boolean loop;
    private final Label head;

    private BlockEmitter(CodeBuilder c, DecodedInstruction[] insns, long[] starts, long[] nexts, int stackSize) {
        this.c = c;
        this.sse = new SseEmitter(this, c, XMM);
        this.readMethod = insns[0].mode == 64 ? "readIn64" : "read";
        this.writeMethod = insns[0].mode == 64 ? "writeIn64" : "write";
        this.stackSize = stackSize;
        boolean back = false;
        for (int k = 0; k < insns.length; k++) {
            back |= branchesBack(insns[k], nexts[k], starts[0]);
        }
        this.loop = back;
        this.head = c.newLabel();
        this.insns = insns;
        this.starts = starts;
        this.nexts = nexts;
    }

    static void emit(CodeBuilder c, DecodedInstruction[] insns, long[] starts, long[] nexts, int stackSize) {
        new BlockEmitter(c, insns, starts, nexts, stackSize).emit();
    }

    static ClassDesc desc(Class<?> type) {
        return type.describeConstable().orElseThrow();
    }

    private void emit() {
        c.aload(X).getfield(CD_INTERPRETER, "state", CD_STATE).dup().astore(STATE)
                .getfield(CD_STATE, "gpr", CD_LONGS).astore(GPR)
                .aload(X).getfield(CD_INTERPRETER, "flags", CD_FLAGS).astore(FLAGS);
        if (loop) {
            c.iconst_0().istore(DONE).aload(THIS).iconst_0().putfield(CD_BLOCK, "done", CD_int);
            c.labelBinding(head);
        }
        for (int k = 0; k < insns.length; k++) {
            instruction(k);
        }
        int last = insns.length - 1;
        if (!FastPath.endsBlock(insns[last].fastForm)) {
            end(insns.length, nexts[last]);
        }
    }

    private void instruction(int k) {
        DecodedInstruction d = insns[k];
        int r0 = FastPath.register(d.fastOperands, 0);
        int r1 = FastPath.register(d.fastOperands, 1);
        int s0 = FastPath.size(d.fastOperands, 0);
        int s1 = FastPath.size(d.fastOperands, 1);
        long wide = FastPath.wide(s0);
        switch (d.fastForm) {
            case FastPath.NOP -> { }
            case FastPath.MOV_RR -> {
                regs.load(c, r1);
                and(wide);
                regs.store(c, r0);
            }
            case FastPath.MOV_RI -> {
                c.loadConstant(d.imm & wide);
                regs.store(c, r0);
            }
            case FastPath.LEA -> {
                effectiveAddress(k);
                and(wide);
                regs.store(c, r0);
            }
            case FastPath.MOV_RM, FastPath.MOVZX_RM, FastPath.MOVSX_RM -> {
                memoryStart(k);
                read(d.memorySegment, s1);
                if (d.fastForm == FastPath.MOVSX_RM) {
                    signExtend(s1);
                }
                if (d.fastForm != FastPath.MOVZX_RM) {
                    and(wide);
                }
                regs.store(c, r0);
                memoryEnd(k);
            }
            case FastPath.MOVSX_RR -> {
                if (r1 >= DecodedInstruction.AH) {
                    interpret(k);
                    return;
                }
                regs.load(c, r1);
                signExtend(s1);
                and(wide);
                regs.store(c, r0);
            }
            case FastPath.MOV_MR, FastPath.MOV_MI -> {
                memoryStart(k);
                c.aload(X).loadConstant(d.memorySegment).lload(EA).loadConstant(s0);
                if (d.fastForm == FastPath.MOV_MR) {
                    regs.load(c, r1);
                    and(Interpreter.mask(s1));
                } else {
                    c.loadConstant(d.imm);
                }
                c.invokevirtual(CD_INTERPRETER, writeMethod, WRITE);
                memoryEnd(k);
            }
            case FastPath.ALU_RR, FastPath.ALU_RI, FastPath.ALU_RM -> {
                boolean memory = d.fastForm == FastPath.ALU_RM;
                if (memory) {
                    memoryStart(k);
                }
                regs.load(c, r0);
                and(wide);
                c.lstore(A);
                switch (d.fastForm) {
                    case FastPath.ALU_RR -> {
                        regs.load(c, r1);
                        and(Interpreter.mask(s1) & wide);
                    }
                    case FastPath.ALU_RI -> c.loadConstant(d.imm & wide);
                    default -> {
                        read(d.memorySegment, s1);
                        and(wide);
                    }
                }
                c.lstore(B);
                arithmetic(d.op, s0);
                if (d.op != Op.CMP && d.op != Op.TEST) {
                    c.lload(R);
                    and(wide);
                    regs.store(c, r0);
                }
                if (memory) {
                    memoryEnd(k);
                }
            }
            case FastPath.ALU_MR, FastPath.ALU_MI -> {
                long m = Interpreter.mask(s0);
                memoryStart(k);
                read(d.memorySegment, s0);
                c.lstore(A);
                if (d.fastForm == FastPath.ALU_MR) {
                    regs.load(c, r1);
                    and(Interpreter.mask(s1) & m);
                } else {
                    c.loadConstant(d.imm & m);
                }
                c.lstore(B);
                arithmetic(d.op, s0);
                if (d.op != Op.CMP && d.op != Op.TEST) {
                    c.aload(X).loadConstant(d.memorySegment).lload(EA).loadConstant(s0).lload(R);
                    and(m);
                    c.invokevirtual(CD_INTERPRETER, writeMethod, WRITE);
                }
                memoryEnd(k);
            }
            case FastPath.JCC -> {
                Label notTaken = c.newLabel();
                c.aload(FLAGS).loadConstant(d.condition).invokevirtual(CD_FLAGS, "condition",
                        MethodTypeDesc.of(CD_boolean, CD_int));
                c.ifeq(notTaken);
                taken(k);
                c.labelBinding(notTaken);
                if (k == insns.length - 1) {
                    end(k + 1, nexts[k]);
                }
            }
            case FastPath.JMP_REL -> taken(k);
            case FastPath.JMP_IND, FastPath.CALL_IND -> {
                if (d.kind[0] == DecodedInstruction.K_REG && r0 >= DecodedInstruction.AH) {
                    interpret(k);
                    return;
                }
                boolean memory = d.kind[0] == DecodedInstruction.K_MEM;
                if (memory || d.fastForm == FastPath.CALL_IND) {
                    memoryStart(k);
                }
                if (memory) {
                    read(d.memorySegment, s0);
                } else {
                    regs.load(c, r0);
                    and(Interpreter.mask(s0));
                }
                and(Interpreter.mask(d.opSize));
                c.lstore(R);
                if (d.fastForm == FastPath.CALL_IND) {
                    c.loadConstant(nexts[k]);
                    push(d.opSize);
                }
                endAt(k + 1, R);
            }
            case FastPath.CALL_REL -> {
                memoryStart(k);
                c.loadConstant(nexts[k]);
                push(d.opSize);
                end(k + 1, target(k));
            }
            case FastPath.RET_NEAR -> {
                memoryStart(k);
                // the interpreter's RET reads the return address twice (peek, then pop): so does the block
                stackPointer();
                c.lstore(A);
                c.aload(X).loadConstant(SegmentRegister.SS).lload(A).loadConstant(d.opSize)
                        .invokevirtual(CD_INTERPRETER, readMethod, READ);
                and(Interpreter.mask(d.opSize));
                c.lstore(R);
                pop(d.opSize);
                c.pop2();
                endAt(k + 1, R);
            }
            case FastPath.PUSH_R -> {
                memoryStart(k);
                regs.load(c, r0);
                and(Interpreter.mask(s0));
                push(d.opSize);
                memoryEnd(k);
            }
            case FastPath.POP_R -> {
                memoryStart(k);
                pop(d.opSize);
                setRegister(r0, s0);
                memoryEnd(k);
            }
            case FastPath.MOVZX_RR -> {
                if (r1 >= DecodedInstruction.AH) {
                    interpret(k);
                    return;
                }
                regs.load(c, r1);
                and(Interpreter.mask(s1));
                regs.store(c, r0);
            }
            case FastPath.SHIFT_RI, FastPath.UNARY_R, FastPath.IMUL_RR, FastPath.IMUL_RRI, FastPath.SETCC_R -> {
                if (r0 >= DecodedInstruction.AH || d.fastForm == FastPath.IMUL_RR && r1 >= DecodedInstruction.AH) {
                    interpret(k);
                    return;
                }
                switch (d.fastForm) {
                    case FastPath.SHIFT_RI -> {
                        // r1 holds the masked count; a count of 0 changes no flag but still writes the register
                        regs.load(c, r0);
                        and(Interpreter.mask(s0));
                        if (r1 != 0) {
                            c.lstore(A);
                            c.aload(X).getstatic(CD_OP, d.op.name(), CD_OP).loadConstant(s0).lload(A).loadConstant(r1)
                                    .invokestatic(CD_SHIFTS, "shift", SHIFT);
                        }
                    }
                    case FastPath.UNARY_R -> {
                        regs.load(c, r0);
                        and(Interpreter.mask(s0));
                        c.lstore(A);
                        c.aload(FLAGS).getstatic(CD_OP, d.op.name(), CD_OP).loadConstant(s0).lload(A)
                                .invokestatic(CD_ALU, "unary", ALU_UNARY);
                    }
                    case FastPath.SETCC_R -> {
                        Label zero = c.newLabel();
                        Label done = c.newLabel();
                        c.aload(FLAGS).loadConstant(d.condition).invokevirtual(CD_FLAGS, "condition",
                                MethodTypeDesc.of(CD_boolean, CD_int));
                        c.ifeq(zero).loadConstant(1L).goto_(done);
                        c.labelBinding(zero);
                        c.loadConstant(0L);
                        c.labelBinding(done);
                        setRegister(r0, 1);
                        return;
                    }
                    default -> {
                        // IMUL r, r/m: the factors are the destination and the source; IMUL r, r/m, imm: the source
                        // and the immediate
                        if (d.fastForm == FastPath.IMUL_RR) {
                            regs.load(c, r0);
                            and(Interpreter.mask(s0));
                            c.lstore(A);
                            regs.load(c, r1);
                            and(Interpreter.mask(s1));
                        } else if (r1 >= DecodedInstruction.AH) {
                            interpret(k);
                            return;
                        } else {
                            regs.load(c, r1);
                            and(Interpreter.mask(s1));
                            c.lstore(A);
                            c.loadConstant(d.imm);
                        }
                        c.lstore(B);
                        c.aload(FLAGS).loadConstant(s0).lload(A).lload(B).invokestatic(CD_MUL_DIV, "imul", IMUL);
                    }
                }
                setRegister(r0, s0);
            }
            case FastPath.SSE -> sse.emit(k, d);
            default -> interpret(k);
        }
    }

    /** rSP masked to the stack size (SS.B, or 8 in 64-bit mode), as the interpreter's push and pop use it. */
    private void stackPointer() {
        regs.load(c, 4);
        and(Interpreter.mask(stackSize));
    }

    /** Pushes the long on the stack, {@code size} bytes wide: {@code Interpreter.push}. */
    private void push(int size) {
        c.lstore(B);
        stackPointer();
        c.loadConstant((long) size).lsub();
        and(Interpreter.mask(stackSize));
        c.lstore(A);
        c.aload(X).loadConstant(SegmentRegister.SS).lload(A).loadConstant(size).lload(B)
                .invokevirtual(CD_INTERPRETER, writeMethod, WRITE);
        c.lload(A);
        setRegister(4, stackSize);
    }

    /** Pops {@code size} bytes and pushes them as a long: {@code Interpreter.pop}. */
    private void pop(int size) {
        stackPointer();
        c.lstore(A);
        c.aload(X).loadConstant(SegmentRegister.SS).lload(A).loadConstant(size)
                .invokevirtual(CD_INTERPRETER, readMethod, READ).lstore(B);
        c.lload(A).loadConstant((long) size).ladd();
        setRegister(4, stackSize);
        c.lload(B);
    }

    /** Pops a long into register {@code r} (0-15) as {@code Interpreter.setReg} writes {@code size} bytes. */
    private void setRegister(int r, int size) {
        switch (size) {
            case 8 -> { }
            case 4 -> and(0xffffffffL);
            default -> {
                and(Interpreter.mask(size));
                regs.load(c, r);
                and(~Interpreter.mask(size));
                c.lor();
            }
        }
        regs.store(c, r);
    }

    /** The target of a relative branch, wrapped to the operand size as the interpreter does. */
    private long target(int k) {
        DecodedInstruction d = insns[k];
        return (nexts[k] + d.imm) & Interpreter.mask(d.opSize);
    }

    /**
     * Before an instruction that can fault or exit: the registers and its RIP are stored, so that a fault leaves
     * the boundary before it; its effective address is computed into {@link #EA}.
     */
    void memoryStart(int k) {
        regs.writeBack(c);
        c.aload(STATE).loadConstant(starts[k]).putfield(CD_STATE, "rip", CD_long);
        if (insns[k].hasMemory) {
            effectiveAddress(k);
            c.lstore(EA);
        }
    }

    /**
     * After an instruction that accessed memory, unless it is the last: the block stops when the access made an
     * exit pending (an MMIO write), reached a device (the run loop then polls for interrupts), or wrote the
     * block's own code page.
     */
    void memoryEnd(int k) {
        if (k == insns.length - 1) {
            return;
        }
        Label stop = c.newLabel();
        Label go = c.newLabel();
        c.aload(X).getfield(CD_INTERPRETER, "exitPending", CD_boolean).ifne(stop);
        c.aload(X).getfield(CD_INTERPRETER, "deviceAccessed", CD_boolean).ifne(stop);
        c.aload(THIS).getfield(CD_BLOCK, "valid", CD_boolean).ifne(go);
        c.labelBinding(stop);
        end(k + 1, nexts[k]);
        c.labelBinding(go);
    }

    /** Pushes the full 64-bit value of general register {@code r}. */
    void loadRegister(int r) {
        regs.load(c, r);
    }

    /** An instruction wrote general registers in {@code state.gpr} (after a write-back): load them again. */
    void forget() {
        regs.forget();
    }

    private static boolean branchesBack(DecodedInstruction d, long next, long first) {
        return (d.fastForm == FastPath.JCC || d.fastForm == FastPath.JMP_REL)
                && ((next + d.imm) & Interpreter.mask(d.opSize)) == first;
    }

    /**
     * A taken relative branch, which leaves the block: when it goes back to the block's first instruction, the next
     * iteration if all of the block's instructions fit in the room ({@link CompiledBlock#run}), with the registers
     * written back (the head loads them again); else the exit.
     */
    private void taken(int k) {
        if (!branchesBack(insns[k], nexts[k], starts[0])) {
            end(k + 1, target(k));
            return;
        }
        Label exit = c.newLabel();
        c.iinc(DONE, k + 1).aload(THIS).iload(DONE).putfield(CD_BLOCK, "done", CD_int);
        // the next iteration's instructions, but its first, must fit: done + n - 1 <= room
        c.iload(DONE).i2l().loadConstant((long) insns.length - 1).ladd().lload(ROOM).lcmp().ifgt(exit);
        regs.writeBackOnExit(c);
        c.goto_(head);
        c.labelBinding(exit);
        end(0, target(k));
    }

    /** An exit of the block after {@code retired} instructions of this iteration with the RIP in local {@code slot}. */
    private void endAt(int retired, int slot) {
        regs.writeBackOnExit(c);
        c.aload(STATE).lload(slot).putfield(CD_STATE, "rip", CD_long);
        returnRetired(retired);
    }

    /** An exit of the block after {@code retired} instructions of this iteration with RIP {@code rip}. */
    private void end(int retired, long rip) {
        regs.writeBackOnExit(c);
        c.aload(STATE).loadConstant(rip).putfield(CD_STATE, "rip", CD_long);
        returnRetired(retired);
    }

    /** Returns the instructions retired: those of this iteration and of the completed ones. */
    private void returnRetired(int retired) {
        c.loadConstant(retired);
        if (loop) {
            c.iload(DONE).iadd();
        }
        c.ireturn();
    }

    /** Runs instruction {@code k} through the interpreter's fast form on the written-back state. */
    private void interpret(int k) {
        DecodedInstruction d = insns[k];
        regs.writeBack(c);
        c.aload(STATE).loadConstant(starts[k]).putfield(CD_STATE, "rip", CD_long);
        c.aload(X).loadConstant(nexts[k]).putfield(CD_INTERPRETER, "nextRip", CD_long);
        if (d.hasMemory) {
            c.aload(X);
            instructionObject(k);
            c.aload(GPR).loadConstant(nexts[k]).invokevirtual(CD_INSN, "effectiveAddress", EFFECTIVE_ADDRESS)
                    .putfield(CD_INTERPRETER, "ea", CD_long);
        }
        c.aload(X);
        instructionObject(k);
        c.invokestatic(CD_FAST_PATH, "execute", FAST_EXECUTE);
        regs.forget();
        if (FastPath.endsBlock(d.fastForm)) {
            c.aload(STATE).aload(X).getfield(CD_INTERPRETER, "nextRip", CD_long).putfield(CD_STATE, "rip", CD_long);
            returnRetired(k + 1);
        } else if (FastPath.touchesMemory(d)) {
            memoryEnd(k);
        }
    }

    void instructionObject(int k) {
        c.aload(THIS).getfield(CD_BLOCK, "insns", CD_INSN.arrayType()).loadConstant(k).aaload();
    }

    /** Pushes the effective address of instruction {@code k}, wrapped to its address size. */
    private void effectiveAddress(int k) {
        DecodedInstruction d = insns[k];
        if (d.base == DecodedInstruction.RIP) {
            c.loadConstant(nexts[k] + d.displacement);
        } else {
            c.loadConstant(d.displacement);
            if (d.base >= 0) {
                regs.load(c, d.base);
                c.ladd();
            }
        }
        if (d.index >= 0) {
            regs.load(c, d.index);
            if (d.scale != 0) {
                c.loadConstant(d.scale).lshl();
            }
            c.ladd();
        }
        if (d.addrSize != 8) {
            and(Interpreter.mask(d.addrSize));
        }
    }

    /** Pushes a read of {@code size} bytes at {@link #EA} in segment {@code sreg}. */
    void read(int sreg, int size) {
        c.aload(X).loadConstant(sreg).lload(EA).loadConstant(size).invokevirtual(CD_INTERPRETER, readMethod, READ);
    }

    /** {@code R = A op B} with the flags recorded as {@code Alu.binary} records them. */
    private void arithmetic(Op op, int size) {
        switch (op) {
            case ADD -> {
                c.lload(A).lload(B).ladd().lstore(R);
                flags(LazyFlags.ADD, size);
            }
            case SUB, CMP -> {
                c.lload(A).lload(B).lsub().lstore(R);
                flags(LazyFlags.SUB, size);
            }
            case AND, TEST, OR, XOR -> {
                c.lload(A).lload(B);
                switch (op) {
                    case OR -> c.lor();
                    case XOR -> c.lxor();
                    default -> c.land();
                }
                c.lstore(R);
                c.aload(FLAGS).loadConstant(size).lload(R).loadConstant(0L)
                        .invokevirtual(CD_FLAGS, "setResult", FLAGS_RESULT);
            }
            default -> {
                // ADC and SBB read CF first: the interpreter's own arithmetic
                c.aload(FLAGS).getstatic(CD_OP, op.name(), CD_OP).loadConstant(size).lload(A).lload(B)
                        .invokestatic(CD_ALU, "binary", ALU_BINARY).lstore(R);
            }
        }
    }

    private void flags(int operation, int size) {
        c.aload(FLAGS).loadConstant(operation).loadConstant(size).lload(A).lload(B).lload(R)
                .invokevirtual(CD_FLAGS, "set", FLAGS_SET);
    }

    void and(long mask) {
        if (mask != -1L) {
            c.loadConstant(mask).land();
        }
    }

    /** Sign-extends the low {@code size} bytes of the long on the stack. */
    private void signExtend(int size) {
        int shift = 64 - 8 * size;
        if (shift != 0) {
            c.loadConstant(shift).lshl().loadConstant(shift).lshr();
        }
    }
}
