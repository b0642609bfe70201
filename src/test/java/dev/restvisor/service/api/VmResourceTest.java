package dev.restvisor.service.api;

import static io.restassured.RestAssured.given;
import static io.restassured.RestAssured.when;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** KVM_CREATE_VM, KVM_SET_MEMORY_REGION, guest memory and KVM_GET_DIRTY_LOG through HTTP. */
class VmResourceTest extends ApiTest {

    @Test
    void apiVersionIsThree() {
        when().get("/api-version").then().statusCode(200).body("api_version", equalTo(3));
    }

    @Test
    void bareVmHasNothing() {
        String id = json().body(Map.of("name", "bare")).post("/vms").then().statusCode(201)
                .header("Location", startsWith("/vms/"))
                .body("name", equalTo("bare")).body("state", equalTo("created"))
                .body("vcpus", hasSize(0)).body("memory_regions", hasSize(0)).extract().path("id");
        when().get("/vms/" + id).then().statusCode(200).body("id", equalTo(id));
        when().get("/vms").then().statusCode(200).body("id", hasItem(id));
        when().delete("/vms/" + id).then().statusCode(204);
        problem(when().get("/vms/" + id).then(), 404, "not-found");
    }

    @Test
    void emptyBodyCreatesABareVm() {
        json().post("/vms").then().statusCode(201).body("vcpus", hasSize(0));
    }

    @Test
    void memoryRegionRules() {
        String vm = createVm(Map.of("name", "regions"));
        String slot0 = "/vms/" + vm + "/memory-regions/0";
        json().body(Map.of("guest_phys_addr", "0x0", "memory_size", "0x10000")).put(slot0).then().statusCode(200)
                .body("slot", equalTo(0)).body("memory_size", equalTo("0x10000")).body("flags", equalTo(0));
        problem(json().body(Map.of("guest_phys_addr", "0x100001", "memory_size", "0x1000")).put("/vms/" + vm + "/memory-regions/1").then(),
                400, "invalid-argument").body("field", equalTo("guest_phys_addr"));
        problem(json().body(Map.of("guest_phys_addr", "0x100000", "memory_size", "0x1001")).put("/vms/" + vm + "/memory-regions/1").then(),
                400, "invalid-argument").body("field", equalTo("memory_size"));
        problem(json().body(Map.of("guest_phys_addr", "0x8000", "memory_size", "0x10000")).put("/vms/" + vm + "/memory-regions/1").then(),
                409, "already-exists");
        problem(json().body(Map.of("guest_phys_addr", "0x0", "memory_size", "0x20000")).put(slot0).then(), 400, "invalid-argument");
        json().body(Map.of("flags", 1, "guest_phys_addr", "0x0", "memory_size", "0x10000")).put(slot0).then().statusCode(200).body("flags", equalTo(1));
        json().body(Map.of("guest_phys_addr", 1048576, "memory_size", "4096")).put("/vms/" + vm + "/memory-regions/1").then().statusCode(200)
                .body("guest_phys_addr", equalTo("0x100000"));
        when().get("/vms/" + vm + "/memory-regions").then().statusCode(200).body("slot", equalTo(List.of(0, 1)));
        json().body(Map.of("guest_phys_addr", "0x100000", "memory_size", "0x0")).put("/vms/" + vm + "/memory-regions/1").then().statusCode(200);
        when().delete(slot0).then().statusCode(204);
        problem(when().delete(slot0).then(), 404, "not-found");
        when().get("/vms/" + vm + "/memory-regions").then().body("$", hasSize(0));
    }

    @Test
    void memoryLimitsAreProblemsNotCrashes() {
        String vm = createVm(Map.of("name", "big"));
        problem(json().body(Map.of("guest_phys_addr", "0x0", "memory_size", "0x10000000")).put("/vms/" + vm + "/memory-regions/0").then(),
                422, "quota-exceeded").body("field", equalTo("memory_size"));
        problem(json().body(Map.of("memory_regions", List.of(Map.of("slot", 0, "guest_phys_addr", "0x0", "memory_size", "0x10000000"))))
                .post("/vms").then(), 422, "quota-exceeded").body("field", equalTo("memory_regions[0].memory_size"));
    }

    @Test
    void guestMemoryReadWriteAndDirtyLog() {
        String vm = createVm(Map.of("name", "dirty", "memory_regions",
                List.of(Map.of("slot", 2, "flags", 1, "guest_phys_addr", "0x100000", "memory_size", "0x10000"))));
        byte[] bytes = {1, 2, 3, 4, 5};
        writeMemory(vm, 0x100ffe, bytes);
        writeMemory(vm, 0x105000, new byte[] {9});
        byte[] back = given().get("/vms/" + vm + "/memory?address=0x100ffe&length=5").then().statusCode(200)
                .contentType("application/octet-stream").extract().asByteArray();
        assertArrayEquals(bytes, back);
        // pages 0, 1 and 5 of the slot: bits 0, 1 and 5 of byte 0
        json().body(Map.of("slot", 2)).post("/vms/" + vm + "/dirty-log").then().statusCode(200)
                .body("dirty_pages", equalTo(3)).body("dirty_bitmap", equalTo("IwA="));
        json().body(Map.of("slot", 2)).post("/vms/" + vm + "/dirty-log").then().statusCode(200)
                .body("dirty_pages", equalTo(0)).body("dirty_bitmap", equalTo("AAA="));
        problem(given().get("/vms/" + vm + "/memory?address=0x0&length=4").then(), 404, "not-found").body("field", equalTo("address"));
        problem(given().get("/vms/" + vm + "/memory?address=0x100000&length=0").then(), 400, "invalid-argument").body("field", equalTo("length"));
        problem(given().get("/vms/" + vm + "/memory?address=0xqq&length=1").then(), 400, "invalid-argument").body("field", equalTo("address"));
        problem(json().body(Map.of("slot", 3)).post("/vms/" + vm + "/dirty-log").then(), 404, "not-found");
    }

    @Test
    void dirtyLogNeedsTheFlag() {
        String vm = vmWithRam(0x10000);
        problem(json().body(Map.of("slot", 0)).post("/vms/" + vm + "/dirty-log").then(), 400, "invalid-argument").body("field", equalTo("slot"));
    }

    @Test
    void vcpuCreation() {
        String vm = createVm(Map.of("name", "v"));
        given().put("/vms/" + vm + "/vcpus/0").then().statusCode(201).body("id", equalTo(0)).body("status", equalTo("created"));
        problem(given().put("/vms/" + vm + "/vcpus/0").then(), 409, "already-exists");
        problem(given().put("/vms/" + vm + "/vcpus/64").then(), 400, "invalid-argument");
        problem(given().get("/vms/" + vm + "/vcpus/5/regs").then(), 404, "not-found");
        when().get("/vms/" + vm + "/vcpus/0/regs").then().statusCode(200).body("rip", equalTo("0xfff0")).body("rflags", equalTo("0x2"))
                .body("rdx", equalTo("0x600"));
        when().get("/vms/" + vm + "/vcpus/0/sregs").then().statusCode(200).body("cs.selector", equalTo(61440))
                .body("cs.base", equalTo("0xffff0000")).body("cr0", equalTo("0x60000010"))
                .body("interrupt_bitmap", equalTo(List.of("0x0", "0x0", "0x0", "0x0")));
    }
}
