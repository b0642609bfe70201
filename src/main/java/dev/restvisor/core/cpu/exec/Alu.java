package dev.restvisor.core.cpu.exec;

import dev.restvisor.core.cpu.decode.DecodedInstruction;
import dev.restvisor.core.cpu.decode.Op;

/** ADD OR ADC SBB AND SUB XOR CMP TEST INC DEC NEG NOT (SDM Vol. 2 instruction pages). */
final class Alu {
    private Alu() {
    }

    static void execute(Interpreter x, DecodedInstruction d) {
        int size = d.size[0];
        long m = Interpreter.mask(size);
        LazyFlags f = x.flags;
        long a = x.readOp(d, 0);
        long r;
        switch (d.op) {
            case INC, DEC, NEG, NOT -> r = unary(f, d.op, size, a);
            default -> {
                r = binary(f, d.op, size, a, x.readOp(d, 1) & m);
                if (d.op == Op.CMP || d.op == Op.TEST) {
                    return;
                }
            }
        }
        x.writeOp(d, 0, r & m);
    }

    /** INC DEC NEG NOT of a zero-extended operand: records the flags and returns the unmasked result. */
    static long unary(LazyFlags f, Op op, int size, long a) {
        long r;
        switch (op) {
            case INC -> {
                r = a + 1;
                f.setIncDec(LazyFlags.INC, size, a, r);
            }
            case DEC -> {
                r = a - 1;
                f.setIncDec(LazyFlags.DEC, size, a, r);
            }
            case NEG -> {
                r = -a;
                f.set(LazyFlags.NEG, size, a, 0, r);
            }
            case NOT -> r = ~a;
            default -> throw new IllegalStateException(op.name());
        }
        return r;
    }

    /**
     * The two-operand operations on zero-extended operands of {@code size} bytes: records the flags and returns
     * the unmasked result (CMP and TEST compute it too; the caller does not store it).
     */
    static long binary(LazyFlags f, Op op, int size, long a, long b) {
        long r;
        switch (op) {
            case ADD -> {
                r = a + b;
                f.set(LazyFlags.ADD, size, a, b, r);
            }
            case ADC -> {
                boolean c = f.cf();
                r = a + b + (c ? 1 : 0);
                f.setWithCarry(LazyFlags.ADC, size, a, b, r, c);
            }
            case SUB, CMP -> {
                r = a - b;
                f.set(LazyFlags.SUB, size, a, b, r);
            }
            case SBB -> {
                boolean c = f.cf();
                r = a - b - (c ? 1 : 0);
                f.setWithCarry(LazyFlags.SBB, size, a, b, r, c);
            }
            case AND, TEST -> {
                r = a & b;
                f.setResult(size, r, 0);
            }
            case OR -> {
                r = a | b;
                f.setResult(size, r, 0);
            }
            case XOR -> {
                r = a ^ b;
                f.setResult(size, r, 0);
            }
            default -> throw new IllegalStateException(op.name());
        }
        return r;
    }
}
