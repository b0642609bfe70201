package dev.restvisor.service.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.restvisor.linux.LinuxGuest;
import io.restassured.RestAssured;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The flagship: Debian 12's stock kernel boots with an initramfs built by the project around Debian's
 * static busybox, through the API as a user does it (upload, define, start), and answers at its shell
 * over the console WebSocket, then powers off (ACPI S5); `reboot -f` resets the VM into a new boot. Two boots with the
 * virtual clock print the same bytes up to the prompt, and a third with the real-time clock answers too.
 * The guest comes from tools/fetch-linux-guest.sh; without it the test is skipped, saying so, unless
 * RESTVISOR_REQUIRE_LINUX is set (as .ci/run does), where it fails.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"spring.datasource.url=jdbc:h2:mem:restvisor-linux;DB_CLOSE_DELAY=-1"})
class LinuxBootTest {
    static final String CMDLINE = "console=ttyS0 pci=off tsc=reliable cryptomgr.notests mitigations=off 8250.nr_uarts=1";
    static final String PROMPT = "/ # ";
    /** Generous: about 520 million guest instructions to the prompt, on a loaded CI machine. */
    static final long BOOT_MILLIS = 600_000, ANSWER_MILLIS = 60_000;

    @LocalServerPort
    int port;

    @BeforeEach
    void restAssured() {
        RestAssured.port = port;
    }

    static LinuxGuest guest() {
        Object found = LinuxGuest.find();
        if (found instanceof LinuxGuest g) {
            return g;
        }
        if (System.getenv("RESTVISOR_REQUIRE_LINUX") != null) {
            fail(found.toString());
        }
        Assumptions.abort(found.toString());
        return null;
    }

    private String upload(String name, byte[] bytes) {
        return given().contentType("application/octet-stream").body(bytes).post("/images?name=" + name)
                .then().statusCode(201).extract().path("id");
    }

    private String linuxVm(String kernel, String initrd, String clock) {
        return ApiTest.createVm(Map.of("name", "linux", "vcpus", 1, "clock", clock,
                "memory_regions", List.of(Map.of("slot", 0, "guest_phys_addr", "0x0", "memory_size", "0x10000000")),
                "devices", Map.of("serial", List.of("com1"), "pic", true, "pit", true, "rtc", true, "system_control", true, "acpi", true),
                "boot", Map.of("kind", "linux", "kernel", kernel, "initrd", initrd, "cmdline", CMDLINE)));
    }

