package dev.restvisor.linux;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The Linux guest of the tests and benchmarks: Debian 12's stock kernel and an initramfs built here around
 * Debian's static busybox. tools/fetch-linux-guest.sh puts both packages' files into the cache folder
 * ($RESTVISOR_LINUX_CACHE, default ~/.cache/restvisor/linux); where they are missing, {@link #find()} says why.
 */
public record LinuxGuest(Path kernel, Path busybox) {

    public static Path cacheFolder() {
        String configured = System.getenv("RESTVISOR_LINUX_CACHE");
        return configured != null && !configured.isBlank() ? Path.of(configured)
                : Path.of(System.getProperty("user.home"), ".cache", "restvisor", "linux");
    }

    /** The cached guest, or a message naming what is missing and how to get it. */
    public static Object find() {
        Path folder = cacheFolder();
        LinuxGuest guest = new LinuxGuest(folder.resolve("vmlinuz"), folder.resolve("busybox"));
        if (Files.isRegularFile(guest.kernel) && Files.isRegularFile(guest.busybox)) {
            return guest;
        }
        return "the Linux guest is not in " + folder + " (vmlinuz and busybox): run tools/fetch-linux-guest.sh, which "
                + "downloads Debian's linux-image-amd64 and busybox-static packages (.ci/run does)";
    }

    public byte[] kernelBytes() throws IOException {
        return Files.readAllBytes(kernel);
    }

    /** The initramfs: /bin/busybox, /init from src/test/resources/linux/init, the mount points and /dev/console. */
    public byte[] initramfs() throws IOException {
        Initramfs cpio = new Initramfs();
        for (String dir : new String[] {"bin", "dev", "proc", "sys", "tmp", "root", "etc"}) {
            cpio.directory(dir);
        }
        cpio.characterDevice("dev/console", 0600, 5, 1);
        cpio.file("bin/busybox", 0755, Files.readAllBytes(busybox));
        try (InputStream init = LinuxGuest.class.getResourceAsStream("/linux/init")) {
            cpio.file("init", 0755, init.readAllBytes());
        }
        return cpio.build();
    }
}
