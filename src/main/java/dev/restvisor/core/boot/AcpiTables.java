package dev.restvisor.core.boot;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The smallest ACPI description (ACPI 6.5 chapter 5) of a PC whose only ACPI hardware is the PM1a event and
 * control blocks: RSDP → RSDT/XSDT → FADT → FACS and a DSDT that holds nothing but the \_S5 sleep package, so
 * an operating system can turn the machine off. There is no MADT (no local APIC: the 8259 pair is the
 * interrupt controller), no PM timer and no GPE block. The tables sit in the BIOS area at 0xF0000, which the
 * e820 map reports as reserved, where a scan for "RSD PTR " also finds them.
 */
public final class AcpiTables {
    static final long RSDP = 0xF0000, RSDT = 0xF0040, XSDT = 0xF0080, FADT = 0xF0100, FACS = 0xF0240, DSDT = 0xF0300;
    static final int SIZE = 0x400;
    private static final int FADT_LENGTH = 276, FADT_REVISION = 6;
    private static final int SYSTEM_IO = 1;
    /** FADT flags (Table 5.10): WBINVD works, C1 (HLT) on every processor, power and sleep buttons not fixed hardware, reset register. */
    private static final int WBINVD = 1, PROC_C1 = 1 << 2, PWR_BUTTON = 1 << 4, SLP_BUTTON = 1 << 5, RESET_REG_SUP = 1 << 10;
    /** IA-PC boot architecture flags (Table 5.11): ISA devices, an 8042, no VGA. */
    private static final int LEGACY_DEVICES = 1, I8042 = 1 << 1, VGA_NOT_PRESENT = 1 << 2;

    /**
     * The platform the tables describe: the PM1a block ports, the SCI's ISA IRQ, the SLP_TYP of S5, and the
     * i8042 whose command 0xFE the FADT names as the reset register (absent: no reset register).
     */
    public record Hardware(int pm1aEvent, int pm1aControl, int sciIrq, int s5SleepType, boolean i8042) {
    }

    private AcpiTables() {
    }

    /** The tables as one block to write at {@link #RSDP}. */
    static byte[] build(Hardware hw) {
        ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
        // RSDP (5.2.5.3): checksum over the first 20 bytes, extended checksum over all 36
        b.put(0, ascii("RSD PTR ")).put(9, ascii("RSTVSR")).put(15, (byte) 2).putInt(16, (int) RSDT).putInt(20, 36).putLong(24, XSDT);
        b.put(8, checksum(b, 0, 20));
        b.put(32, checksum(b, 0, 36));

        header(b, RSDT, "RSDT", 36 + 4, 1);
        b.putInt(offset(RSDT) + 36, (int) FADT);
        seal(b, RSDT, 40);
        header(b, XSDT, "XSDT", 36 + 8, 1);
        b.putLong(offset(XSDT) + 36, FADT);
        seal(b, XSDT, 44);

        int f = offset(FADT);
        header(b, FADT, "FACP", FADT_LENGTH, FADT_REVISION);
        b.putInt(f + 36, (int) FACS).putInt(f + 40, (int) DSDT);
        b.putShort(f + 46, (short) hw.sciIrq());
        b.putInt(f + 56, hw.pm1aEvent()).putInt(f + 64, hw.pm1aControl());
        b.put(f + 88, (byte) 4).put(f + 89, (byte) 2);
        b.putShort(f + 96, (short) 101).putShort(f + 98, (short) 1001); // C2 and C3 not supported
        b.putShort(f + 109, (short) (LEGACY_DEVICES | VGA_NOT_PRESENT | (hw.i8042() ? I8042 : 0)));
        b.putInt(f + 112, WBINVD | PROC_C1 | PWR_BUTTON | SLP_BUTTON | (hw.i8042() ? RESET_REG_SUP : 0));
        if (hw.i8042()) {
            address(b, f + 116, 8, 0x64);
            b.put(f + 128, (byte) 0xFE); // the i8042's pulse-reset command
        }
        b.putLong(f + 132, FACS).putLong(f + 140, DSDT);
        address(b, f + 148, 32, hw.pm1aEvent());
        address(b, f + 172, 16, hw.pm1aControl());
        seal(b, FADT, FADT_LENGTH);

        // FACS (5.2.10): no checksum, no waking vector, no global lock owner
        b.put(offset(FACS), ascii("FACS")).putInt(offset(FACS) + 4, 64).put(offset(FACS) + 32, (byte) 2);

        // DSDT: Name (_S5, Package (4) {s5, s5, 0, 0}) in AML (20.2.5.1 DefName, 20.2.5.4 DefPackage)
        byte s5 = (byte) hw.s5SleepType();
        byte[] aml = {0x08, '_', 'S', '5', '_', 0x12, 0x08, 0x04, 0x0A, s5, 0x0A, s5, 0x00, 0x00};
        header(b, DSDT, "DSDT", 36 + aml.length, 2);
        b.put(offset(DSDT) + 36, aml);
        seal(b, DSDT, 36 + aml.length);
        return b.array();
    }

    private static void header(ByteBuffer b, long table, String signature, int length, int revision) {
        int t = offset(table);
        b.put(t, ascii(signature)).putInt(t + 4, length).put(t + 8, (byte) revision).put(t + 10, ascii("RSTVSR"))
                .put(t + 16, ascii("RESTVSOR")).putInt(t + 24, 1).put(t + 28, ascii("RSTV")).putInt(t + 32, 1);
    }

    /** Generic Address Structure (5.2.3.2) of a system-I/O register. */
    private static void address(ByteBuffer b, int at, int bitWidth, long port) {
        b.put(at, (byte) SYSTEM_IO).put(at + 1, (byte) bitWidth).put(at + 2, (byte) 0).put(at + 3, (byte) 0).putLong(at + 4, port);
    }

    private static void seal(ByteBuffer b, long table, int length) {
        b.put(offset(table) + 9, checksum(b, offset(table), length));
    }

    /** The byte that makes the bytes of [from, from + length) sum to 0 mod 256, the checksum byte counted as 0 now. */
    private static byte checksum(ByteBuffer b, int from, int length) {
        int sum = 0;
        for (int i = from; i < from + length; i++) {
            sum += b.get(i);
        }
        return (byte) -sum;
    }

    private static int offset(long table) {
        return (int) (table - RSDP);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
