package dev.restvisor.core.boot;

import java.util.ArrayList;
import java.util.List;

/**
 * The decompressed kernel: an ELF64 x86-64 executable (System V gABI, "ELF Header" and "Program Header")
 * whose PT_LOAD segments go to their physical addresses and whose entry point is startup_64.
 *
 * @param entry    e_entry, the physical address of startup_64
 * @param segments the PT_LOAD segments in file order
 */
record Vmlinux(byte[] file, long entry, List<Segment> segments) {

    /** One PT_LOAD: {@code fileSize} bytes from {@code offset} go to {@code physAddr}, then zeros up to {@code memSize}. */
    record Segment(long physAddr, int offset, int fileSize, long memSize) {
        long end() {
            return physAddr + memSize;
        }
    }

    private static final int PT_LOAD = 1, EM_X86_64 = 62;

    /** True for an ELF64 x86-64 file: a 32-bit kernel's vmlinux is entered through the bzImage instead. */
    static boolean isElf64X86(byte[] f) {
        return f.length >= 64 && f[0] == 0x7F && f[1] == 'E' && f[2] == 'L' && f[3] == 'F' && f[4] == 2 && f[5] == 1
                && SetupHeader.u16(f, 18) == EM_X86_64;
    }

    static Vmlinux parse(byte[] f) {
        if (!isElf64X86(f)) {
            throw fault("it is not a little-endian ELF64 x86-64 image");
        }
        long phoff = SetupHeader.u64(f, 32);
        int phentsize = SetupHeader.u16(f, 54), phnum = SetupHeader.u16(f, 56);
        if (phentsize < 56 || phoff < 0 || phoff + (long) phentsize * phnum > f.length) {
            throw fault("its program header table lies outside the file");
        }
        List<Segment> segments = new ArrayList<>();
        for (int i = 0; i < phnum; i++) {
            int ph = (int) phoff + i * phentsize;
            if (SetupHeader.u32(f, ph) != PT_LOAD) {
                continue;
            }
            long offset = SetupHeader.u64(f, ph + 8), paddr = SetupHeader.u64(f, ph + 24);
            long filesz = SetupHeader.u64(f, ph + 32), memsz = SetupHeader.u64(f, ph + 40);
            if (offset < 0 || filesz < 0 || offset + filesz > f.length || memsz < filesz || paddr < 0 || paddr + memsz < paddr) {
                throw fault("PT_LOAD segment " + i + " lies outside the file or has memsz < filesz");
            }
            segments.add(new Segment(paddr, (int) offset, (int) filesz, memsz));
        }
        if (segments.isEmpty()) {
            throw fault("it has no PT_LOAD segment");
        }
        return new Vmlinux(f, SetupHeader.u64(f, 24), List.copyOf(segments));
    }

    long start() {
        return segments.stream().mapToLong(Segment::physAddr).min().orElseThrow();
    }

    long end() {
        return segments.stream().mapToLong(Segment::end).max().orElseThrow();
    }

    private static BootException fault(String why) {
        return new BootException("kernel", "the bzImage payload is not a usable vmlinux: " + why);
    }
}
