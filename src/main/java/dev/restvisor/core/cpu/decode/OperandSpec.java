package dev.restvisor.core.cpu.decode;

/**
 * Operand specifiers in the notation of SDM Vol. 2D A.2: an addressing method letter followed by an
 * operand type ({@code Eb}, {@code Gv}, {@code Iz}), or a fixed register ({@code AL}, {@code rAX},
 * {@code eAX}, {@code DX}, {@code CL}, {@code ES}) or the constant {@code 1}. One extension: {@code Zb},
 * {@code Zv}, {@code Zy} stand for the register encoded in the low three opcode bits (the SDM writes
 * these rows as "rAX/r8" ... "rDI/r15"). A spec is packed into an int: method, fixed register, type.
 */
final class OperandSpec {
    // addressing methods (A.2.1)
    static final int E = 1, G = 2, I = 3, J = 4, M = 5, O = 6, S = 7, C = 8, D = 9, R = 10, X = 11, Y = 12,
            A = 13, Z = 14, FIXED_REG = 15, FIXED_SEG = 16, ONE = 17,
            /** XMM register from ModRM.reg, XMM or memory from ModRM.rm, XMM from ModRM.rm (mod = 3 only). */
            V = 18, W = 19, U = 20;
    // operand types (A.2.2); NONE for M operands whose size does not matter (LEA, INVLPG)
    static final int NONE = 0, B = 1, W_ = 2, D_ = 3, Q = 4, V_ = 5, Z_ = 6, Y_ = 7, P = 8, S_ = 9, A_ = 10, DQ = 11,
            PS = 12, PD = 13, SS = 14, SD = 15, X_ = 16;

    private OperandSpec() {
    }

    static int method(int spec) {
        return spec >>> 16;
    }

    static int register(int spec) {
        return (spec >>> 8) & 0xff;
    }

    static int type(int spec) {
        return spec & 0xff;
    }

    static int[] parseList(String list) {
        if (list == null || list.isEmpty()) {
            return new int[0];
        }
        String[] parts = list.split(",");
        int[] specs = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            specs[i] = parse(parts[i].trim());
        }
        return specs;
    }

    static int parse(String s) {
        switch (s) {
            case "1": return pack(ONE, 0, B);
            case "AL": return pack(FIXED_REG, 0, B);
            case "CL": return pack(FIXED_REG, 1, B);
            case "DX": return pack(FIXED_REG, 2, W_);
            case "rAX": return pack(FIXED_REG, 0, V_);
            case "eAX": return pack(FIXED_REG, 0, Z_);
            case "ES": return pack(FIXED_SEG, 0, W_);
            case "CS": return pack(FIXED_SEG, 1, W_);
            case "SS": return pack(FIXED_SEG, 2, W_);
            case "DS": return pack(FIXED_SEG, 3, W_);
            case "FS": return pack(FIXED_SEG, 4, W_);
            case "GS": return pack(FIXED_SEG, 5, W_);
            default: break;
        }
        int method = switch (s.charAt(0)) {
            case 'E' -> E; case 'G' -> G; case 'I' -> I; case 'J' -> J; case 'M' -> M; case 'O' -> O;
            case 'S' -> S; case 'C' -> C; case 'D' -> D; case 'R' -> R; case 'X' -> X; case 'Y' -> Y;
            case 'A' -> A; case 'Z' -> Z; case 'V' -> V; case 'W' -> W; case 'U' -> U;
            default -> throw new IllegalArgumentException("operand " + s);
        };
        int type = switch (s.substring(1)) {
            case "" -> NONE; case "b" -> B; case "w" -> W_; case "d" -> D_; case "q" -> Q; case "v" -> V_;
            case "z" -> Z_; case "y" -> Y_; case "p" -> P; case "s" -> S_; case "a" -> A_; case "dq" -> DQ;
            case "ps" -> PS; case "pd" -> PD; case "ss" -> SS; case "sd" -> SD; case "x" -> X_;
            default -> throw new IllegalArgumentException("operand " + s);
        };
        return pack(method, 0, type);
    }

    private static int pack(int method, int reg, int type) {
        return method << 16 | reg << 8 | type;
    }

    /** True when the method needs a ModRM byte. */
    static boolean needsModrm(int spec) {
        int m = method(spec);
        return m == E || m == G || m == M || m == S || m == C || m == D || m == R || m == V || m == W || m == U;
    }
}
