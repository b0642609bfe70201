package dev.restvisor.service.api;

import static io.restassured.RestAssured.given;
import static io.restassured.RestAssured.when;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.restassured.path.json.JsonPath;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/** Snapshots through HTTP: take, list, diff, restore, clone, delete, and damaged snapshots. */
class SnapshotApiTest extends ApiTest {
    @Autowired
    JdbcTemplate jdbc;

    static String snapshot(String vm, String name, String parent) {
        Map<String, Object> body = parent == null ? Map.of("name", name) : Map.of("name", name, "parent", parent);
        return json().body(body).post("/vms/" + vm + "/snapshots").then().statusCode(201)
                .header("Location", startsWith("/vms/" + vm + "/snapshots/"))
                .body("name", equalTo(name)).body("vm_id", equalTo(vm)).extract().path("id");
    }

    static byte[] readMemory(String vm, long address, int length) {
        return given().get("/vms/" + vm + "/memory?address=0x" + Long.toHexString(address) + "&length=" + length)
                .then().statusCode(200).extract().asByteArray();
    }

    static void restore(String vm, String sid) {
        json().post("/vms/" + vm + "/snapshots/" + sid + "/restore").then().statusCode(200)
                .body("id", equalTo(vm)).body("state", equalTo("paused"));
    }

    static byte[] random(long seed, int n) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void restoreGivesBackMemoryAndRegisters() {
        String vm = vmWithRam(0x100000);
        byte[] first = random(1, 0x3000);
        writeMemory(vm, 0x2000, first);
        json().body(Map.of("rax", "0x1234", "rip", "0x7c00", "r15", "0xfedcba9876543210")).put("/vms/" + vm + "/vcpus/0/regs").then().statusCode(200);
        json().body(Map.of("cr0", "0x11", "efer", "0x0")).put("/vms/" + vm + "/vcpus/0/sregs").then().statusCode(200);
        String full = snapshot(vm, "full", null);

        writeMemory(vm, 0x2000, random(2, 0x3000));
        writeMemory(vm, 0x80000, new byte[] {1});
        json().body(Map.of("rax", "0x0", "rip", "0x0", "r15", "0x0")).put("/vms/" + vm + "/vcpus/0/regs").then().statusCode(200);

        restore(vm, full);
        assertArrayEquals(first, readMemory(vm, 0x2000, 0x3000));
        assertArrayEquals(new byte[1], readMemory(vm, 0x80000, 1));
        when().get("/vms/" + vm + "/vcpus/0/regs").then().statusCode(200)
                .body("rax", equalTo("0x1234")).body("rip", equalTo("0x7c00")).body("r15", equalTo("0xfedcba9876543210"));
        when().get("/vms/" + vm + "/vcpus/0/sregs").then().statusCode(200).body("cr0", equalTo("0x11"));

        when().get("/vms/" + vm + "/snapshots").then().statusCode(200).body("$", hasSize(1))
                .body("[0].id", equalTo(full)).body("[0].parent", nullValue()).body("[0].size", startsWith("0x"))
                .body("[0].created_at", containsString("T"));
    }

