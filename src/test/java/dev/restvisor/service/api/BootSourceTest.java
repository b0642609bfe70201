package dev.restvisor.service.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.restvisor.core.boot.SyntheticKernel;
import java.net.URI;
import java.net.http.HttpClient;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * PUT/GET /vms/{id}/boot-source for Linux kernels: every refusal is a problem naming the field, a start that
 * cannot load changes nothing, and a loaded kernel runs. The kernel here is a synthetic bzImage whose vmlinux
 * is "hlt; jmp $-1" with interrupts off: the VM idles there, and a pause shows the kernel's entry state.
 */
class BootSourceTest extends ApiTest {

    /** Uploads an image; one already stored (images are de-duplicated by SHA-256) answers 200 with the same id. */
    private static String upload(byte[] bytes) {
        return given().contentType("application/octet-stream").body(bytes).post("/images?name=k").then()
                .statusCode(org.hamcrest.Matchers.anyOf(equalTo(200), equalTo(201))).extract().path("id");
    }

    private final java.util.List<String> created = new java.util.ArrayList<>();

    /** The Spring context (and its guest-RAM quota) is shared with the other API tests: give the memory back. */
    @org.junit.jupiter.api.AfterEach
    void deleteVms() {
        created.forEach(id -> given().delete("/vms/" + id).then().statusCode(204));
    }

    private String vm() {
        return remember(createVm(Map.of("name", "linux", "vcpus", 1,
                "memory_regions", List.of(Map.of("slot", 0, "guest_phys_addr", "0x0", "memory_size", "0x2000000")),
                "devices", Map.of("serial", List.of("com1")))));
    }

    private String remember(String id) {
        created.add(id);
        return id;
    }

    private static io.restassured.response.ValidatableResponse put(String vm, Map<String, Object> source) {
        return json().body(source).put("/vms/" + vm + "/boot-source").then();
    }

    @Test
    void refusalsNameTheField() {
        String vm = vm();
        problem(given().get("/vms/" + vm + "/boot-source").then(), 404, "not-found").body("detail", containsString("no boot source"));
        problem(put(vm, Map.of("kind", "linux")), 400, "invalid-argument").body("field", equalTo("boot.kernel"));
        problem(put(vm, Map.of("kind", "linux", "kernel", "nope")), 404, "not-found").body("field", equalTo("boot.kernel"));
        String junk = upload(new byte[4096]);
        problem(put(vm, Map.of("kind", "linux", "kernel", junk)), 400, "invalid-argument")
                .body("field", equalTo("boot.kernel")).body("detail", containsString("not a Linux bzImage"));
        String old = upload(SyntheticKernel.bzImage(0x0204, 0, new byte[16]));
        problem(put(vm, Map.of("kind", "linux", "kernel", old)), 400, "invalid-argument").body("detail", containsString("2.04 is too old"));
        problem(put(vm, Map.of("kind", "linux", "kernel", junk, "image", junk)), 400, "invalid-argument").body("field", equalTo("boot.image"));
        problem(put(vm, Map.of("kind", "linux", "kernel", junk, "linux_entry", "bios")), 400, "invalid-argument").body("field", equalTo("boot.linux_entry"));
        problem(put(vm, Map.of("kind", "flat", "image", junk, "cmdline", "x")), 400, "invalid-argument").body("field", equalTo("boot.cmdline"));
    }

    @Test
    void aStartThatCannotLoadChangesNothing() throws Exception {
        String vm = vm();
        String kernel = upload(SyntheticKernel.bzImage(0x020F, 1, SyntheticKernel.gzip(SyntheticKernel.vmlinux())));
        String initrd = upload(new byte[24 << 20]);
        put(vm, Map.of("kind", "linux", "kernel", kernel, "initrd", initrd)).statusCode(200).body("cmdline", equalTo("console=ttyS0"));
        problem(json().body(Map.of("action", "start")).post("/vms/" + vm + "/actions").then(), 400, "invalid-argument")
                .body("field", equalTo("boot.initrd")).body("detail", containsString("does not fit"));
        given().get("/vms/" + vm).then().body("state", equalTo("created"));
        problem(put(vm, Map.of("kind", "linux", "kernel", kernel, "cmdline", "x".repeat(256))), 400, "invalid-argument")
                .body("field", equalTo("boot.cmdline"));
    }

    @Test
    void aLoadedKernelRunsFromItsEntryState() throws Exception {
        String vm = vm();
        String kernel = upload(SyntheticKernel.bzImage(0x020F, 1, SyntheticKernel.gzip(SyntheticKernel.vmlinux())));
        put(vm, Map.of("kind", "linux", "kernel", kernel, "cmdline", "quiet", "linux_entry", "vmlinux64")).statusCode(200)
                .body("kind", equalTo("linux")).body("kernel", equalTo(kernel)).body("linux_entry", equalTo("vmlinux64"));
        given().get("/vms/" + vm).then().body("definition.boot.cmdline", equalTo("quiet"));
        ServiceDrivenTest.Collector events = new ServiceDrivenTest.Collector();
        HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(URI.create("ws://localhost:" + port + "/vms/" + vm + "/events"), events).join();
        json().body(Map.of("action", "start")).post("/vms/" + vm + "/actions").then().statusCode(200);
        String boot = null;
        for (String e = events.text.poll(10, TimeUnit.SECONDS); e != null && boot == null; e = events.text.poll(10, TimeUnit.SECONDS)) {
            boot = e.contains("\"type\":\"boot\"") ? e : null;
        }
        assertTrue(boot != null && boot.contains("\"entry_path\":\"vmlinux_64\"") && boot.contains("\"entry_point\":\"0x1000040\""),
                "the boot event names the entry: " + boot);
        json().body(Map.of("action", "pause")).post("/vms/" + vm + "/actions").then().statusCode(200).body("state", equalTo("paused"));
        given().get("/vms/" + vm + "/vcpus/0/regs").then().statusCode(200).body("rip", equalTo("0x1000041")).body("rsi", equalTo("0x7000"));
    }
}
