package dev.restvisor.core.boot;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.GZIPOutputStream;

/** Small bzImages built to boot.rst for tests: a setup header and a gzip-compressed ELF64 vmlinux of a few bytes. */
public final class SyntheticKernel {
    private SyntheticKernel() {
    }

    public static final long KERNEL_PADDR = 0x1000000, ENTRY = 0x1000040;
    public static final byte[] TEXT = {(byte) 0xF4, (byte) 0xEB, (byte) 0xFD};

    /** A bzImage of protocol {@code version}: 1 setup sector, the header, and a gzip-compressed vmlinux payload. */
    public static byte[] bzImage(int version, int xloadflags, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(1024 + 0x200 + payload.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(0x1F1, (byte) 1);                 // setup_sects
        b.putShort(0x1FE, (short) 0xAA55);
        b.put(0x201, (byte) 0x6A);              // header ends at 0x26C
        b.putInt(0x202, 0x53726448);            // "HdrS"
        b.putShort(0x206, (short) version);
        b.put(0x211, (byte) 0x01);              // LOADED_HIGH
        b.putInt(0x214, 0x100000);              // code32_start
        b.putInt(0x22C, 0x7FFFFFFF);            // initrd_addr_max
        b.putInt(0x230, 0x200000);              // kernel_alignment
        b.putShort(0x236, (short) xloadflags);
        b.putInt(0x238, 255);                   // cmdline_size
        b.putInt(0x248, 0x200);                 // payload_offset from the protected-mode part (at 0x400)
        b.putInt(0x24C, payload.length);
        b.putLong(0x258, KERNEL_PADDR);         // pref_address
        b.putInt(0x260, 0x400000);              // init_size: 4 MiB
        b.put(0x400 + 0x200, payload);
        return b.array();
    }

    /** An ELF64 x86-64 executable with one PT_LOAD from KERNEL_PADDR holding TEXT at its entry (+0x40), 0x2000 bytes of memory (a .bss). */
    public static byte[] vmlinux() {
        ByteBuffer e = ByteBuffer.allocate(0x100).order(ByteOrder.LITTLE_ENDIAN);
        e.put(new byte[] {0x7F, 'E', 'L', 'F', 2, 1, 1});
        e.putShort(16, (short) 2).putShort(18, (short) 62).putInt(20, 1).putLong(24, ENTRY).putLong(32, 64);
        e.putShort(52, (short) 64).putShort(54, (short) 56).putShort(56, (short) 1);
        e.putInt(64, 1).putInt(68, 7).putLong(72, 0x80).putLong(80, 0xffffffff81000000L).putLong(88, KERNEL_PADDR)
                .putLong(96, 0x40 + TEXT.length).putLong(104, 0x2000).putLong(112, 0x1000);
        e.put(0xC0, TEXT);
        return e.array();
    }

    public static byte[] gzip(byte[] data) throws java.io.IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(data);
        }
        return out.toByteArray();
    }
}
