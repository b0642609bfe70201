package dev.restvisor.core.boot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.restvisor.core.cpu.state.ControlRegisters;
import dev.restvisor.core.cpu.state.CpuState;
import dev.restvisor.core.cpu.state.SegmentRegister;
import dev.restvisor.core.memory.GuestMemory;
import dev.restvisor.core.memory.MemoryQuota;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The direct-boot loader against boot.rst and zero-page.rst, with small synthetic bzImages whose payload is a
 * gzip-compressed ELF64 (the real Debian kernel is booted by LinuxBootTest).
 */
class LinuxLoaderTest {
    static final long KERNEL_PADDR = SyntheticKernel.KERNEL_PADDR, ENTRY = SyntheticKernel.ENTRY;
    static final byte[] TEXT = SyntheticKernel.TEXT;

    static GuestMemory ram(long size) {
        GuestMemory m = new GuestMemory(MemoryQuota.UNLIMITED);
        m.setRegion(0, 0, 0, size);
        return m;
    }

    static long u64(GuestMemory m, long address) {
        byte[] b = new byte[8];
        m.read(address, b, 0, 8);
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    static int u32(GuestMemory m, long address) {
        return (int) u64(m, address);
    }

    @Test
    void hostUnpackedVmlinuxIsEnteredAtStartup64WithBootParams() throws Exception {
        GuestMemory m = ram(64 << 20);
        m.write(KERNEL_PADDR + 0x100, new byte[] {9, 9, 9}, 0, 3); // stale bytes where the .bss goes
        CpuState cpu = new CpuState();
        byte[] kernel = SyntheticKernel.bzImage(0x020F, 0x7F, SyntheticKernel.gzip(SyntheticKernel.vmlinux()));
        byte[] initrd = {1, 2, 3, 4, 5};
        LinuxLoader.Layout l = LinuxLoader.load(m, cpu, kernel, initrd, "console=ttyS0", null,
                new AcpiTables.Hardware(0x600, 0x604, 9, 5, true));

        assertEquals(LinuxLoader.EntryPath.VMLINUX_64, l.path());
        assertEquals(ENTRY, cpu.rip);
        assertEquals(0x7000, cpu.gpr[6], "RSI = boot_params");
        assertTrue(cpu.longMode() && cpu.mode64(), "64-bit mode");
        assertEquals(ControlRegisters.CR0_PE | ControlRegisters.CR0_ET | ControlRegisters.CR0_PG, cpu.cr0);
        assertEquals(0x10, cpu.seg[SegmentRegister.CS].selector());
        assertEquals(0x18, cpu.seg[SegmentRegister.SS].selector());
        assertEquals(0, cpu.rflags & 0x200, "interrupts off");
        byte[] text = new byte[TEXT.length];
        m.read(ENTRY, text, 0, text.length);
        assertArrayEquals(TEXT, text);
        assertEquals(0, u64(m, KERNEL_PADDR + 0x100), "memsz beyond filesz is zeroed");

        // boot_params: header copied, loader fields written (zero-page.rst offsets)
        assertEquals(0x53726448, u32(m, 0x7000 + 0x202));
        assertEquals(0xFF, u32(m, 0x7000 + 0x210) & 0xff, "type_of_loader: undefined");
        assertEquals(0x20000, u32(m, 0x7000 + 0x228), "cmd_line_ptr");
        byte[] cmd = new byte[14];
        m.read(0x20000, cmd, 0, 14);
        assertEquals("console=ttyS0\0", new String(cmd, java.nio.charset.StandardCharsets.US_ASCII));
        long initrdAt = u32(m, 0x7000 + 0x218) & 0xffffffffL;
        assertEquals(5, u32(m, 0x7000 + 0x21C), "ramdisk_size");
        assertEquals((64 << 20) - 4096, initrdAt, "initrd in the last page of RAM");
        assertEquals(l.initrdAddress(), initrdAt);
        // e820: low RAM, EBDA and BIOS reserved, RAM from 1 MiB
        assertEquals(4, u32(m, 0x7000 + 0x1E8) & 0xff);
        assertEquals(List.of(new E820Entry(0, 0x9FC00, 1), new E820Entry(0x9FC00, 0x400, 2), new E820Entry(0xF0000, 0x10000, 2),
                new E820Entry(0x100000, (64 << 20) - 0x100000, 1)), l.e820());
        assertEquals(0x100000, u64(m, 0x7000 + 0x2D0 + 3 * 20));
        // identity map: PML4 -> PDPT -> PD with 2 MiB pages
        assertEquals(0xA003, u64(m, 0x9000));
        assertEquals(0xB003, u64(m, 0xA000));
        assertEquals((8L << 21) | 0x83, u64(m, 0xB000 + 8 * 8));
        assertEquals(0x00AF9B000000FFFFL, u64(m, 0x6000 + 0x10), "__BOOT_CS: 64-bit code");
        // ACPI: boot_params.acpi_rsdp_addr, then RSDP -> XSDT -> FADT -> DSDT, every checksum right
        assertEquals(0xF0000, u64(m, 0x7000 + 0x070));
        assertEquals(0x2052545020445352L, u64(m, 0xF0000), "RSD PTR ");
        assertEquals(0, sum(m, 0xF0000, 20));
        assertEquals(0, sum(m, 0xF0000, 36));
        long xsdt = u64(m, 0xF0000 + 24);
        long fadt = u64(m, xsdt + 36);
        long dsdt = u64(m, fadt + 140);
        for (long table : new long[] {u32(m, 0xF0000 + 16) & 0xffffffffL, xsdt, fadt, dsdt}) {
            assertEquals(0, sum(m, table, u32(m, table + 4)), "checksum of the table at 0x" + Long.toHexString(table));
        }
        assertEquals(0x50434146, u32(m, fadt), "FACP");
        assertEquals(0x604, u32(m, fadt + 64), "PM1a_CNT_BLK");
        assertEquals(9, u32(m, fadt + 46) & 0xffff, "SCI_INT");
        byte[] s5 = new byte[14];
        m.read(dsdt + 36, s5, 0, 14);
        assertArrayEquals(new byte[] {0x08, '_', 'S', '5', '_', 0x12, 0x08, 0x04, 0x0A, 5, 0x0A, 5, 0, 0}, s5, "Name (_S5, Package {5, 5, 0, 0})");
    }

    private static int sum(GuestMemory m, long address, int length) {
        byte[] b = new byte[length];
        m.read(address, b, 0, length);
        int sum = 0;
        for (byte x : b) {
            sum += x;
        }
        return sum & 0xff;
    }

    @Test
    void kernelsWithoutA64BitEntryAreEnteredAtCode32StartWithPagingOff() throws Exception {
        GuestMemory m = ram(64 << 20);
        CpuState cpu = new CpuState();
        byte[] lzma = {0x5D, 0, 0, (byte) 0x80, 0, 1, 2, 3};  // a payload the host does not unpack
        LinuxLoader.Layout l = LinuxLoader.load(m, cpu, SyntheticKernel.bzImage(0x020A, 0, lzma), null, "", null, null);
        assertEquals(LinuxLoader.EntryPath.BZIMAGE_32, l.path());
        assertEquals(0x100000, cpu.rip);
        assertEquals(0x7000, cpu.gpr[6], "ESI = boot_params");
        assertEquals(ControlRegisters.CR0_PE | ControlRegisters.CR0_ET, cpu.cr0, "protected mode, paging off");
        assertEquals(1, cpu.seg[SegmentRegister.CS].db(), "32-bit code");
        assertEquals(0x00CF9B000000FFFFL, u64(m, 0x6000 + 0x10), "__BOOT_CS: flat 32-bit code");
        assertEquals(0, u32(m, 0x7000 + 0x218), "no initrd");
        byte[] loaded = new byte[8];
        m.read(0x100000 + 0x200, loaded, 0, 8);
        assertArrayEquals(lzma, loaded, "the protected-mode part at 0x100000");

        LinuxLoader.Layout bz64 = LinuxLoader.load(m, cpu, SyntheticKernel.bzImage(0x020F, 1, lzma), null, "", null, null);
        assertEquals(LinuxLoader.EntryPath.BZIMAGE_64, bz64.path());
        assertEquals(0x100200, cpu.rip, "64-bit entry at load address + 0x200");
        assertTrue(cpu.mode64());
    }

    @Test
    void refusalsNameTheFaultAndWriteNothing() throws Exception {
        GuestMemory m = ram(64 << 20);
        CpuState cpu = new CpuState();
        long rip = cpu.rip;
        byte[] good = SyntheticKernel.gzip(SyntheticKernel.vmlinux());
        assertFault("kernel", "not a Linux bzImage", () -> LinuxLoader.load(m, cpu, new byte[4096], null, "", null, null));
        assertFault("kernel", "too old", () -> LinuxLoader.load(m, cpu, SyntheticKernel.bzImage(0x0204, 0, new byte[8]), null, "", null, null));
        assertFault("cmdline", "at most 255", () -> LinuxLoader.load(m, cpu, SyntheticKernel.bzImage(0x020F, 1, good), null, "x".repeat(256), null, null));
        assertFault("kernel", "gzip payload is corrupt", () -> LinuxLoader.load(m, cpu, SyntheticKernel.bzImage(0x020F, 1, new byte[] {0x1F, (byte) 0x8B, 8, 0, 0, 0, 0, 0}), null, "", null, null));
        assertFault("initrd", "does not fit", () -> LinuxLoader.load(m, cpu, SyntheticKernel.bzImage(0x020F, 1, good), new byte[60 << 20], "", null, null));
        assertFault("memory_regions", "the kernel needs RAM", () -> LinuxLoader.load(ram(16 << 20), cpu, SyntheticKernel.bzImage(0x020F, 1, good), null, "", null, null));
        assertFault("kernel", "no 64-bit entry", () -> LinuxLoader.load(m, cpu, SyntheticKernel.bzImage(0x020F, 0, good), null, "", LinuxLoader.EntryPath.BZIMAGE_64, null));
        assertEquals(rip, cpu.rip, "the vcpu was not touched");
        assertEquals(0, u64(m, 0x7000 + 0x200), "boot_params were not written");
    }

    private static void assertFault(String field, String text, Runnable load) {
        BootException e = assertThrows(BootException.class, load::run);
        assertEquals(field, e.field());
        assertTrue(e.getMessage().contains(text), e.getMessage());
    }
}
