package dev.restvisor.service.api;

import static io.restassured.RestAssured.given;
import static io.restassured.RestAssured.when;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.restvisor.service.store.DiskFullFilePath;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Issue 6, disk full. The catalog's H2 file lives on a volume that fills up while the service
 * runs. Mounting a small tmpfs needs root, so the volume is H2's own file-system layer with a test
 * provider ({@link DiskFullFilePath}, {@code jdbc:h2:diskfull:...}): real files, whose growth
 * fails with IOException "No space left on device" once the test declares the disk full, exactly
 * what the kernel returns to H2's FileChannel writes on a full file system. Nothing above H2 is
 * replaced: the service, Spring's transaction, Hikari and H2's MVStore all meet the real failure.
 *
 * <p>Expected: the snapshot that does not fit is answered 507 insufficient-storage with a detail
 * saying the disk is full, and is not listed (an image upload likewise gets 507); the snapshot taken before is listed and restores
 * byte for byte, while the disk is still full, after space is freed, and after a restart.
 */
class SnapshotDiskFullTest {

    @AfterEach
    void emptyDisk() {
        DiskFullFilePath.full = false;
    }

    private static ConfigurableApplicationContext start(Path dir) {
        DiskFullFilePath.register();
        ConfigurableApplicationContext ctx = new org.springframework.boot.builder.SpringApplicationBuilder(dev.restvisor.RestvisorApplication.class)
                .run("--server.port=0", "--spring.datasource.url=jdbc:h2:" + DiskFullFilePath.SCHEME + ":"
                        + dir.resolve("catalog").toAbsolutePath());
        io.restassured.RestAssured.port = Integer.parseInt(ctx.getEnvironment().getProperty("local.server.port"));
        return ctx;
    }

    @Test
    void aSnapshotThatDoesNotFitIsRefusedAndEarlierOnesStayRestorable(@TempDir Path dir) {
        byte[] kept = SnapshotApiTest.random(21, 0x100000);
        String vm;
        String before;
        ConfigurableApplicationContext first = start(dir);
        try {
            vm = ApiTest.vmWithRam(0x800000);
            ApiTest.writeMemory(vm, 0x100000, kept);
            before = SnapshotApiTest.snapshot(vm, "before", null);

            byte[] big = SnapshotApiTest.random(22, 0x100000);
            for (int mib = 2; mib < 8; mib++) {
                ApiTest.writeMemory(vm, mib * 0x100000L, big);
                big[0]++;
            }
            DiskFullFilePath.full = true;
            long refusedBefore = DiskFullFilePath.refused.get();
            ApiTest.problem(ApiTest.json().body(java.util.Map.of("name", "too-big")).post("/vms/" + vm + "/snapshots").then(),
                    507, "insufficient-storage").body("detail", containsString("disk holding the catalog is full"));
            assertTrue(DiskFullFilePath.refused.get() > refusedBefore, "H2 met the full disk");
            ApiTest.problem(given().contentType("application/octet-stream").body(SnapshotApiTest.random(23, 0x200000))
                    .post("/images?name=too-big").then(), 507, "insufficient-storage");

            when().get("/vms/" + vm + "/snapshots").then().statusCode(200).body("$", hasSize(1)).body("[0].id", equalTo(before));
            when().get("/images").then().statusCode(200).body("$", hasSize(0));
            SnapshotApiTest.restore(vm, before);
            assertArrayEquals(kept, SnapshotApiTest.readMemory(vm, 0x100000, kept.length));

            DiskFullFilePath.full = false;
            String after = SnapshotApiTest.snapshot(vm, "after", null);
            when().get("/vms/" + vm + "/snapshots").then().statusCode(200).body("$", hasSize(2));
            SnapshotApiTest.restore(vm, after);
        } finally {
            first.close();
        }
        ConfigurableApplicationContext second = start(dir);
        try {
            when().get("/vms/" + vm + "/snapshots").then().statusCode(200).body("$", hasSize(2)).body("[0].id", equalTo(before));
            SnapshotApiTest.restore(vm, before);
            assertArrayEquals(kept, SnapshotApiTest.readMemory(vm, 0x100000, kept.length));
        } finally {
            second.close();
        }
    }
}