    @Test
    void diffSnapshotsHoldOnlyWrittenPagesAndRestoreTheirChain() {
        String vm = vmWithRam(0x400000);
        byte[] a = random(3, 0x200000);
        writeMemory(vm, 0, java.util.Arrays.copyOf(a, 0x100000));
        writeMemory(vm, 0x100000, java.util.Arrays.copyOfRange(a, 0x100000, 0x200000));
        String full = snapshot(vm, "full", null);
        writeMemory(vm, 0x5000, new byte[] {42});
        writeMemory(vm, 0x6000, new byte[4096]);
        String diff1 = snapshot(vm, "diff1", full);
        writeMemory(vm, 0x7000, new byte[] {43});
        String diff2 = snapshot(vm, "diff2", diff1);

        List<Map<String, Object>> list = when().get("/vms/" + vm + "/snapshots").then().statusCode(200).extract().path("$");
        assertEquals(3, list.size());
        long fullSize = Long.decode((String) list.get(0).get("size"));
        long diffSize = Long.decode((String) list.get(1).get("size"));
        assertTrue(diffSize * 50 < fullSize, "diff " + diffSize + " bytes vs full " + fullSize);
        assertEquals(full, list.get(1).get("parent"));
        assertEquals(diff1, list.get(2).get("parent"));

        writeMemory(vm, 0x8000, new byte[] {44});
        restore(vm, diff1);
        assertArrayEquals(new byte[] {42}, readMemory(vm, 0x5000, 1));
        assertArrayEquals(new byte[4096], readMemory(vm, 0x6000, 4096));
        assertArrayEquals(new byte[] {a[0x7000]}, readMemory(vm, 0x7000, 1));
        assertArrayEquals(new byte[] {a[0x8000]}, readMemory(vm, 0x8000, 1));
        assertArrayEquals(java.util.Arrays.copyOfRange(a, 0x100000, 0x200000), readMemory(vm, 0x100000, 0x100000));

        restore(vm, diff2);
        assertArrayEquals(new byte[] {43}, readMemory(vm, 0x7000, 1));
        restore(vm, full);
        assertArrayEquals(new byte[] {a[0x5000]}, readMemory(vm, 0x5000, 1));

        // After restoring "full" the VM's memory equals it: a diff on full works again, one on diff2 does not.
        problem(json().body(Map.of("name", "stale", "parent", diff2)).post("/vms/" + vm + "/snapshots").then(), 409, "conflict")
                .body("field", equalTo("parent")).body("detail", containsString(full));
        snapshot(vm, "diff3", full);

        problem(when().delete("/vms/" + vm + "/snapshots/" + diff1).then(), 409, "in-use");
        when().delete("/vms/" + vm + "/snapshots/" + diff2).then().statusCode(204);
        when().delete("/vms/" + vm + "/snapshots/" + diff1).then().statusCode(204);
        problem(when().delete("/vms/" + vm + "/snapshots/" + diff1).then(), 404, "not-found");
    }

    @Test
    void cloneIsANewPausedVmWithTheSameMachine() {
        String vm = vmWithRam(0x100000);
        byte[] bytes = random(4, 0x10000);
        writeMemory(vm, 0x10000, bytes);
        json().body(Map.of("rbx", "0xabc")).put("/vms/" + vm + "/vcpus/0/regs").then().statusCode(200);
        String sid = snapshot(vm, "base", null);
        String clone = json().body(Map.of("name", "copy")).post("/vms/" + vm + "/snapshots/" + sid + "/clone").then().statusCode(201)
                .header("Location", startsWith("/vms/")).body("name", equalTo("copy")).body("state", equalTo("paused"))
                .body("vcpus", hasSize(1)).extract().path("id");
        assertArrayEquals(bytes, readMemory(clone, 0x10000, 0x10000));
        when().get("/vms/" + clone + "/vcpus/0/regs").then().body("rbx", equalTo("0xabc"));
        when().get("/vms/" + clone + "/snapshots").then().body("$", hasSize(0));
    }

    @Test
    void damagedSnapshotsAreProblemsAndTheRestOfTheCatalogWorks() {
        String vm = vmWithRam(0x100000);
        writeMemory(vm, 0x1000, random(5, 0x20000));
        String good = snapshot(vm, "good", null);
        String flipped = snapshot(vm, "flipped", null);
        String cut = snapshot(vm, "cut", null);
        String future = snapshot(vm, "future", null);

        byte[] chunk = jdbc.queryForObject("SELECT data FROM snapshot_chunk WHERE snapshot_id = ? AND seq = 0", byte[].class, flipped);
        chunk[chunk.length / 2] ^= 0x40;
        jdbc.update("UPDATE snapshot_chunk SET data = ? WHERE snapshot_id = ? AND seq = 0", chunk, flipped);
        jdbc.update("DELETE FROM snapshot_chunk WHERE snapshot_id = ? AND seq = 0", cut);
        byte[] state = jdbc.queryForObject("SELECT state FROM snapshot WHERE id = ?", byte[].class, future);
        state[9] = 2;
        jdbc.update("UPDATE snapshot SET state = ? WHERE id = ?", state, future);

        problem(json().post("/vms/" + vm + "/snapshots/" + flipped + "/restore").then(), 422, "snapshot-corrupt")
                .body("detail", containsString("checksum"));
        problem(json().post("/vms/" + vm + "/snapshots/" + cut + "/restore").then(), 422, "snapshot-corrupt")
                .body("detail", containsString("truncated"));
        problem(json().post("/vms/" + vm + "/snapshots/" + future + "/restore").then(), 422, "snapshot-format-unsupported")
                .body("detail", containsString("version 2"));
        problem(json().body(Map.of("name", "c")).post("/vms/" + vm + "/snapshots/" + flipped + "/clone").then(), 422, "snapshot-corrupt");

        when().get("/vms/" + vm + "/snapshots").then().statusCode(200).body("$", hasSize(4));
        restore(vm, good);
        when().delete("/vms/" + vm + "/snapshots/" + flipped).then().statusCode(204);
    }

