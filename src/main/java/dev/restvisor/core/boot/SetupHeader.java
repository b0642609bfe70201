package dev.restvisor.core.boot;

/**
 * The real-mode kernel header at offset 0x1F1 of a bzImage (Documentation/arch/x86/boot.rst, "The Real-Mode
 * Kernel Header"), validated for direct boot: the "HdrS" signature, a boot protocol of at least 2.10 and a
 * kernel loaded high (a bzImage, not a zImage).
 *
 * @param setupSects      sectors of real-mode setup code after the boot sector (0 means 4)
 * @param version         boot protocol version, major in the high byte
 * @param loadflags       LOADED_HIGH, KEEP_SEGMENTS, CAN_USE_HEAP...
 * @param code32Start     the 32-bit entry point of the protected-mode part loaded at its default address
 * @param initrdAddrMax   the highest address the initrd may occupy
 * @param kernelAlignment the alignment a relocatable kernel needs
 * @param xloadflags      XLF_KERNEL_64 (a 64-bit entry at load address + 0x200) and friends (2.12+)
 * @param cmdlineSize     the longest command line, without its terminating NUL
 * @param payloadOffset   where the compressed kernel starts, from the start of the protected-mode part
 * @param payloadLength   its length
 * @param prefAddress     where a relocatable kernel prefers to run
 * @param initSize        the memory the kernel needs from its load address while it starts
 * @param headerEnd       the end of the header (0x202 plus the byte at 0x201), exclusive
 */
public record SetupHeader(int setupSects, int version, int loadflags, long code32Start, long initrdAddrMax,
                          long kernelAlignment, int xloadflags, int cmdlineSize, int payloadOffset,
                          int payloadLength, long prefAddress, long initSize, int headerEnd) {

    /** The oldest protocol this loader takes: 2.10 gives pref_address and init_size (Linux 2.6.31). */
    public static final int MIN_VERSION = 0x020A;
    public static final int LOADED_HIGH = 0x01;
    public static final int XLF_KERNEL_64 = 0x01;
    public static final int HEADER_START = 0x1F1;

    /** Reads and validates the header of {@code image}; every fault names the "kernel" field. */
    public static SetupHeader parse(byte[] image) {
        if (image.length < 0x270) {
            throw new BootException("kernel", String.format(
                    "not a Linux bzImage: %d bytes is too short to hold the setup header", image.length));
        }
        if (u16(image, 0x1FE) != 0xAA55 || u32(image, 0x202) != 0x53726448) {
            throw new BootException("kernel",
                    "not a Linux bzImage: the boot sector has no 0xAA55 flag at 0x1FE or no \"HdrS\" signature at 0x202");
        }
        int version = u16(image, 0x206);
        if (version < MIN_VERSION) {
            throw new BootException("kernel", String.format(
                    "the kernel's boot protocol %d.%02d is too old: direct boot needs 2.10 (Linux 2.6.31) or later",
                    version >> 8, version & 0xff));
        }
        int loadflags = image[0x211] & 0xff;
        if ((loadflags & LOADED_HIGH) == 0) {
            throw new BootException("kernel", "the kernel is a zImage (loaded low at 0x10000); only bzImage kernels are supported");
        }
        int setupSects = image[0x1F1] & 0xff;
        if (setupSects == 0) {
            setupSects = 4;
        }
        SetupHeader h = new SetupHeader(setupSects, version, loadflags, u32(image, 0x214), u32(image, 0x22C),
                u32(image, 0x230), version >= 0x020C ? u16(image, 0x236) : 0, (int) u32(image, 0x238),
                (int) u32(image, 0x248), (int) u32(image, 0x24C), u64(image, 0x258), u32(image, 0x260),
                0x202 + (image[0x201] & 0xff));
        if (h.protectedModeOffset() >= image.length) {
            throw new BootException("kernel", String.format(
                    "the bzImage is truncated: its setup code claims %d bytes but the file has %d", h.protectedModeOffset(), image.length));
        }
        if (h.headerEnd > image.length) {
            throw new BootException("kernel", String.format("the setup header's length (ends at 0x%x) is corrupt", h.headerEnd));
        }
        return h;
    }

    /** File offset of the protected-mode kernel: the boot sector and the setup sectors come first. */
    public int protectedModeOffset() {
        return (setupSects + 1) * 512;
    }

    public boolean has64BitEntry() {
        return (xloadflags & XLF_KERNEL_64) != 0;
    }

    static int u16(byte[] b, int off) {
        return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8;
    }

    static long u32(byte[] b, int off) {
        return (u16(b, off) | (long) u16(b, off + 2) << 16) & 0xffffffffL;
    }

    static long u64(byte[] b, int off) {
        return u32(b, off) | u32(b, off + 4) << 32;
    }
}
