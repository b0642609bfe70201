package dev.restvisor.service.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.restvisor.core.memory.MemoryQuota;
import dev.restvisor.core.vm.Vm;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A snapshot write is one transaction: a service process killed (SIGKILL) after writing every
 * chunk of a snapshot but before its commit leaves the catalog with exactly the earlier
 * snapshots, each intact and restorable, and no orphan chunk.
 */
class SnapshotCrashTest {

    @Test
    void killedInTheMiddleOfASnapshotWriteLosesNothingEarlier(@TempDir Path dir) throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("catalog").toAbsolutePath();
        String java = ProcessHandle.current().info().command().orElse("java");
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                SnapshotWriterProcess.class.getName(), url, "3").redirectErrorStream(true).start();
        List<String> committed = new ArrayList<>();
        List<String> output = new ArrayList<>();
        boolean halfway = false;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; !halfway && (line = out.readLine()) != null; ) {
                output.add(line);
                if (line.startsWith("COMMITTED ")) {
                    committed.add(line.substring(10));
                }
                halfway = line.equals("HALFWAY");
            }
        } finally {
            child.destroyForcibly();
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        }
        assertTrue(halfway, "the child never reached the middle of its fourth snapshot:\n" + String.join("\n", output));
        assertEquals(3, committed.size());

        TestCatalog catalog = TestCatalog.open(url, TestCatalog.limits(), null);
        assertEquals(committed, catalog.snapshots().list("crash-vm").stream().map(SnapshotStore.SnapshotRow::id).toList());
        assertEquals(0, catalog.jdbc().queryForObject(
                "SELECT COUNT(*) FROM snapshot_chunk WHERE snapshot_id NOT IN (SELECT id FROM snapshot)", Integer.class));
        for (int n = 0; n < committed.size(); n++) {
            Vm vm = new Vm(MemoryQuota.UNLIMITED, false, false, 0);
            vm.createVcpu(0);
            LoadedSnapshot loaded = catalog.snapshots().load("crash-vm", committed.get(n), Map.of());
            try (Vm.VcpuHold hold = vm.holdVcpus(1000)) {
                loaded.applyTo(vm.memory());
                hold.restore(loaded.state());
            }
            assertArrayEquals(SnapshotWriterProcess.contents(n), CatalogContract.memory(vm, 1 << 20, 4 << 20));
            vm.close();
        }
    }
}