    @Test
    void requestProblems() {
        String vm = vmWithRam(0x10000);
        problem(json().body(Map.of()).post("/vms/" + vm + "/snapshots").then(), 400, "invalid-argument").body("field", equalTo("name"));
        problem(json().body(Map.of("name", "")).post("/vms/" + vm + "/snapshots").then(), 400, "invalid-argument").body("field", equalTo("name"));
        problem(json().body(Map.of("name", "d", "parent", "nope")).post("/vms/" + vm + "/snapshots").then(), 404, "not-found");
        problem(json().body(Map.of("name", "x")).post("/vms/nope/snapshots").then(), 404, "not-found");
        problem(json().post("/vms/" + vm + "/snapshots/nope/restore").then(), 404, "not-found");
        problem(when().get("/vms/nope/snapshots").then(), 404, "not-found");
    }

    /**
     * A real-mode guest OUTs 60 bytes (each an exit to this client) and stores each in memory.
     * Snapshotted after 20, restored, and cloned, it gives the same last 40 bytes and the same
     * memory as a run that was never interrupted.
     */
    @Test
    void restoredAndClonedRunsEqualAnUninterruptedRun() {
        Guest g = new Guest()
                .op(0xBB, 0x00, 0x40)   // mov bx, 0x4000
                .op(0xB9, 0x3C, 0x00)   // mov cx, 60
                .op(0xB0, 0x07)         // mov al, 7
                .op(0x00, 0xC8)         // L: add al, cl
                .op(0x34, 0x5A)         // xor al, 0x5a
                .op(0xE6, 0xE9)         // out 0xe9, al
                .op(0x88, 0x07)         // mov [bx], al
                .op(0x43)               // inc bx
                .op(0xE2, 0xF5)         // loop L
                .op(0xF4);              // hlt
        String reference = RealModeGuestTest.realModeVm(g.bytes(), 0);
        byte[] whole = runToHlt(reference, Integer.MAX_VALUE);
        assertEquals(60, whole.length);

        String vm = RealModeGuestTest.realModeVm(g.bytes(), 0);
        byte[] head = runToHlt(vm, 20);
        String sid = snapshot(vm, "mid-run", null);
        byte[] tail = runToHlt(vm, Integer.MAX_VALUE);
        assertArrayEquals(whole, concat(head, tail));

        restore(vm, sid);
        assertArrayEquals(tail, runToHlt(vm, Integer.MAX_VALUE));
        assertArrayEquals(readMemory(reference, 0x4000, 60), readMemory(vm, 0x4000, 60));

        String clone = json().body(Map.of("name", "clone")).post("/vms/" + vm + "/snapshots/" + sid + "/clone").then().statusCode(201)
                .extract().path("id");
        assertArrayEquals(tail, runToHlt(clone, Integer.MAX_VALUE));
        assertArrayEquals(readMemory(reference, 0x4000, 60), readMemory(clone, 0x4000, 60));
    }

    /** Runs vcpu 0 until HLT or until {@code outs} OUT exits, returning the OUT bytes. */
    static byte[] runToHlt(String vm, int outs) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (out.size() < outs) {
            JsonPath r = RealModeGuestTest.run(vm);
            String reason = r.getString("exit_reason");
            if (reason.equals("KVM_EXIT_HLT")) {
                break;
            }
            assertEquals("KVM_EXIT_IO", reason);
            out.write(r.getInt("io.value"));
        }
        return out.toByteArray();
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
