package dev.restvisor.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.restvisor.RestvisorApplication;
import dev.restvisor.linux.LinuxGuest;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The browser console end to end: the service on a random port serves the built console at
 * {@code /}, and frontend/e2e/console.e2e.mjs drives Debian's headless Chromium through it with
 * playwright-core (no browser download). Screenshots go to target/e2e-screenshots. Skipped with
 * a message where /usr/bin/chromium, node, or the frontend build is absent, or with
 * -Dskip.frontend=true.
 *
 * <p>The service runs on an H2 file so that the script can have it restarted under the open page: it
 * prints {@code e2e service: stop} or {@code e2e service: start} and waits for {@code stop done} or
 * {@code start done} on its standard input. The restarted service listens on the same port.
 *
 * <p>Where the Linux guest is cached ({@link LinuxGuest}), the script also boots it from the create dialog:
 * the kernel and a freshly built initramfs are handed over as files to upload.
 */
class ConsoleBrowserTest {

    private static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));
    private static final Path FRONTEND = Path.of("frontend").toAbsolutePath();
    private static final String CONTROL = "e2e service: ";

    @TempDir
    Path dir;

    private ConfigurableApplicationContext start(int port) {
        return new SpringApplicationBuilder(RestvisorApplication.class).run("--server.port=" + port,
                "--spring.datasource.url=jdbc:h2:file:" + dir.resolve("catalog").toAbsolutePath(),
                "--restvisor.limits.vm-memory-bytes=268435456", "--restvisor.limits.total-memory-bytes=536870912");
    }

    @Test
    void consoleWorksInHeadlessChromium() throws Exception {
        assumeFalse(Boolean.getBoolean("skip.frontend"), "browser tests skipped: -Dskip.frontend=true");
        assumeTrue(Files.isExecutable(CHROMIUM), "browser tests skipped: " + CHROMIUM + " is absent (apt-get install chromium)");
        assumeTrue(Files.exists(Path.of("target/classes/static/index.html")),
                "browser tests skipped: the console is not built (target/classes/static/index.html); run without -Dskip.frontend");
        assumeTrue(Files.isDirectory(FRONTEND.resolve("node_modules/playwright-core")),
                "browser tests skipped: frontend/node_modules is missing (npm ci)");
        assumeTrue(nodeAvailable(), "browser tests skipped: node is not on the PATH");

        Path shots = Path.of("target/e2e-screenshots").toAbsolutePath();
        ConfigurableApplicationContext service = start(0);
        int port = Integer.parseInt(service.getEnvironment().getProperty("local.server.port"));
        List<String> lines = new ArrayList<>();
        try {
            ProcessBuilder pb = new ProcessBuilder("node", "e2e/console.e2e.mjs", "http://localhost:" + port, shots.toString())
                    .directory(FRONTEND.toFile())
                    .redirectErrorStream(true);
            pb.environment().put("E2E_SERVICE_CONTROL", "stdin");
            if (LinuxGuest.find() instanceof LinuxGuest linux) {
                Path initrd = Files.write(dir.resolve("initramfs.cpio"), linux.initramfs());
                pb.environment().put("E2E_LINUX_KERNEL", linux.kernel().toAbsolutePath().toString());
                pb.environment().put("E2E_LINUX_INITRD", initrd.toString());
            }
            Process p = pb.start();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                    Writer control = new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8)) {
                for (String line; (line = r.readLine()) != null; ) {
                    System.out.println("[console e2e] " + line);
                    lines.add(line);
                    if (line.equals(CONTROL + "stop")) {
                        service.close();
                    } else if (line.equals(CONTROL + "start")) {
                        service = start(port);
                    } else {
                        continue;
                    }
                    control.write(line.substring(CONTROL.length()) + " done\n");
                    control.flush();
                }
            }
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
            }
            List<String> failures = lines.stream().filter(l -> l.startsWith("FAIL")).toList();
            assertEquals(0, p.exitValue(), () -> "browser checks failed:\n" + String.join("\n", failures.isEmpty() ? lines : failures));
        } finally {
            service.close();
        }
    }

    private static boolean nodeAvailable() {
        try {
            Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}
