package dev.restvisor.service.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Snapshots of a VM the service drives: taking one pauses the vcpus only for the copy (the VM is
 * still running afterwards and keeps echoing), and a restore brings back the UART, PIC and vcpu so
 * that, resumed, the guest echoes again and exits through the debug port as before.
 */
class RunningSnapshotTest extends ApiTest {

    WebSocket console(String vm, ServiceDrivenTest.Collector collector) {
        return HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
                .buildAsync(URI.create("ws://localhost:" + port + "/vms/" + vm + "/console?port=com1"), collector).join();
    }

    static void action(String vm, String action, String state) {
        json().body(Map.of("action", action)).post("/vms/" + vm + "/actions").then().statusCode(200).body("state", equalTo(state));
    }

    static void awaitState(String vm, String state) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 10_000;
        while (!state.equals(given().get("/vms/" + vm).then().extract().path("state")) && System.currentTimeMillis() < deadline) {
            TimeUnit.MILLISECONDS.sleep(20);
        }
        given().get("/vms/" + vm).then().body("state", equalTo(state));
    }

    @Test
    void snapshotWhileRunningThenRestoreAndResume() throws Exception {
        String vm = ServiceDrivenTest.echoVm();
        ServiceDrivenTest.Collector out = new ServiceDrivenTest.Collector();
        WebSocket ws = console(vm, out);
        action(vm, "start", "running");
        assertTrue(out.awaitContaining("Restvisor echo\r\n", 10_000).contains("Restvisor echo\r\n"));

        String sid = SnapshotApiTest.snapshot(vm, "while-echoing", null);
        given().get("/vms/" + vm).then().body("state", equalTo("running"));
        ws.sendBinary(ByteBuffer.wrap("one".getBytes(StandardCharsets.US_ASCII)), true).join();
        assertTrue(out.awaitContaining("one", 10_000).endsWith("one"));
        ws.sendText("q", true).join();
        awaitState(vm, "stopped");
        given().get("/vms/" + vm).then().body("exit_status", equalTo(7));

        SnapshotApiTest.restore(vm, sid);
        action(vm, "resume", "running");
        ws.sendBinary(ByteBuffer.wrap("two".getBytes(StandardCharsets.US_ASCII)), true).join();
        assertTrue(out.awaitContaining("onetwo", 10_000).endsWith("onetwo"));
        ws.sendText("q", true).join();
        awaitState(vm, "stopped");
        ws.abort();
    }
}
