package dev.restvisor.core.cpu.decode;

/**
 * Every instruction the decoder knows, by its SDM mnemonic. Jcc, SETcc and CMOVcc are one entry each;
 * the condition is the low nibble of the opcode ({@link DecodedInstruction#condition}).
 */
public enum Op {
    ADD(Family.ALU), OR(Family.ALU), ADC(Family.ALU), SBB(Family.ALU), AND(Family.ALU), SUB(Family.ALU),
    XOR(Family.ALU), CMP(Family.ALU), TEST(Family.ALU), INC(Family.ALU), DEC(Family.ALU), NEG(Family.ALU),
    NOT(Family.ALU),

    ROL(Family.SHIFT), ROR(Family.SHIFT), RCL(Family.SHIFT), RCR(Family.SHIFT), SHL(Family.SHIFT),
    SHR(Family.SHIFT), SAL(Family.SHIFT), SAR(Family.SHIFT), SHLD(Family.SHIFT), SHRD(Family.SHIFT),

    BT(Family.BIT), BTS(Family.BIT), BTR(Family.BIT), BTC(Family.BIT), BSF(Family.BIT), BSR(Family.BIT),
    POPCNT(Family.BIT), LZCNT(Family.BIT), TZCNT(Family.BIT),

    MUL(Family.MULDIV), IMUL(Family.MULDIV), DIV(Family.MULDIV), IDIV(Family.MULDIV),

    DAA(Family.BCD), DAS(Family.BCD), AAA(Family.BCD), AAS(Family.BCD), AAM(Family.BCD), AAD(Family.BCD),

    MOVS(Family.STRING), CMPS(Family.STRING), SCAS(Family.STRING), LODS(Family.STRING), STOS(Family.STRING),
    INS(Family.STRING), OUTS(Family.STRING),

    PUSH(Family.STACK), POP(Family.STACK), PUSHA(Family.STACK), POPA(Family.STACK), PUSHF(Family.STACK),
    POPF(Family.STACK), ENTER(Family.STACK), LEAVE(Family.STACK),

    JCC(Family.BRANCH), JMP(Family.BRANCH), CALL(Family.BRANCH), RET(Family.BRANCH), LOOP(Family.BRANCH),
    LOOPE(Family.BRANCH), LOOPNE(Family.BRANCH), JCXZ(Family.BRANCH),
    JMPF(Family.BRANCH), CALLF(Family.BRANCH), RETF(Family.BRANCH), IRET(Family.BRANCH),
    INT(Family.BRANCH), INT3(Family.BRANCH), INTO(Family.BRANCH), INT1(Family.BRANCH),

    MOV(Family.DATA), MOVZX(Family.DATA), MOVSX(Family.DATA), MOVSXD(Family.DATA), XCHG(Family.DATA),
    CMPXCHG(Family.DATA), CMPXCHG8B(Family.DATA), CMPXCHG16B(Family.DATA), XADD(Family.DATA),
    BSWAP(Family.DATA), MOVBE(Family.DATA), CMOVCC(Family.DATA), SETCC(Family.DATA), LAHF(Family.DATA),
    SAHF(Family.DATA), CBW(Family.DATA), CWD(Family.DATA), LEA(Family.DATA), XLAT(Family.DATA),
    LDS(Family.DATA), LES(Family.DATA), LSS(Family.DATA), LFS(Family.DATA), LGS(Family.DATA),
    BOUND(Family.DATA), SALC(Family.DATA),

    CLC(Family.FLAGCTL), STC(Family.FLAGCTL), CMC(Family.FLAGCTL), CLD(Family.FLAGCTL), STD(Family.FLAGCTL),
    CLI(Family.FLAGCTL), STI(Family.FLAGCTL),

    NOP(Family.NOP), PAUSE(Family.NOP), PREFETCH(Family.NOP), LFENCE(Family.NOP), MFENCE(Family.NOP),
    SFENCE(Family.NOP),

    IN(Family.IO), OUT(Family.IO),

    HLT(Family.SYSTEM), LGDT(Family.SYSTEM), SGDT(Family.SYSTEM), LIDT(Family.SYSTEM), SIDT(Family.SYSTEM),
    LLDT(Family.SYSTEM), SLDT(Family.SYSTEM), LTR(Family.SYSTEM), STR(Family.SYSTEM), LMSW(Family.SYSTEM),
    SMSW(Family.SYSTEM), INVLPG(Family.SYSTEM), CLTS(Family.SYSTEM), MOVCR(Family.SYSTEM), MOVDR(Family.SYSTEM),
    CPUID(Family.SYSTEM), RDMSR(Family.SYSTEM), WRMSR(Family.SYSTEM), RDTSC(Family.SYSTEM), RDTSCP(Family.SYSTEM),
    RDPMC(Family.SYSTEM), SYSCALL(Family.SYSTEM), SYSRET(Family.SYSTEM), SYSENTER(Family.SYSTEM),
    SYSEXIT(Family.SYSTEM), SWAPGS(Family.SYSTEM), WBINVD(Family.SYSTEM), INVD(Family.SYSTEM), LAR(Family.SYSTEM),
    LSL(Family.SYSTEM), VERR(Family.SYSTEM), VERW(Family.SYSTEM), ARPL(Family.SYSTEM), CLFLUSH(Family.SYSTEM),
    RSM(Family.SYSTEM), XGETBV(Family.SYSTEM), MONITOR(Family.SYSTEM), MWAIT(Family.SYSTEM),
    FXSAVE(Family.SYSTEM), FXRSTOR(Family.SYSTEM), LDMXCSR(Family.SYSTEM), STMXCSR(Family.SYSTEM),

    /** D8-DF: x87 escape; the FPU executor decodes the rest. */
    ESC(Family.X87), FWAIT(Family.X87),

    UD2(Family.UNDEFINED);

    public final Family family;

    Op(Family family) {
        this.family = family;
    }

    private static final Op[] VALUES = values();

    public static Op of(int ordinal) {
        return VALUES[ordinal];
    }
}