    private ServiceDrivenTest.Collector console(String vm) {
        ServiceDrivenTest.Collector out = new ServiceDrivenTest.Collector();
        HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create("ws://localhost:" + port + "/vms/" + vm + "/console"), out).join();
        return out;
    }

    private WebSocket typist(String vm) {
        return HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create("ws://localhost:" + port + "/vms/" + vm + "/console"), new ServiceDrivenTest.Collector()).join();
    }

    /** Types a command line and returns what the shell printed between the echoed command and the next prompt. */
    private static String run(WebSocket ws, ServiceDrivenTest.Collector out, String command) throws InterruptedException {
        int before = out.awaitContaining("", 0).length();
        ws.sendBinary(ByteBuffer.wrap((command + "\n").getBytes(StandardCharsets.US_ASCII)), true).join();
        String all = out.awaitMatching("(?s).{" + before + "}.*" + Pattern.quote(command) + "\r\n.*" + Pattern.quote(PROMPT) + ".*", ANSWER_MILLIS);
        String after = all.substring(before);
        int start = after.indexOf(command + "\r\n");
        assertTrue(start >= 0, () -> "no echo of '" + command + "' in: " + after);
        int end = after.indexOf(PROMPT, start);
        assertTrue(end >= 0, () -> "no prompt after '" + command + "' in: " + after);
        return after.substring(start + command.length() + 2, end);
    }

    private static String bootToPrompt(ServiceDrivenTest.Collector out) throws InterruptedException {
        String text = out.awaitMatching("(?s).*BOOT-OK.*" + Pattern.quote(PROMPT) + ".*", BOOT_MILLIS);
        assertTrue(text.contains("BOOT-OK"), () -> "no BOOT-OK marker; the console showed:\n" + text);
        int prompt = text.indexOf(PROMPT, text.indexOf("BOOT-OK"));
        assertTrue(prompt >= 0, () -> "no shell prompt; the console showed:\n" + text);
        return text.substring(0, prompt + PROMPT.length());
    }

    @Test
    void debianKernelBootsToAShellThatAnswersAndPowersOff() throws Exception {
        LinuxGuest guest = guest();
        String kernel = upload("vmlinuz", guest.kernelBytes());
        String initrd = upload("initramfs.cpio", guest.initramfs());
        String first = linuxVm(kernel, initrd, "virtual");
        String second = linuxVm(kernel, initrd, "virtual");
        String realtime = linuxVm(kernel, initrd, "realtime");
        ServiceDrivenTest.Collector out = console(first);
        ServiceDrivenTest.Collector twin = console(second);
        ServiceDrivenTest.Collector wallClock = console(realtime);
        for (String vm : List.of(first, second, realtime)) {
            ApiTest.json().body(Map.of("action", "start")).post("/vms/" + vm + "/actions").then().statusCode(200);
        }

        String boot = bootToPrompt(out);
        Matcher version = Pattern.compile("Linux version (\\S+)").matcher(boot);
        assertTrue(version.find(), boot);
        assertTrue(boot.contains("Run /init as init process"), boot);

        WebSocket ws = typist(first);
        assertEquals(version.group(1) + "\r\n", run(ws, out, "uname -r"));
        assertEquals("42\r\n", run(ws, out, "echo $((6*7))"));
        String cpuinfo = run(ws, out, "cat /proc/cpuinfo");
        assertTrue(cpuinfo.contains("vendor_id\t: GenuineIntel\r\n"), cpuinfo);
        assertTrue(cpuinfo.contains("model name\t: Restvisor x86-64 interpreter\r\n"), cpuinfo);
        assertTrue(Pattern.compile("flags\t\t: fpu .*\\bsse2\\b.*\\bsyscall\\b.*\\blm\\b").matcher(cpuinfo).find(), cpuinfo);
        String ls = run(ws, out, "ls /");
        for (String entry : new String[] {"bin", "dev", "init", "proc", "sys", "tmp"}) {
            assertTrue(Pattern.compile("\\b" + entry + "\\b").matcher(ls).find(), ls);
        }
        ws.sendBinary(ByteBuffer.wrap("poweroff -f\n".getBytes(StandardCharsets.US_ASCII)), true).join();
        assertTrue(out.awaitContaining("reboot: Power down", ANSWER_MILLIS).contains("reboot: Power down"), "ACPI S5");
        awaitState(first, "stopped");
        given().get("/vms/" + first + "/boot-source").then().statusCode(200).body("kind", equalTo("linux")).body("cmdline", equalTo(CMDLINE));

        assertEquals(boot, bootToPrompt(twin), "two boots with the virtual clock print the same bytes up to the prompt");
        WebSocket twinTypist = typist(second);
        twinTypist.sendBinary(ByteBuffer.wrap("reboot -f\n".getBytes(StandardCharsets.US_ASCII)), true).join();
        String rebooted = twin.awaitMatching("(?s).*reboot: Restarting system.*Linux version.*", BOOT_MILLIS);
        assertTrue(rebooted.matches("(?s).*reboot: Restarting system.*Linux version.*"), "reboot -f resets into a new boot:\n" + rebooted);
        given().get("/vms/" + second).then().body("state", equalTo("running"));
        ApiTest.json().body(Map.of("action", "stop")).post("/vms/" + second + "/actions").then().statusCode(200);

        bootToPrompt(wallClock);
        WebSocket wallTypist = typist(realtime);
        assertEquals("42\r\n", run(wallTypist, wallClock, "echo $((6*7))"));
        assertTrue(run(wallTypist, wallClock, "cat /proc/interrupts").matches("(?s).*\\s0:\\s+[1-9]\\d*\\s+XT-PIC\\s+timer.*"),
                "timer interrupts arrive under the real-time clock");
        ApiTest.json().body(Map.of("action", "stop")).post("/vms/" + realtime + "/actions").then().statusCode(200);
    }

    private static void awaitState(String vm, String state) throws InterruptedException {
        long deadline = System.currentTimeMillis() + ANSWER_MILLIS;
        while (!state.equals(given().get("/vms/" + vm).then().extract().path("state")) && System.currentTimeMillis() < deadline) {
            TimeUnit.MILLISECONDS.sleep(50);
        }
        given().get("/vms/" + vm).then().body("state", equalTo(state));
    }
}
