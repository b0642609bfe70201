package dev.restvisor.core.boot;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;
import org.tukaani.xz.SingleXZInputStream;

/**
 * The compressed kernel inside a bzImage (boot.rst "payload_offset"): recognised by its magic number and, for
 * the formats the host unpacks (xz, the Debian default, and gzip), decompressed into the vmlinux ELF image so
 * that the guest need not spend billions of instructions decompressing itself.
 */
final class KernelPayload {
    /** A decompressed kernel larger than this is refused rather than held in memory. */
    static final int MAX_VMLINUX = 512 << 20;

    /** The payload formats boot.rst lists, by magic number. */
    enum Format {
        GZIP("gzip", true), XZ("xz", true), BZIP2("bzip2", false), LZMA("lzma", false), LZO("lzo", false),
        LZ4("lz4", false), ZSTD("zstd", false), ELF("uncompressed ELF", true), UNKNOWN("unknown", false);

        final String label;
        final boolean hostUnpacks;

        Format(String label, boolean hostUnpacks) {
            this.label = label;
            this.hostUnpacks = hostUnpacks;
        }
    }

    private KernelPayload() {
    }

    static Format format(byte[] image, int off, int length) {
        if (length < 6) {
            return Format.UNKNOWN;
        }
        int b0 = image[off] & 0xff, b1 = image[off + 1] & 0xff, b2 = image[off + 2] & 0xff, b3 = image[off + 3] & 0xff;
        if (b0 == 0x1F && (b1 == 0x8B || b1 == 0x9E)) {
            return Format.GZIP;
        }
        if (b0 == 0xFD && b1 == '7' && b2 == 'z' && b3 == 'X' && (image[off + 4] & 0xff) == 'Z' && image[off + 5] == 0) {
            return Format.XZ;
        }
        if (b0 == 'B' && b1 == 'Z' && b2 == 'h') {
            return Format.BZIP2;
        }
        if (b0 == 0x5D && b1 == 0) {
            return Format.LZMA;
        }
        if (b0 == 0x89 && b1 == 'L' && b2 == 'Z') {
            return Format.LZO;
        }
        if (b0 == 0x02 && b1 == 0x21 && b2 == 0x4C && b3 == 0x18) {
            return Format.LZ4;
        }
        if (b0 == 0x28 && b1 == 0xB5 && b2 == 0x2F && b3 == 0xFD) {
            return Format.ZSTD;
        }
        if (b0 == 0x7F && b1 == 'E' && b2 == 'L' && b3 == 'F') {
            return Format.ELF;
        }
        return Format.UNKNOWN;
    }

    /** Unpacks a payload of a host-unpacked format; a damaged stream is a "kernel" fault. */
    static byte[] unpack(byte[] image, int off, int length, Format format) {
        if (format == Format.ELF) {
            return java.util.Arrays.copyOfRange(image, off, off + length);
        }
        try (InputStream in = open(new ByteArrayInputStream(image, off, length), format)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(64 << 20);
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                if (out.size() + n > MAX_VMLINUX) {
                    throw new BootException("kernel", "the kernel payload unpacks to more than " + (MAX_VMLINUX >> 20) + " MiB");
                }
                out.write(buf, 0, n);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new BootException("kernel", "the kernel's " + format.label + " payload is corrupt: " + e.getMessage());
        }
    }

    private static InputStream open(InputStream raw, Format format) throws IOException {
        return switch (format) {
            case GZIP -> new GZIPInputStream(raw, 1 << 16);
            case XZ -> new SingleXZInputStream(raw); // one stream: the 4-byte size the build appends is not a second one
            default -> throw new IllegalArgumentException("the host does not unpack " + format.label);
        };
    }
}
