package dev.restvisor.core.cpu.decode;

/**
 * The SSE and SSE2 rows of the 0F opcode map (SDM Vol. 2D Table A-3, groups 12-14 of Table A-6), as data.
 * Cells are chosen by mandatory prefix (none, 66, F3, F2); the no-prefix forms of the 0F 60-7F and D0-FF
 * integer rows are MMX instructions, which are not implemented and stay undefined (#UD).
 */
final class SseTable {
    private SseTable() {
    }

    private static OpcodeEntry e(Op op, String operands) {
        return new OpcodeEntry(op, operands, 0);
    }

    private static OpcodeEntry byPrefix(OpcodeEntry none, OpcodeEntry p66, OpcodeEntry pF3, OpcodeEntry pF2) {
        OpcodeEntry g = new OpcodeEntry(null, "", 0);
        g.byPrefix = new OpcodeEntry[] {none, p66, pF3, pF2};
        return g;
    }

    /** A memory form and a register form sharing one opcode (MOVLPS/MOVHLPS, MOVHPS/MOVLHPS). */
    private static OpcodeEntry byMod(OpcodeEntry memory, OpcodeEntry register) {
        OpcodeEntry g = new OpcodeEntry(null, "", OpcodeEntry.MODRM);
        g.byReg = new OpcodeEntry[] {memory, memory, memory, memory, memory, memory, memory, memory};
        g.byRegMod3 = new OpcodeEntry[] {register, register, register, register, register, register, register, register};
        return g;
    }

    /** A ModRM.reg group of register-only forms (groups 12-14: shifts by an immediate). */
    private static OpcodeEntry group(OpcodeEntry... byReg) {
        OpcodeEntry g = new OpcodeEntry(null, "", OpcodeEntry.MODRM);
        g.byReg = new OpcodeEntry[8];
        g.byRegMod3 = byReg;
        return g;
    }

