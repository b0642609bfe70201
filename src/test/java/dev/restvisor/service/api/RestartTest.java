package dev.restvisor.service.api;

import static io.restassured.RestAssured.when;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.restvisor.RestvisorApplication;
import io.restassured.RestAssured;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The service restarted on the same H2 file catalog lists its VMs again, stopped, and a snapshot
 * taken mid-run before the restart, restored after it, finishes the run byte for byte as an
 * uninterrupted run does.
 */
class RestartTest {

    static ConfigurableApplicationContext start(Path dir) {
        ConfigurableApplicationContext ctx = new SpringApplicationBuilder(RestvisorApplication.class).run(
                "--server.port=0", "--spring.datasource.url=jdbc:h2:file:" + dir.resolve("catalog").toAbsolutePath());
        RestAssured.port = Integer.parseInt(ctx.getEnvironment().getProperty("local.server.port"));
        return ctx;
    }

    @Test
    void vmsAndSnapshotsSurviveARestart(@TempDir Path dir) {
        byte[] code = new Guest()
                .op(0xBB, 0x00, 0x40)   // mov bx, 0x4000
                .op(0xB9, 0x28, 0x00)   // mov cx, 40
                .op(0xB0, 0x03)         // mov al, 3
                .op(0x00, 0xC8)         // L: add al, cl
                .op(0x34, 0x5A)         // xor al, 0x5a
                .op(0xE6, 0xE9)         // out 0xe9, al
                .op(0x88, 0x07)         // mov [bx], al
                .op(0x43)               // inc bx
                .op(0xE2, 0xF5)         // loop L
                .op(0xF4)               // hlt
                .bytes();
        String vm;
        String sid;
        byte[] tail;
        ConfigurableApplicationContext first = start(dir);
        try {
            vm = RealModeGuestTest.realModeVm(code, 0);
            SnapshotApiTest.runToHlt(vm, 15);
            sid = SnapshotApiTest.snapshot(vm, "before-restart", null);
            tail = SnapshotApiTest.runToHlt(vm, Integer.MAX_VALUE);
        } finally {
            first.close();
        }
        ConfigurableApplicationContext second = start(dir);
        try {
            when().get("/vms/" + vm).then().statusCode(200).body("state", equalTo("stopped")).body("name", equalTo("real"));
            when().get("/vms/" + vm + "/snapshots").then().statusCode(200).body("[0].id", equalTo(sid));
            SnapshotApiTest.restore(vm, sid);
            assertArrayEquals(tail, SnapshotApiTest.runToHlt(vm, Integer.MAX_VALUE));
            String clone = ApiTest.json().body(Map.of("name", "after-restart")).post("/vms/" + vm + "/snapshots/" + sid + "/clone")
                    .then().statusCode(201).extract().path("id");
            assertArrayEquals(tail, SnapshotApiTest.runToHlt(clone, Integer.MAX_VALUE));
            assertArrayEquals(SnapshotApiTest.readMemory(vm, 0x4000, 40), SnapshotApiTest.readMemory(clone, 0x4000, 40));
        } finally {
            second.close();
        }
    }
}
