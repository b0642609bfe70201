package dev.restvisor.service.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Issue 6: KVM_SET_MEMORY_REGION on a live VM (create, re-flag, delete by memory_size 0 or DELETE) and a
 * snapshot restore change the stored definition, so the service restarted on the same H2 file brings the
 * VM back with the regions it had, not those it was created with; refused changes store nothing.
 */
class MemoryRegionPersistenceTest {

    private static Map<String, Object> region(int slot, int flags, String gpa, String size) {
        return Map.of("slot", slot, "flags", flags, "guest_phys_addr", gpa, "memory_size", size);
    }

    private static io.restassured.response.ValidatableResponse put(String vm, int slot, Map<String, Object> body) {
        return ApiTest.json().body(body).put("/vms/" + vm + "/memory-regions/" + slot).then();
    }

    /** The regions as GET /vms/{id}/memory-regions lists them and as the stored definition holds them, sorted by slot. */
    private static void assertRegions(String vm, List<Map<String, Object>> expected) {
        List<Map<String, Object>> live = given().get("/vms/" + vm + "/memory-regions").then().statusCode(200).extract().path("");
        List<Map<String, Object>> defined = given().get("/vms/" + vm).then().statusCode(200).extract().path("definition.memory_regions");
        java.util.Comparator<Map<String, Object>> bySlot = java.util.Comparator.comparingInt(r -> (Integer) r.get("slot"));
        assertEquals(expected, live.stream().sorted(bySlot).toList(), "live regions");
        assertEquals(expected, defined, "regions of the stored definition");
    }

    @Test
    void regionChangesAreSavedAndSurviveARestart(@TempDir Path dir) {
        List<Map<String, Object>> expected = List.of(region(0, 1, "0x0", "0x100000"), region(2, 1, "0x200000", "0x20000"));
        String vm;
        ConfigurableApplicationContext first = RestartTest.start(dir);
        try {
            vm = ApiTest.createVm(Map.of("name", "regions", "vcpus", 1, "memory_regions", List.of(region(0, 0, "0x0", "0x100000"),
                    region(1, 0, "0x100000", "0x10000"), region(3, 0, "0x400000", "0x1000"))));
            put(vm, 2, region(2, 1, "0x200000", "0x20000")).statusCode(200).body("memory_size", equalTo("0x20000"));
            put(vm, 0, region(0, 1, "0x0", "0x100000")).statusCode(200).body("flags", equalTo(1));
            put(vm, 1, Map.of("memory_size", "0x0")).statusCode(200);
            given().delete("/vms/" + vm + "/memory-regions/3").then().statusCode(204);
            assertRegions(vm, expected);

            // refused changes: neither the VM nor its stored definition moves
            ApiTest.problem(put(vm, 4, region(4, 0, "0x210000", "0x1000")), 409, "already-exists").body("field", equalTo("guest_phys_addr"));
            ApiTest.problem(put(vm, 2, region(2, 1, "0x200000", "0x40000")), 400, "invalid-argument").body("field", equalTo("memory_size"));
            ApiTest.problem(put(vm, 5, region(6, 0, "0x800000", "0x1000")), 400, "invalid-argument").body("field", equalTo("slot"));
            ApiTest.problem(put(vm, 40, region(40, 0, "0x800000", "0x1000")), 400, "invalid-argument").body("field", equalTo("slot"));
            ApiTest.problem(put(vm, 5, region(5, 8, "0x800000", "0x1000")), 400, "invalid-argument").body("field", equalTo("flags"));
            ApiTest.problem(given().delete("/vms/" + vm + "/memory-regions/7").then(), 404, "not-found").body("field", equalTo("slot"));
            assertRegions(vm, expected);

            // a snapshot restore brings back the snapshot's regions, in the stored definition too
            String sid = SnapshotApiTest.snapshot(vm, "two-slots", null);
            put(vm, 4, region(4, 0, "0x800000", "0x1000")).statusCode(200);
            given().delete("/vms/" + vm + "/memory-regions/2").then().statusCode(204);
            SnapshotApiTest.restore(vm, sid);
            assertRegions(vm, expected);
        } finally {
            first.close();
        }

        ConfigurableApplicationContext second = RestartTest.start(dir);
        try {
            given().get("/vms/" + vm).then().statusCode(200).body("state", equalTo("stopped"));
            assertRegions(vm, expected);
            given().get("/v3/api-docs").then().statusCode(200)
                    .body("paths.'/vms/{id}/memory-regions/{slot}'.put.summary", containsString("saved with the VM's definition"))
                    .body("paths.'/vms/{id}/memory-regions/{slot}'.delete.summary", containsString("saved with the VM's definition"));
            given().delete("/vms/" + vm).then().statusCode(204);
        } finally {
            second.close();
        }
    }
}
