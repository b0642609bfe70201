package dev.restvisor.core.cpu.decode;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Decoder rules that objdump does not check for us: faults, mode validity, prefix interplay (SDM Vol. 2A ch. 2). */
class DecoderTest {
    private final DecodedInstruction d = new DecodedInstruction();

    private int decode(int mode, int... bytes) {
        return Decoder.decode(o -> o < bytes.length ? bytes[(int) o] : 0x90, 0, mode, d);
    }

    @Test
    void fifteenByteLimit() {
        // 14 prefixes + NOP = 15 bytes: fine; one more prefix: #GP(0)
        int[] ok = new int[15];
        java.util.Arrays.fill(ok, 0x66);
        ok[14] = 0x90;
        assertEquals(Decoder.OK, decode(32, ok));
        assertEquals(15, d.length);
        int[] tooLong = new int[16];
        java.util.Arrays.fill(tooLong, 0x66);
        tooLong[15] = 0x90;
        assertEquals(Decoder.GP, decode(32, tooLong));
        // an immediate that reaches past byte 15 faults too: 11 prefixes + mov eax, imm32 = 16 bytes
        int[] imm = {0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x67, 0xb8, 1, 2, 3, 4};
        assertEquals(Decoder.GP, decode(64, imm));
    }

    @Test
    void invalidIn64BitMode() {
        for (int op : new int[] {0x06, 0x07, 0x0e, 0x16, 0x17, 0x1e, 0x1f, 0x27, 0x2f, 0x37, 0x3f, 0x60, 0x61, 0x62,
            0x82, 0x9a, 0xc4, 0xc5, 0xce, 0xd4, 0xd5, 0xd6, 0xea}) {
            assertEquals(Decoder.UD, decode(64, op, 0x00, 0, 0, 0, 0, 0), "opcode " + Integer.toHexString(op));
            assertEquals(Decoder.OK, decode(32, op, 0x00, 0, 0, 0, 0, 0), "opcode " + Integer.toHexString(op));
        }
        assertEquals(Decoder.UD, decode(32, 0x0f, 0x05)); // SYSCALL only in 64-bit mode
    }

    @Test
    void rexIsAPrefixOnlyIn64BitModeAndOnlyLast() {
        assertEquals(Decoder.OK, decode(32, 0x48));
        assertEquals(Op.DEC, d.op);
        assertEquals(Decoder.OK, decode(64, 0x48, 0x01, 0xc8));
        assertEquals(Op.ADD, d.op);
        assertEquals(8, d.opSize);
        // REX followed by a legacy prefix is ignored
        assertEquals(Decoder.OK, decode(64, 0x48, 0x66, 0x01, 0xc8));
        assertEquals(2, d.opSize);
        assertFalse(d.rexPresent);
    }

    @Test
    void ripRelativeAndSegmentDefaults() {
        assertEquals(Decoder.OK, decode(64, 0x8b, 0x05, 0x10, 0, 0, 0));
        assertEquals(DecodedInstruction.RIP, d.base);
        assertEquals(0x10 + 6, d.effectiveAddress(new long[16], 6));
        assertEquals(Decoder.OK, decode(16, 0x8b, 0x46, 0x02)); // mov ax,[bp+2]: SS
        assertEquals(2, d.memorySegment);
        assertEquals(Decoder.OK, decode(32, 0x8b, 0x44, 0x24, 0x04)); // mov eax,[esp+4]: SS
        assertEquals(2, d.memorySegment);
        assertEquals(Decoder.OK, decode(32, 0x64, 0x8b, 0x45, 0x04)); // fs:[ebp+4]
        assertEquals(4, d.memorySegment);
    }

    @Test
    void lockRules() {
        assertEquals(Decoder.OK, decode(64, 0xf0, 0x01, 0x03)); // lock add [rbx],eax
        assertTrue(d.lock);
        assertEquals(Decoder.UD, decode(64, 0xf0, 0x01, 0xc3)); // register destination
        assertEquals(Decoder.UD, decode(64, 0xf0, 0x39, 0x03)); // CMP is not lockable
        assertEquals(Decoder.UD, decode(64, 0xf0, 0x8b, 0x03)); // MOV is not lockable
    }

    @Test
    void groupsAndModRestrictions() {
        assertEquals(Decoder.UD, decode(64, 0xff, 0xf8)); // FF /7
        assertEquals(Decoder.UD, decode(64, 0x8d, 0xc0)); // LEA with a register operand
        assertEquals(Decoder.UD, decode(64, 0xc6, 0xc8, 0x00)); // C6 /1
        assertEquals(Decoder.UD, decode(64, 0x8e, 0xc8)); // MOV CS, r/m
        assertEquals(Decoder.OK, decode(64, 0x0f, 0x20, 0x00)); // MOV r, CR0 ignores mod
        assertEquals(8, d.size[0]);
        assertEquals(Decoder.UD, decode(64, 0x0f, 0x20, 0x08)); // CR1 does not exist
        assertEquals(Decoder.OK, decode(64, 0x48, 0x0f, 0xc7, 0x0b));
        assertEquals(Op.CMPXCHG16B, d.op);
    }
}