    static void install(OpcodeEntry[] m) {
        m[0x10] = byPrefix(e(Op.MOVUPS, "Vps,Wps"), e(Op.MOVUPD, "Vpd,Wpd"),
                e(Op.MOVSS, "Vss,Wss"), e(Op.MOVSD, "Vsd,Wsd"));
        m[0x11] = byPrefix(e(Op.MOVUPS, "Wps,Vps"), e(Op.MOVUPD, "Wpd,Vpd"),
                e(Op.MOVSS, "Wss,Vss"), e(Op.MOVSD, "Wsd,Vsd"));
        m[0x12] = byPrefix(byMod(e(Op.MOVLPS, "Vq,Mq"), e(Op.MOVHLPS, "Vq,Uq")), e(Op.MOVLPD, "Vq,Mq"),
                null, null);
        m[0x13] = byPrefix(e(Op.MOVLPS, "Mq,Vq"), e(Op.MOVLPD, "Mq,Vq"),
                null, null);
        m[0x14] = byPrefix(e(Op.UNPCKLPS, "Vx,Wx"), e(Op.UNPCKLPD, "Vx,Wx"),
                null, null);
        m[0x15] = byPrefix(e(Op.UNPCKHPS, "Vx,Wx"), e(Op.UNPCKHPD, "Vx,Wx"),
                null, null);
        m[0x16] = byPrefix(byMod(e(Op.MOVHPS, "Vq,Mq"), e(Op.MOVLHPS, "Vq,Uq")), e(Op.MOVHPD, "Vq,Mq"),
                null, null);
        m[0x17] = byPrefix(e(Op.MOVHPS, "Mq,Vq"), e(Op.MOVHPD, "Mq,Vq"),
                null, null);
        m[0x28] = byPrefix(e(Op.MOVAPS, "Vps,Wps"), e(Op.MOVAPD, "Vpd,Wpd"),
                null, null);
        m[0x29] = byPrefix(e(Op.MOVAPS, "Wps,Vps"), e(Op.MOVAPD, "Wpd,Vpd"),
                null, null);
        m[0x2a] = byPrefix(null, null,
                e(Op.CVTSI2SS, "Vss,Ey"), e(Op.CVTSI2SD, "Vsd,Ey"));
        m[0x2b] = byPrefix(e(Op.MOVNTPS, "Mps,Vps"), e(Op.MOVNTPD, "Mpd,Vpd"),
                null, null);
        m[0x2c] = byPrefix(null, null,
                e(Op.CVTTSS2SI, "Gy,Wss"), e(Op.CVTTSD2SI, "Gy,Wsd"));
        m[0x2d] = byPrefix(null, null,
                e(Op.CVTSS2SI, "Gy,Wss"), e(Op.CVTSD2SI, "Gy,Wsd"));
        m[0x2e] = byPrefix(e(Op.UCOMISS, "Vss,Wss"), e(Op.UCOMISD, "Vsd,Wsd"),
                null, null);
        m[0x2f] = byPrefix(e(Op.COMISS, "Vss,Wss"), e(Op.COMISD, "Vsd,Wsd"),
                null, null);
        m[0x50] = byPrefix(e(Op.MOVMSKPS, "Gd,Ups"), e(Op.MOVMSKPD, "Gd,Upd"),
                null, null);
        m[0x51] = byPrefix(e(Op.SQRTPS, "Vps,Wps"), e(Op.SQRTPD, "Vpd,Wpd"),
                e(Op.SQRTSS, "Vss,Wss"), e(Op.SQRTSD, "Vsd,Wsd"));
        m[0x52] = byPrefix(e(Op.RSQRTPS, "Vps,Wps"), null,
                e(Op.RSQRTSS, "Vss,Wss"), null);
        m[0x53] = byPrefix(e(Op.RCPPS, "Vps,Wps"), null,
                e(Op.RCPSS, "Vss,Wss"), null);
        m[0x54] = byPrefix(e(Op.ANDPS, "Vps,Wps"), e(Op.ANDPD, "Vpd,Wpd"),
                null, null);
        m[0x55] = byPrefix(e(Op.ANDNPS, "Vps,Wps"), e(Op.ANDNPD, "Vpd,Wpd"),
                null, null);
        m[0x56] = byPrefix(e(Op.ORPS, "Vps,Wps"), e(Op.ORPD, "Vpd,Wpd"),
                null, null);
        m[0x57] = byPrefix(e(Op.XORPS, "Vps,Wps"), e(Op.XORPD, "Vpd,Wpd"),
                null, null);
        m[0x58] = byPrefix(e(Op.ADDPS, "Vps,Wps"), e(Op.ADDPD, "Vpd,Wpd"),
                e(Op.ADDSS, "Vss,Wss"), e(Op.ADDSD, "Vsd,Wsd"));
        m[0x59] = byPrefix(e(Op.MULPS, "Vps,Wps"), e(Op.MULPD, "Vpd,Wpd"),
                e(Op.MULSS, "Vss,Wss"), e(Op.MULSD, "Vsd,Wsd"));
        m[0x5a] = byPrefix(e(Op.CVTPS2PD, "Vpd,Wq"), e(Op.CVTPD2PS, "Vps,Wpd"),
                e(Op.CVTSS2SD, "Vsd,Wss"), e(Op.CVTSD2SS, "Vss,Wsd"));
        m[0x5b] = byPrefix(e(Op.CVTDQ2PS, "Vps,Wx"), e(Op.CVTPS2DQ, "Vx,Wps"),
                e(Op.CVTTPS2DQ, "Vx,Wps"), null);
        m[0x5c] = byPrefix(e(Op.SUBPS, "Vps,Wps"), e(Op.SUBPD, "Vpd,Wpd"),
                e(Op.SUBSS, "Vss,Wss"), e(Op.SUBSD, "Vsd,Wsd"));
        m[0x5d] = byPrefix(e(Op.MINPS, "Vps,Wps"), e(Op.MINPD, "Vpd,Wpd"),
                e(Op.MINSS, "Vss,Wss"), e(Op.MINSD, "Vsd,Wsd"));
        m[0x5e] = byPrefix(e(Op.DIVPS, "Vps,Wps"), e(Op.DIVPD, "Vpd,Wpd"),
                e(Op.DIVSS, "Vss,Wss"), e(Op.DIVSD, "Vsd,Wsd"));
        m[0x5f] = byPrefix(e(Op.MAXPS, "Vps,Wps"), e(Op.MAXPD, "Vpd,Wpd"),
                e(Op.MAXSS, "Vss,Wss"), e(Op.MAXSD, "Vsd,Wsd"));
        m[0x60] = byPrefix(null, e(Op.PUNPCKLBW, "Vx,Wx"),
                null, null);
        m[0x61] = byPrefix(null, e(Op.PUNPCKLWD, "Vx,Wx"),
                null, null);
        m[0x62] = byPrefix(null, e(Op.PUNPCKLDQ, "Vx,Wx"),
                null, null);
        m[0x63] = byPrefix(null, e(Op.PACKSSWB, "Vx,Wx"),
                null, null);
        m[0x64] = byPrefix(null, e(Op.PCMPGTB, "Vx,Wx"),
                null, null);
        m[0x65] = byPrefix(null, e(Op.PCMPGTW, "Vx,Wx"),
                null, null);
        m[0x66] = byPrefix(null, e(Op.PCMPGTD, "Vx,Wx"),
                null, null);
        m[0x67] = byPrefix(null, e(Op.PACKUSWB, "Vx,Wx"),
                null, null);
        m[0x68] = byPrefix(null, e(Op.PUNPCKHBW, "Vx,Wx"),
                null, null);
        m[0x69] = byPrefix(null, e(Op.PUNPCKHWD, "Vx,Wx"),
                null, null);
        m[0x6a] = byPrefix(null, e(Op.PUNPCKHDQ, "Vx,Wx"),
                null, null);
        m[0x6b] = byPrefix(null, e(Op.PACKSSDW, "Vx,Wx"),
                null, null);
        m[0x6c] = byPrefix(null, e(Op.PUNPCKLQDQ, "Vx,Wx"),
                null, null);
        m[0x6d] = byPrefix(null, e(Op.PUNPCKHQDQ, "Vx,Wx"),
                null, null);
        m[0x6e] = byPrefix(null, e(Op.MOVD, "Vy,Ey"),
                null, null);
        m[0x6f] = byPrefix(null, e(Op.MOVDQA, "Vx,Wx"),
                e(Op.MOVDQU, "Vx,Wx"), null);
        m[0x70] = byPrefix(null, e(Op.PSHUFD, "Vx,Wx,Ib"),
                e(Op.PSHUFHW, "Vx,Wx,Ib"), e(Op.PSHUFLW, "Vx,Wx,Ib"));
        m[0x71] = byPrefix(null, group(null, null, e(Op.PSRLW, "Ux,Ib"), null, e(Op.PSRAW, "Ux,Ib"), null, e(Op.PSLLW, "Ux,Ib"), null),
                null, null);
        m[0x72] = byPrefix(null, group(null, null, e(Op.PSRLD, "Ux,Ib"), null, e(Op.PSRAD, "Ux,Ib"), null, e(Op.PSLLD, "Ux,Ib"), null),
                null, null);
        m[0x73] = byPrefix(null, group(null, null, e(Op.PSRLQ, "Ux,Ib"), e(Op.PSRLDQ, "Ux,Ib"), null, null, e(Op.PSLLQ, "Ux,Ib"), e(Op.PSLLDQ, "Ux,Ib")),
                null, null);
        m[0x74] = byPrefix(null, e(Op.PCMPEQB, "Vx,Wx"),
                null, null);
        m[0x75] = byPrefix(null, e(Op.PCMPEQW, "Vx,Wx"),
                null, null);
        m[0x76] = byPrefix(null, e(Op.PCMPEQD, "Vx,Wx"),
                null, null);
        m[0x7e] = byPrefix(null, e(Op.MOVD, "Ey,Vy"),
                e(Op.MOVQ, "Vq,Wq"), null);
        m[0x7f] = byPrefix(null, e(Op.MOVDQA, "Wx,Vx"),
                e(Op.MOVDQU, "Wx,Vx"), null);
        m[0xc2] = byPrefix(e(Op.CMPPS, "Vps,Wps,Ib"), e(Op.CMPPD, "Vpd,Wpd,Ib"),
                e(Op.CMPSS, "Vss,Wss,Ib"), e(Op.CMPSD, "Vsd,Wsd,Ib"));
        m[0xc3] = byPrefix(e(Op.MOVNTI, "My,Gy"), null,
                null, null);
        m[0xc4] = byPrefix(null, e(Op.PINSRW, "Vdq,Ew,Ib"),
                null, null);
        m[0xc5] = byPrefix(null, e(Op.PEXTRW, "Gd,Udq,Ib"),
                null, null);
        m[0xc6] = byPrefix(e(Op.SHUFPS, "Vps,Wps,Ib"), e(Op.SHUFPD, "Vpd,Wpd,Ib"),
                null, null);
        m[0xd1] = byPrefix(null, e(Op.PSRLW, "Vx,Wx"),
                null, null);
        m[0xd2] = byPrefix(null, e(Op.PSRLD, "Vx,Wx"),
                null, null);
        m[0xd3] = byPrefix(null, e(Op.PSRLQ, "Vx,Wx"),
                null, null);
        m[0xd4] = byPrefix(null, e(Op.PADDQ, "Vx,Wx"),
                null, null);
        m[0xd5] = byPrefix(null, e(Op.PMULLW, "Vx,Wx"),
                null, null);
        m[0xd6] = byPrefix(null, e(Op.MOVQ, "Wq,Vq"),
                null, null);
        m[0xd7] = byPrefix(null, e(Op.PMOVMSKB, "Gd,Ux"),
                null, null);
        m[0xd8] = byPrefix(null, e(Op.PSUBUSB, "Vx,Wx"),
                null, null);
        m[0xd9] = byPrefix(null, e(Op.PSUBUSW, "Vx,Wx"),
                null, null);
        m[0xda] = byPrefix(null, e(Op.PMINUB, "Vx,Wx"),
                null, null);
        m[0xdb] = byPrefix(null, e(Op.PAND, "Vx,Wx"),
                null, null);
        m[0xdc] = byPrefix(null, e(Op.PADDUSB, "Vx,Wx"),
                null, null);
        m[0xdd] = byPrefix(null, e(Op.PADDUSW, "Vx,Wx"),
                null, null);
        m[0xde] = byPrefix(null, e(Op.PMAXUB, "Vx,Wx"),
                null, null);
        m[0xdf] = byPrefix(null, e(Op.PANDN, "Vx,Wx"),
                null, null);
        m[0xe0] = byPrefix(null, e(Op.PAVGB, "Vx,Wx"),
                null, null);
        m[0xe1] = byPrefix(null, e(Op.PSRAW, "Vx,Wx"),
                null, null);
        m[0xe2] = byPrefix(null, e(Op.PSRAD, "Vx,Wx"),
                null, null);
        m[0xe3] = byPrefix(null, e(Op.PAVGW, "Vx,Wx"),
                null, null);
        m[0xe4] = byPrefix(null, e(Op.PMULHUW, "Vx,Wx"),
                null, null);
        m[0xe5] = byPrefix(null, e(Op.PMULHW, "Vx,Wx"),
                null, null);
        m[0xe6] = byPrefix(null, e(Op.CVTTPD2DQ, "Vx,Wpd"),
                e(Op.CVTDQ2PD, "Vx,Wq"), e(Op.CVTPD2DQ, "Vx,Wpd"));
        m[0xe7] = byPrefix(null, e(Op.MOVNTDQ, "Mx,Vx"),
                null, null);
        m[0xe8] = byPrefix(null, e(Op.PSUBSB, "Vx,Wx"),
                null, null);
        m[0xe9] = byPrefix(null, e(Op.PSUBSW, "Vx,Wx"),
                null, null);
        m[0xea] = byPrefix(null, e(Op.PMINSW, "Vx,Wx"),
                null, null);
        m[0xeb] = byPrefix(null, e(Op.POR, "Vx,Wx"),
                null, null);
        m[0xec] = byPrefix(null, e(Op.PADDSB, "Vx,Wx"),
                null, null);
        m[0xed] = byPrefix(null, e(Op.PADDSW, "Vx,Wx"),
                null, null);
        m[0xee] = byPrefix(null, e(Op.PMAXSW, "Vx,Wx"),
                null, null);
        m[0xef] = byPrefix(null, e(Op.PXOR, "Vx,Wx"),
                null, null);
        m[0xf1] = byPrefix(null, e(Op.PSLLW, "Vx,Wx"),
                null, null);
        m[0xf2] = byPrefix(null, e(Op.PSLLD, "Vx,Wx"),
                null, null);
        m[0xf3] = byPrefix(null, e(Op.PSLLQ, "Vx,Wx"),
                null, null);
        m[0xf4] = byPrefix(null, e(Op.PMULUDQ, "Vx,Wx"),
                null, null);
        m[0xf5] = byPrefix(null, e(Op.PMADDWD, "Vx,Wx"),
                null, null);
        m[0xf6] = byPrefix(null, e(Op.PSADBW, "Vx,Wx"),
                null, null);
        m[0xf7] = byPrefix(null, e(Op.MASKMOVDQU, "Vdq,Udq"),
                null, null);
        m[0xf8] = byPrefix(null, e(Op.PSUBB, "Vx,Wx"),
                null, null);
        m[0xf9] = byPrefix(null, e(Op.PSUBW, "Vx,Wx"),
                null, null);
        m[0xfa] = byPrefix(null, e(Op.PSUBD, "Vx,Wx"),
                null, null);
        m[0xfb] = byPrefix(null, e(Op.PSUBQ, "Vx,Wx"),
                null, null);
        m[0xfc] = byPrefix(null, e(Op.PADDB, "Vx,Wx"),
                null, null);
        m[0xfd] = byPrefix(null, e(Op.PADDW, "Vx,Wx"),
                null, null);
        m[0xfe] = byPrefix(null, e(Op.PADDD, "Vx,Wx"),
                null, null);
    }
}
