package dev.restvisor.core.cpu.decode;

/**
 * One cell of an opcode map: either an instruction (an {@link Op} with operand specifiers and
 * attributes) or a selector that picks a sub-entry by ModRM.reg (a group), by ModRM.rm when mod = 3,
 * by mandatory prefix, or by 64-bit mode.
 */
final class OpcodeEntry {
    /** Invalid in 64-bit mode (SDM "i64"). */
    static final int I64 = 1;
    /** Valid only in 64-bit mode ("o64"). */
    static final int O64 = 1 << 1;
    /** Operand size defaults to 64 bits in 64-bit mode ("d64"). */
    static final int D64 = 1 << 2;
    /** Operand size is forced to 64 bits in 64-bit mode ("f64"). */
    static final int F64 = 1 << 3;
    /** LOCK is allowed (with a memory destination). */
    static final int LOCK = 1 << 4;
    /** REP/REPE/REPNE apply. */
    static final int REP = 1 << 5;
    /** Needs a ModRM byte although no operand says so (groups, implicit-operand forms). */
    static final int MODRM = 1 << 6;
    /** The r/m operand must be memory (#UD for mod = 3). */
    static final int MEM_ONLY = 1 << 7;
    /** The r/m operand must be a register (#UD for a memory form). */
    static final int REG_ONLY = 1 << 8;

    final Op op;
    final int[] operands;
    final int attrs;
    /** Group: sub-entries by ModRM.reg for mod != 3 (and for mod = 3 when {@link #byRegMod3} is null). */
    OpcodeEntry[] byReg;
    OpcodeEntry[] byRegMod3;
    /** Under a mod = 3 group cell: sub-entries by ModRM.rm. */
    OpcodeEntry[] byRm;
    /** Mandatory-prefix selection: none, 66, F3, F2. */
    OpcodeEntry[] byPrefix;
    /** The entry that replaces this one in 64-bit mode. */
    OpcodeEntry in64;

    OpcodeEntry(Op op, String operands, int attrs) {
        this.op = op;
        this.operands = OperandSpec.parseList(operands);
        int a = attrs;
        for (int spec : this.operands) {
            if (OperandSpec.needsModrm(spec)) {
                a |= MODRM;
            }
            if (OperandSpec.method(spec) == OperandSpec.M) {
                a |= MEM_ONLY;
            }
        }
        this.attrs = a;
    }

    boolean isSelector() {
        return op == null;
    }

    boolean has(int attr) {
        return (attrs & attr) != 0;
    }
}
