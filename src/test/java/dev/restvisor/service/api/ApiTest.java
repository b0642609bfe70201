package dev.restvisor.service.api;

import static io.restassured.RestAssured.given;

import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/** A running service on a random port with an in-memory H2, driven over HTTP with REST Assured. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"spring.datasource.url=jdbc:h2:mem:restvisor-test;DB_CLOSE_DELAY=-1",
                "restvisor.limits.vm-memory-bytes=67108864", "restvisor.limits.total-memory-bytes=134217728",
                "restvisor.limits.max-memory-transfer-bytes=1048576"})
abstract class ApiTest {
    @LocalServerPort
    int port;

    @BeforeEach
    void restAssured() {
        RestAssured.port = port;
        RestAssured.enableLoggingOfRequestAndResponseIfValidationFails();
    }

    static RequestSpecification json() {
        return given().contentType(ContentType.JSON);
    }

    /** Creates a VM from a definition and returns its id. */
    static String createVm(Object definition) {
        return json().body(definition).post("/vms").then().statusCode(201).extract().path("id");
    }

    /** A VM with one vcpu and {@code memory} bytes of RAM at guest physical 0. */
    static String vmWithRam(long memory) {
        return createVm(Map.of("name", "test", "vcpus", 1,
                "memory_regions", java.util.List.of(Map.of("slot", 0, "guest_phys_addr", "0x0", "memory_size", "0x" + Long.toHexString(memory)))));
    }

    static void writeMemory(String vm, long address, byte[] bytes) {
        given().contentType("application/octet-stream").body(bytes)
                .put("/vms/" + vm + "/memory?address=0x" + Long.toHexString(address)).then().statusCode(204);
    }

    /** Asserts an RFC 9457 problem of the given status and type slug, and returns it for more checks. */
    static ValidatableResponse problem(ValidatableResponse r, int status, String type) {
        return r.statusCode(status).contentType("application/problem+json")
                .body("type", org.hamcrest.Matchers.equalTo(ProblemType.BASE + type))
                .body("status", org.hamcrest.Matchers.equalTo(status))
                .body("detail", org.hamcrest.Matchers.not(org.hamcrest.Matchers.containsString("Exception")))
                .body("detail", org.hamcrest.Matchers.not(org.hamcrest.Matchers.containsString("java.")))
                .body("detail", org.hamcrest.Matchers.not(org.hamcrest.Matchers.containsString("dev.restvisor")));
    }
}
