package dev.restvisor.core.boot;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * The 4 KiB "zero page" a 32- or 64-bit boot loader hands the kernel (Documentation/arch/x86/zero-page.rst and
 * boot.rst "32-bit Boot Protocol"): the kernel's own setup header copied in, then the loader's fields.
 */
final class BootParams {
    static final int SIZE = 4096;
    private static final int E820_ENTRIES = 0x1E8, E820_TABLE = 0x2D0, VID_MODE = 0x1FA, TYPE_OF_LOADER = 0x210,
            RAMDISK_IMAGE = 0x218, RAMDISK_SIZE = 0x21C, CMD_LINE_PTR = 0x228, HARDWARE_SUBARCH = 0x23C,
            EXT_RAMDISK_IMAGE = 0x0C0, ACPI_RSDP_ADDR = 0x070, EXT_RAMDISK_SIZE = 0x0C4, EXT_CMD_LINE_PTR = 0x0C8;
    /** "Undefined" in boot.rst's list of loader IDs: no registered boot loader. */
    static final int LOADER_UNDEFINED = 0xFF;
    private static final int VID_MODE_NORMAL = 0xFFFF;

    private BootParams() {
    }

    /** With {@code rsdp} 0 the kernel looks for ACPI itself (and finds none). */
    static byte[] build(byte[] kernel, SetupHeader header, long cmdline, long initrd, long initrdSize, List<E820Entry> e820, long rsdp) {
        ByteBuffer p = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
        p.put(SetupHeader.HEADER_START, kernel, SetupHeader.HEADER_START, header.headerEnd() - SetupHeader.HEADER_START);
        p.putShort(VID_MODE, (short) VID_MODE_NORMAL);
        p.put(TYPE_OF_LOADER, (byte) LOADER_UNDEFINED);
        p.putInt(CMD_LINE_PTR, (int) cmdline);
        p.putInt(EXT_CMD_LINE_PTR, (int) (cmdline >>> 32));
        p.putInt(RAMDISK_IMAGE, (int) initrd);
        p.putInt(EXT_RAMDISK_IMAGE, (int) (initrd >>> 32));
        p.putInt(RAMDISK_SIZE, (int) initrdSize);
        p.putInt(EXT_RAMDISK_SIZE, (int) (initrdSize >>> 32));
        p.putInt(HARDWARE_SUBARCH, 0);
        p.putLong(ACPI_RSDP_ADDR, rsdp); // read by kernels of boot protocol 2.14 and later; older ones scan 0xE0000-0xFFFFF
        p.put(E820_ENTRIES, (byte) e820.size());
        for (int i = 0; i < e820.size(); i++) {
            E820Entry e = e820.get(i);
            p.putLong(E820_TABLE + 20 * i, e.address());
            p.putLong(E820_TABLE + 20 * i + 8, e.size());
            p.putInt(E820_TABLE + 20 * i + 16, e.type());
        }
        return p.array();
    }
}
