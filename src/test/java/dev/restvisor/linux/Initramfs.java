package dev.restvisor.linux;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes an initramfs as the kernel unpacks it: an uncompressed cpio archive in the "newc" format
 * (Documentation/driver-api/early-userspace/buffer-format.rst): per entry a 110-byte ASCII header of
 * "070701" and thirteen 8-digit hex fields, the NUL-terminated name and the data, each padded to 4 bytes,
 * closed by the entry "TRAILER!!!".
 */
final class Initramfs {
    private static final int S_IFDIR = 0040000, S_IFREG = 0100000, S_IFLNK = 0120000, S_IFCHR = 0020000;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private int inode = 1;

    Initramfs directory(String path) {
        return entry(path, S_IFDIR | 0755, 2, 0, 0, new byte[0]);
    }

    Initramfs file(String path, int permissions, byte[] data) {
        return entry(path, S_IFREG | permissions, 1, 0, 0, data);
    }

    Initramfs symlink(String path, String target) {
        return entry(path, S_IFLNK | 0777, 1, 0, 0, target.getBytes(StandardCharsets.UTF_8));
    }

    Initramfs characterDevice(String path, int permissions, int major, int minor) {
        return entry(path, S_IFCHR | permissions, 1, major, minor, new byte[0]);
    }

    /** The archive, closed by its trailer. */
    byte[] build() {
        entry("TRAILER!!!", 0, 1, 0, 0, new byte[0]);
        return out.toByteArray();
    }

    private Initramfs entry(String path, int mode, int links, int rdevMajor, int rdevMinor, byte[] data) {
        byte[] name = path.getBytes(StandardCharsets.UTF_8);
        String header = String.format("070701%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x",
                path.equals("TRAILER!!!") ? 0 : inode++, mode, 0, 0, links, 0, data.length, 0, 0, rdevMajor, rdevMinor,
                name.length + 1, 0);
        out.writeBytes(header.getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(name);
        out.write(0);
        pad();
        out.writeBytes(data);
        pad();
        return this;
    }

    private void pad() {
        while (out.size() % 4 != 0) {
            out.write(0);
        }
    }
}
