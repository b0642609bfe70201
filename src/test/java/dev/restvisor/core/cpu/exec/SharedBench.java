package dev.restvisor.core.cpu.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * The ../shared/bench guests built for a test: the folder is copied under target/ and built there with the
 * workload sizes the test chooses (its build.sh takes them as EXTRA_CFLAGS), native programs included. The
 * calling test is skipped, saying why, where ../shared/bench, gcc or nasm is missing.
 */
public final class SharedBench {
    private SharedBench() {
    }

    /** Builds a fresh copy in target/{@code folder}; returns its absolute path (guests in out/guest, native in out/native). */
    public static Path build(String folder, String sizes) throws IOException, InterruptedException {
        Path shared = Path.of("..", "shared", "bench");
        Assumptions.assumeTrue(Files.isRegularFile(shared.resolve("build.sh")), "../shared/bench not present");
        Assumptions.assumeTrue(tool("gcc") && tool("nasm"), "gcc or nasm not available");
        Path bench = Path.of("target", folder).toAbsolutePath();
        run(Path.of("."), List.of("rm", "-rf", bench.toString()));
        run(Path.of("."), List.of("cp", "-r", shared.toString(), bench.toString()));
        run(bench, List.of("env", "EXTRA_CFLAGS=" + sizes, "sh", "./build.sh"));
        return bench;
    }

    /** Runs a command in {@code dir}, asserts it succeeded and returns its output. */
    public static String run(Path dir, List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), String.join(" ", command) + ": " + out);
        return out;
    }

    private static boolean tool(String name) {
        try {
            return new ProcessBuilder(name, "--version").redirectErrorStream(true).start().waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}
