package dev.restvisor.core.boot;

import dev.restvisor.core.cpu.state.ControlRegisters;
import dev.restvisor.core.cpu.state.CpuState;
import dev.restvisor.core.cpu.state.DescriptorTable;
import dev.restvisor.core.cpu.state.Rflags;
import dev.restvisor.core.cpu.state.Segment;
import dev.restvisor.core.cpu.state.SegmentRegister;
import dev.restvisor.core.memory.GuestMemory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Direct boot of a Linux bzImage by the x86 boot protocol (Documentation/arch/x86/boot.rst), with no firmware:
 * the loader does what a boot loader does and enters the kernel in the state the protocol prescribes.
 * <p>
 * Three entry paths, chosen in this order:
 * <ol>
 * <li>{@link EntryPath#VMLINUX_64}: the payload is unpacked on the host (xz or gzip), the vmlinux PT_LOAD
 * segments go to their physical addresses, and startup_64 is entered in 64-bit mode. This is what Firecracker
 * does; it spares the guest the decompressor (4.5 billion instructions for Debian's kernel).</li>
 * <li>{@link EntryPath#BZIMAGE_64}: the protected-mode part goes to 0x100000 and its 64-bit entry at +0x200 is
 * entered in 64-bit mode (boot.rst "64-bit Boot Protocol"; needs XLF_KERNEL_64).</li>
 * <li>{@link EntryPath#BZIMAGE_32}: the same image entered at code32_start in flat 32-bit protected mode with
 * paging off (boot.rst "32-bit Boot Protocol"), for kernels without a 64-bit entry.</li>
 * </ol>
 * Both 64-bit paths get a GDT with __BOOT_CS = 0x10 and __BOOT_DS = 0x18 and an identity map of the first 4 GiB
 * in 2 MiB pages; RSI (ESI) holds the address of boot_params. Everything is validated before the first byte is
 * written, so a refused image leaves the VM as it was.
 */
public final class LinuxLoader {

    /** How the kernel is entered. */
    public enum EntryPath {
        VMLINUX_64, BZIMAGE_64, BZIMAGE_32
    }

    /**
     * What was loaded where, for the VM's event log.
     *
     * @param initrdAddress 0 when there is no initrd
     */
    public record Layout(EntryPath path, long entryPoint, long kernelStart, long kernelEnd, long initrdAddress,
                         long initrdSize, String protocol, List<E820Entry> e820) {
    }

    /** Guest-physical layout of the loader's own structures, below the 640 KiB line (as ../shared/linux uses). */
    static final long GDT = 0x6000, BOOT_PARAMS = 0x7000, PML4 = 0x9000, PDPT = 0xA000, PAGE_DIRECTORIES = 0xB000,
            PAGE_TABLES_END = 0xF000, CMDLINE = 0x20000, BZIMAGE_LOAD = 0x100000;
    static final int BOOT_CS = 0x10, BOOT_DS = 0x18;
    /** Descriptors (SDM Vol. 3A 3.4.5): 4 GiB execute/read code with L = 1 or D = 1, and 4 GiB read/write data. */
    private static final long CODE64 = 0x00AF9B000000FFFFL, CODE32 = 0x00CF9B000000FFFFL, DATA = 0x00CF93000000FFFFL;
    private static final long PAGE = 4096;

    private LinuxLoader() {
    }

    /**
     * Loads {@code kernel} (and {@code initrd}, may be null) into {@code memory} and gives {@code cpu} the entry
     * state through {@code requested}, or with null through the first path of the list above that the kernel allows.
     * With {@code acpi} the ACPI tables describing that hardware go to 0xF0000 and boot_params points at them;
     * without, the kernel finds no ACPI (and halts the CPU where it would power off).
     */
    public static Layout load(GuestMemory memory, CpuState cpu, byte[] kernel, byte[] initrd, String cmdline, EntryPath requested,
                              AcpiTables.Hardware acpi) {
        SetupHeader header = SetupHeader.parse(kernel);
        byte[] cmd = commandLine(cmdline, header);
        Vmlinux vmlinux = requested == null || requested == EntryPath.VMLINUX_64 ? unpack(kernel, header) : null;
        EntryPath path = requested != null ? requested
                : vmlinux != null ? EntryPath.VMLINUX_64 : header.has64BitEntry() ? EntryPath.BZIMAGE_64 : EntryPath.BZIMAGE_32;
        if (path == EntryPath.VMLINUX_64 && vmlinux == null) {
            throw new BootException("kernel", "the kernel's payload cannot be unpacked on the host (it is not an xz- or gzip-compressed "
                    + "64-bit vmlinux): boot it through its bzImage entry instead");
        }
        if (path == EntryPath.BZIMAGE_64 && !header.has64BitEntry()) {
            throw new BootException("kernel", "the kernel has no 64-bit entry point (XLF_KERNEL_64 is clear in xloadflags): use the 32-bit entry");
        }
        int pmOffset = header.protectedModeOffset();
        long kernelStart = vmlinux != null ? vmlinux.start() : BZIMAGE_LOAD;
        long imageEnd = vmlinux != null ? vmlinux.end() : BZIMAGE_LOAD + kernel.length - pmOffset;
        // init_size is what the kernel needs from where it runs (pref_address for a relocatable kernel) while it starts
        long kernelEnd = Math.max(imageEnd, Math.max(kernelStart, header.prefAddress()) + header.initSize());

        List<E820Entry> e820 = E820Entry.of(memory);
        requireRam(e820, GDT, PAGE_TABLES_END, "memory_regions",
                "Linux direct boot needs guest RAM at 0x6000-0xefff for its GDT, boot_params and page tables: give the VM a memory region at address 0");
        requireRam(e820, CMDLINE, CMDLINE + cmd.length, "memory_regions",
                "Linux direct boot needs guest RAM at 0x20000 for the command line: give the VM a memory region at address 0");
        requireRam(e820, kernelStart, kernelEnd, "memory_regions", String.format(
                "the kernel needs RAM at 0x%x-0x%x (%d MiB, its image plus init_size): add memory so that a region covers it",
                kernelStart, kernelEnd - 1, (kernelEnd - kernelStart + (1 << 20) - 1) >> 20));
        long initrdSize = initrd == null ? 0 : initrd.length;
        long initrdAddress = initrd == null ? 0 : placeInitrd(e820, kernelEnd, initrdSize, header.initrdAddrMax());

        if (acpi != null) {
            if (memory.slotAt(AcpiTables.RSDP) == null || memory.slotAt(AcpiTables.RSDP + AcpiTables.SIZE - 1) == null) {
                throw new BootException("memory_regions", "the ACPI tables go to 0xF0000: give the VM a memory region that covers the first MiB");
            }
        }
        byte[] params = BootParams.build(kernel, header, CMDLINE, initrdAddress, initrdSize, e820, acpi == null ? 0 : AcpiTables.RSDP);
        memory.write(BOOT_PARAMS, params, 0, params.length);
        if (acpi != null) {
            byte[] tables = AcpiTables.build(acpi);
            memory.write(AcpiTables.RSDP, tables, 0, tables.length);
        }
        memory.write(CMDLINE, cmd, 0, cmd.length);
        writeGdt(memory, path == EntryPath.BZIMAGE_32 ? CODE32 : CODE64);
        long entry;
        if (vmlinux != null) {
            for (Vmlinux.Segment s : vmlinux.segments()) {
                memory.write(s.physAddr(), vmlinux.file(), s.offset(), s.fileSize());
                zero(memory, s.physAddr() + s.fileSize(), s.memSize() - s.fileSize());
            }
            entry = vmlinux.entry();
        } else {
            memory.write(BZIMAGE_LOAD, kernel, pmOffset, kernel.length - pmOffset);
            entry = path == EntryPath.BZIMAGE_64 ? BZIMAGE_LOAD + 0x200 : BZIMAGE_LOAD;
        }
        if (initrd != null) {
            memory.write(initrdAddress, initrd, 0, initrd.length);
        }
        cpu.reset();
        if (path == EntryPath.BZIMAGE_32) {
            enterProtected32(cpu);
        } else {
            writeIdentityMap(memory);
            enterLongMode(cpu);
        }
        cpu.rip = entry;
        cpu.gpr[6] = BOOT_PARAMS;
        return new Layout(path, entry, kernelStart, imageEnd, initrdAddress, initrdSize,
                (header.version() >> 8) + "." + String.format("%02d", header.version() & 0xff), e820);
    }

    /** The checks that need no guest memory: a usable setup header and a command line this kernel takes. */
    public static void check(byte[] kernel, String cmdline) {
        commandLine(cmdline, SetupHeader.parse(kernel));
    }

    private static byte[] commandLine(String cmdline, SetupHeader header) {
        String text = cmdline == null ? "" : cmdline;
        if (text.indexOf('\0') >= 0) {
            throw new BootException("cmdline", "the kernel command line must not contain a NUL character");
        }
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > header.cmdlineSize()) {
            throw new BootException("cmdline", String.format("the kernel command line is %d bytes; this kernel takes at most %d",
                    bytes.length, header.cmdlineSize()));
        }
        return java.util.Arrays.copyOf(bytes, bytes.length + 1);
    }

    private static Vmlinux unpack(byte[] kernel, SetupHeader header) {
        long payload = (long) header.protectedModeOffset() + header.payloadOffset();
        if (header.payloadLength() <= 0 || payload + header.payloadLength() > kernel.length) {
            throw new BootException("kernel", String.format(
                    "the bzImage is truncated: its payload claims 0x%x bytes at file offset 0x%x but the file has 0x%x",
                    header.payloadLength(), payload, kernel.length));
        }
        KernelPayload.Format format = KernelPayload.format(kernel, (int) payload, header.payloadLength());
        if (!format.hostUnpacks) {
            return null;
        }
        byte[] elf = KernelPayload.unpack(kernel, (int) payload, header.payloadLength(), format);
        return Vmlinux.isElf64X86(elf) ? Vmlinux.parse(elf) : null;
    }

    /**
     * The initrd goes as high as possible, page-aligned, in RAM above the kernel and below initrd_addr_max (the
     * placement boot.rst recommends), so the kernel's early allocations never run into it.
     */
    private static long placeInitrd(List<E820Entry> e820, long kernelEnd, long size, long addrMax) {
        long largest = 0;
        for (E820Entry e : e820.reversed()) {
            if (e.type() != E820Entry.RAM) {
                continue;
            }
            long low = Math.max(e.address(), kernelEnd);
            long high = Math.min(e.end(), addrMax + 1);
            long address = (high - size) & -PAGE;
            if (high > low && address >= low) {
                return address;
            }
            largest = Math.max(largest, high - low);
        }
        throw new BootException("initrd", String.format(
                "the initrd (%d KiB) does not fit in guest RAM above the kernel (which needs memory up to 0x%x) and below 0x%x;"
                        + " the largest free range is %d KiB: give the VM more memory", size >> 10, kernelEnd, addrMax + 1,
                Math.max(largest, 0) >> 10));
    }

    private static void requireRam(List<E820Entry> e820, long start, long end, String field, String message) {
        for (E820Entry e : e820) {
            if (e.type() == E820Entry.RAM && e.address() <= start && end <= e.end()) {
                return;
            }
        }
        throw new BootException(field, message);
    }

    private static void zero(GuestMemory memory, long address, long length) {
        byte[] zeros = new byte[(int) Math.min(length, 1 << 16)];
        for (long done = 0; done < length; done += zeros.length) {
            memory.write(address + done, zeros, 0, (int) Math.min(zeros.length, length - done));
        }
    }

    /** Null, null, then __BOOT_CS (64-bit code, or flat 32-bit code for the 32-bit path) and __BOOT_DS (flat data). */
    private static void writeGdt(GuestMemory memory, long codeDescriptor) {
        ByteBuffer gdt = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
        gdt.putLong(16, codeDescriptor);
        gdt.putLong(24, DATA);
        memory.write(GDT, gdt.array(), 0, 32);
    }

    /** PML4[0] → PDPT, PDPT[0..3] → four page directories of 2 MiB pages: 0-4 GiB mapped to itself. */
    private static void writeIdentityMap(GuestMemory memory) {
        ByteBuffer t = ByteBuffer.allocate((int) (PAGE_TABLES_END - PML4)).order(ByteOrder.LITTLE_ENDIAN);
        long present = 0x3, large = 0x83;
        t.putLong(0, PDPT | present);
        for (int i = 0; i < 4; i++) {
            t.putLong((int) (PDPT - PML4) + 8 * i, (PAGE_DIRECTORIES + PAGE * i) | present);
        }
        for (int i = 0; i < 4 * 512; i++) {
            t.putLong((int) (PAGE_DIRECTORIES - PML4) + 8 * i, ((long) i << 21) | large);
        }
        memory.write(PML4, t.array(), 0, t.capacity());
    }

    private static void enterLongMode(CpuState cpu) {
        Segment code = new Segment(BOOT_CS, 0, 0xffffffff, 11, 1, 0, 0, 1, 1, 1, 0, 0);
        setSegments(cpu, code);
        cpu.cr0 = ControlRegisters.CR0_PE | ControlRegisters.CR0_ET | ControlRegisters.CR0_PG;
        cpu.cr3 = PML4;
        cpu.cr4 = ControlRegisters.CR4_PAE;
        cpu.efer = ControlRegisters.EFER_LME | ControlRegisters.EFER_LMA;
    }

    private static void enterProtected32(CpuState cpu) {
        setSegments(cpu, new Segment(BOOT_CS, 0, 0xffffffff, 11, 1, 0, 1, 1, 0, 1, 0, 0));
        cpu.cr0 = ControlRegisters.CR0_PE | ControlRegisters.CR0_ET;
    }

    private static void setSegments(CpuState cpu, Segment code) {
        Segment data = new Segment(BOOT_DS, 0, 0xffffffff, 3, 1, 0, 1, 1, 0, 1, 0, 0);
        for (int s = 0; s < 6; s++) {
            cpu.seg[s] = s == SegmentRegister.CS ? code : data;
        }
        cpu.gdt = new DescriptorTable(GDT, 31);
        cpu.rflags = Rflags.FIXED1;
    }
}
