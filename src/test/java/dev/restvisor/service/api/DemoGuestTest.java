package dev.restvisor.service.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.restvisor.core.cpu.exec.SharedBench;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The shipped demo guest (src/main/guest/demo.S) as a new user meets it: created from the
 * template, started, driven over the console WebSocket. With the virtual clock the same input
 * gives the same console bytes, run after run.
 */
class DemoGuestTest extends ApiTest {

    private String startDemo() {
        Map<String, Object> definition = given().get("/templates/demo").then().statusCode(200)
                .body("id", equalTo("demo")).extract().path("definition");
        String vm = createVm(definition);
        json().body(Map.of("action", "start")).post("/vms/" + vm + "/actions").then().statusCode(200);
        return vm;
    }

    private WebSocket console(String vm, ServiceDrivenTest.Collector collector) {
        return HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create("ws://localhost:" + port + "/vms/" + vm + "/console"), collector).join();
    }

    private static void type(WebSocket ws, String text) {
        ws.sendBinary(ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII)), true).join();
    }

    /** Runs one scripted session and returns every byte the guest printed. */
    private String session() throws Exception {
        String vm = startDemo();
        ServiceDrivenTest.Collector out = new ServiceDrivenTest.Collector();
        WebSocket ws = console(vm, out);
        assertTrue(out.awaitContaining("demo> ", 10_000).contains("Restvisor demo monitor"));
        type(ws, "echo hello there\r");
        assertTrue(out.awaitContaining("hello there\r\ndemo> ", 10_000).contains("hello there\r\ndemo> "));
        type(ws, "info\r");
        assertTrue(out.awaitContaining("CPU vendor: GenuineIntel\r\ndemo> ", 10_000).contains("CPU vendor: GenuineIntel\r\ndemo> "));
        type(ws, "time\r");
        String afterTime = out.awaitMatching("(?s).*time\r\n\\d\\d:\\d\\d:\\d\\d\r\ndemo> ", 10_000);
        type(ws, "bogus\r");
        assertTrue(out.awaitContaining("unknown command", 10_000).contains("unknown command"));
        type(ws, "exit\r");
        assertTrue(out.awaitContaining("bye\r\n", 10_000).contains("bye\r\n"));
        long deadline = System.currentTimeMillis() + 10_000;
        while (!"stopped".equals(given().get("/vms/" + vm).then().extract().path("state")) && System.currentTimeMillis() < deadline) {
            TimeUnit.MILLISECONDS.sleep(20);
        }
        given().get("/vms/" + vm).then().body("state", equalTo("stopped")).body("exit_status", equalTo(0));
        ws.abort();
        assertTrue(afterTime.matches("(?s).*time\r\n00:00:\\d\\d\r\ndemo> "), afterTime); // the virtual clock starts at the epoch
        return out.awaitContaining("", 0);
    }

    @Test
    void demoAnswersItsCommands() throws Exception {
        String transcript = session();
        assertTrue(transcript.startsWith("\r\nRestvisor demo monitor - type 'help'\r\ndemo> "), transcript);
    }

    @Test
    void sameInputGivesTheSameConsoleBytes() throws Exception {
        assertEquals(session(), session());
    }

    @Test
    void committedImageIsBuiltFromTheSource() throws Exception {
        assumeTrue(SharedBench.onPath("as") && SharedBench.onPath("ld") && SharedBench.onPath("objcopy"),
                "GNU binutils not installed: the demo image is not rebuilt");
        Path out = Files.createTempFile("demo", ".bin");
        Process p = new ProcessBuilder("sh", "src/main/guest/build.sh", out.toString()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), log);
        assertArrayEquals(Files.readAllBytes(Path.of("src/main/resources/guests/demo.bin")), Files.readAllBytes(out),
                "src/main/resources/guests/demo.bin is stale: run src/main/guest/build.sh");
    }
}
