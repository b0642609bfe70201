package dev.restvisor.service.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every class of client mistake is an RFC 9457 problem naming what is wrong, never a 500 or a stack trace. */
class ErrorResponseTest extends ApiTest {

    @Test
    void unknownRoute() {
        problem(given().get("/no/such/thing").then(), 404, "not-found");
    }

    @Test
    void methodNotAllowed() {
        problem(given().patch("/vms").then(), 405, "method-not-allowed").header("Allow", containsString("GET"));
    }

    @Test
    void unsupportedMediaType() {
        problem(given().contentType("text/plain").body("x").post("/vms").then(), 415, "unsupported-media-type");
    }

    @Test
    void malformedJson() {
        problem(json().body("{\"name\": ").post("/vms").then(), 400, "malformed-request");
        problem(json().body("[1,2]").post("/vms").then(), 400, "malformed-request");
    }

    @Test
    void wrongTypesNameTheField() {
        problem(json().body(Map.of("vcpus", "many")).post("/vms").then(), 400, "invalid-argument")
                .body("field", equalTo("vcpus")).body("detail", containsString("integer"));
        problem(json().body(Map.of("vcpus", 65)).post("/vms").then(), 400, "invalid-argument").body("field", equalTo("vcpus"));
        problem(json().body(Map.of("clock", "sundial")).post("/vms").then(), 400, "invalid-argument").body("field", equalTo("clock"));
    }

    @Test
    void badHexNumbers() {
        for (Object bad : List.of("0x", "0xfffffffffffffffff", "-1", "12ab", -5, 1.5, "18446744073709551616")) {
            problem(json().body(Map.of("memory_regions", List.of(Map.of("slot", 0, "guest_phys_addr", bad, "memory_size", "0x1000"))))
                    .post("/vms").then(), 400, "invalid-argument").body("field", equalTo("memory_regions[0].guest_phys_addr"));
        }
    }

    @Test
    void u64AcceptsHexDecimalAndNumbers() {
        for (Object ok : List.of("0x2000", "8192", 8192)) {
            String vm = createVm(Map.of("memory_regions", List.of(Map.of("slot", 0, "guest_phys_addr", ok, "memory_size", "0x1000"))));
            given().get("/vms/" + vm + "/memory-regions").then().body("[0].guest_phys_addr", equalTo("0x2000"));
        }
    }

    @Test
    void vcpuStateErrors() {
        String vm = vmWithRam(0x10000);
        String base = "/vms/" + vm + "/vcpus/0";
        problem(json().body(Map.of("rflags", "0x8")).put(base + "/regs").then(), 400, "invalid-argument").body("field", equalTo("rflags"));
        problem(json().body(Map.of("rax", "zz")).put(base + "/regs").then(), 400, "invalid-argument").body("field", equalTo("rax"));
        problem(json().body(Map.of("cs", Map.of("base", "0x0"))).put(base + "/sregs").then(), 400, "invalid-argument")
                .body("field", equalTo("cs.selector"));
        problem(json().body(Map.of("interrupt_bitmap", List.of("0x0"))).put(base + "/sregs").then(), 400, "invalid-argument")
                .body("field", equalTo("interrupt_bitmap"));
        problem(json().body(Map.of("irq", 256)).post(base + "/interrupt").then(), 400, "invalid-argument").body("field", equalTo("irq"));
        problem(json().body(Map.of()).post(base + "/interrupt").then(), 400, "invalid-argument").body("field", equalTo("irq"));
        problem(json().body(Map.of()).post(base + "/translate").then(), 400, "invalid-argument").body("field", equalTo("linear_address"));
        problem(json().body(Map.of("timeout_ms", 0)).post(base + "/run").then(), 400, "invalid-argument").body("field", equalTo("timeout_ms"));
        problem(json().body(Map.of("max_instructions", "0x0")).post(base + "/run").then(), 400, "invalid-argument")
                .body("field", equalTo("max_instructions"));
        problem(json().body(Map.of("io", Map.of("value", 1))).post(base + "/run").then(), 400, "invalid-argument").body("field", equalTo("io"));
        problem(json().body(Map.of("enabled", 1, "breakpoints", java.util.Collections.nCopies(17, Map.of("address", "0x1000"))))
                .put(base + "/debug").then(), 400, "too-big");
        problem(given().get(base + "/msrs").then(), 400, "invalid-argument").body("field", equalTo("index"));
        problem(json().body(Map.of("entries", List.of(Map.of("index", 16)))).put(base + "/msrs").then(), 400, "invalid-argument")
                .body("field", equalTo("entries[0].data"));
    }
}
