package dev.restvisor.service.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Issue 6: KVM_CREATE_VCPU on a live VM changes the stored definition (vcpus, and vcpu_ids once the ids are no
 * longer 0..n-1), so the service restarted on the same H2 file brings every vcpu back with its id; refused
 * creations store nothing, and a definition can name sparse ids itself.
 */
class VcpuPersistenceTest {

    private static void assertVcpus(String vm, List<Integer> ids) {
        List<Integer> live = given().get("/vms/" + vm + "/vcpus").then().statusCode(200).extract().path("id");
        assertEquals(ids, live.stream().sorted().toList(), "live vcpus");
        given().get("/vms/" + vm).then().statusCode(200).body("definition.vcpus", equalTo(ids.size()));
    }

    @Test
    void vcpusCreatedOnTheLiveVmSurviveARestart(@TempDir Path dir) {
        String dense;
        String sparse;
        String defined;
        ConfigurableApplicationContext first = RestartTest.start(dir);
        try {
            dense = ApiTest.createVm(Map.of("name", "dense"));
            given().put("/vms/" + dense + "/vcpus/0").then().statusCode(201);
            given().put("/vms/" + dense + "/vcpus/1").then().statusCode(201);
            assertVcpus(dense, List.of(0, 1));
            given().get("/vms/" + dense).then().body("definition.vcpu_ids", nullValue());

            sparse = ApiTest.createVm(Map.of("name", "sparse", "vcpus", 1));
            given().put("/vms/" + sparse + "/vcpus/5").then().statusCode(201);
            given().put("/vms/" + sparse + "/vcpus/2").then().statusCode(201);
            assertVcpus(sparse, List.of(0, 2, 5));
            given().get("/vms/" + sparse).then().body("definition.vcpu_ids", equalTo(List.of(0, 2, 5)));

            // refused creations: neither the VM nor its stored definition moves
            ApiTest.problem(given().put("/vms/" + sparse + "/vcpus/2").then(), 409, "already-exists");
            ApiTest.problem(given().put("/vms/" + sparse + "/vcpus/64").then(), 400, "invalid-argument");
            assertVcpus(sparse, List.of(0, 2, 5));

            // a definition may name sparse ids itself; inconsistent ones are refused with the field
            defined = ApiTest.createVm(Map.of("name", "defined", "vcpu_ids", List.of(1, 3)));
            assertVcpus(defined, List.of(1, 3));
            ApiTest.problem(ApiTest.json().body(Map.of("vcpus", 3, "vcpu_ids", List.of(1, 3))).post("/vms").then(), 400, "invalid-argument")
                    .body("field", equalTo("vcpu_ids"));
            ApiTest.problem(ApiTest.json().body(Map.of("vcpu_ids", List.of(3, 1))).post("/vms").then(), 400, "invalid-argument")
                    .body("field", equalTo("vcpu_ids[1]"));
            ApiTest.problem(ApiTest.json().body(Map.of("vcpu_ids", List.of(0, 64))).post("/vms").then(), 400, "invalid-argument")
                    .body("field", equalTo("vcpu_ids[1]"));
        } finally {
            first.close();
        }

        ConfigurableApplicationContext second = RestartTest.start(dir);
        try {
            assertVcpus(dense, List.of(0, 1));
            assertVcpus(sparse, List.of(0, 2, 5));
            assertVcpus(defined, List.of(1, 3));
            given().get("/v3/api-docs").then().statusCode(200)
                    .body("paths.'/vms/{id}/vcpus/{n}'.put.summary", containsString("saved with the VM's definition"));
            for (String vm : List.of(dense, sparse, defined)) {
                given().delete("/vms/" + vm).then().statusCode(204);
            }
        } finally {
            second.close();
        }
    }
}
