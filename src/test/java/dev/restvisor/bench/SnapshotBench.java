package dev.restvisor.bench;

import dev.restvisor.core.memory.MemoryQuota;
import dev.restvisor.core.vm.Vm;
import dev.restvisor.core.vm.VmState;
import dev.restvisor.service.store.CapturedMemory;
import dev.restvisor.service.store.DefinitionStore;
import dev.restvisor.service.store.LoadedSnapshot;
import dev.restvisor.service.store.SnapshotBaseline;
import dev.restvisor.service.store.SnapshotStore;
import dev.restvisor.service.store.StoreProperties;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.flywaydb.core.Flyway;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Snapshot speed (a benchmark, not a test): a 256 MiB guest with 50 MiB of non-zero memory on the
 * H2 file catalog the service uses by default. Prints full snapshot, restore and diff snapshot
 * times (best and median of {@value #ROUNDS} rounds after a warm-up). Run it with
 * <pre>
 *   ./mvnw -q -o test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 *   java -cp target/classes:target/test-classes:$(cat target/cp.txt) dev.restvisor.bench.SnapshotBench
 * </pre>
 * Memory contents: 12,800 non-zero 4 KiB pages in runs of 1-64 pages spread over the slot, half
 * of them random bytes (incompressible) and half bytes from a 16-symbol alphabet (like code and
 * text, compressible about 2:1). The diff touches 64 pages.
 */
public final class SnapshotBench {
    static final int ROUNDS = 7;
    static final long SLOT = 256L << 20;
    static final int PAGE = 4096;

    private SnapshotBench() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("restvisor-bench");
        DriverManagerDataSource ds = new DriverManagerDataSource("jdbc:h2:file:" + dir.resolve("catalog"));
        Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
        JdbcTemplate jdbc = new JdbcTemplate(ds);
        TransactionTemplate tx = new TransactionTemplate(new DataSourceTransactionManager(ds));
        StoreProperties limits = new StoreProperties(1L << 30, 1L << 40);
        SnapshotStore snapshots = new SnapshotStore(jdbc, tx, limits);
        new DefinitionStore(jdbc, tx).save("bench", "bench", "{}", Instant.now(), Set.of());

        Vm vm = new Vm(MemoryQuota.UNLIMITED, false, false, 0);
        vm.memory().setRegion(0, 0, 0, SLOT);
        vm.createVcpu(0);
        long nonZero = fill(vm, new Random(42));
        System.out.printf("guest: %d MiB, %d MiB non-zero, catalog in %s (deleted at the end)%n", SLOT >> 20, nonZero >> 20, dir);

        long[] snap = new long[ROUNDS];
        long[] restore = new long[ROUNDS];
        long[] diff = new long[ROUNDS];
        long fullSize = 0;
        long diffSize = 0;
        Random touch = new Random(7);
        for (int round = -1; round < ROUNDS; round++) {
            long t0 = System.nanoTime();
            SnapshotBaseline[] base = new SnapshotBaseline[1];
            SnapshotStore.SnapshotRow full = take(vm, snapshots, "full", null, base);
            long t1 = System.nanoTime();
            byte[] page = new byte[PAGE];
            for (int i = 0; i < 64; i++) {
                touch.nextBytes(page);
                vm.memory().write((long) touch.nextInt((int) (SLOT / PAGE)) * PAGE, page, 0, PAGE);
            }
            long t2 = System.nanoTime();
            SnapshotStore.SnapshotRow d = take(vm, snapshots, "diff", base[0], base);
            long t3 = System.nanoTime();
            LoadedSnapshot loaded = snapshots.load("bench", full.id(), Map.of());
            try (Vm.VcpuHold hold = vm.holdVcpus(1000)) {
                loaded.applyTo(vm.memory());
                hold.restore(loaded.state());
            }
            long t4 = System.nanoTime();
            if (round >= 0) {
                snap[round] = t1 - t0;
                diff[round] = t3 - t2;
                restore[round] = t4 - t3;
                fullSize = full.size();
                diffSize = d.size();
            }
            snapshots.delete("bench", d.id());
            snapshots.delete("bench", full.id());
        }
        report("full snapshot", snap, fullSize);
        report("restore", restore, fullSize);
        report("diff snapshot", diff, diffSize);
        vm.close();
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }

    private static SnapshotStore.SnapshotRow take(Vm vm, SnapshotStore store, String name, SnapshotBaseline parent,
                                                  SnapshotBaseline[] next) {
        VmState state;
        CapturedMemory memory;
        try (Vm.VcpuHold hold = vm.holdVcpus(1000)) {
            state = hold.capture();
            memory = CapturedMemory.capture(vm.memory(), parent);
        }
        SnapshotStore.SnapshotRow row = store.write("bench", name, "{}", state, memory);
        next[0] = memory.baseline();
        return row;
    }

    private static long fill(Vm vm, Random r) {
        int pages = (int) (SLOT / PAGE);
        boolean[] used = new boolean[pages];
        long filled = 0;
        byte[] page = new byte[PAGE];
        while (filled < 50L << 20) {
            int run = 1 + r.nextInt(64);
            int first = r.nextInt(pages - run);
            for (int p = first; p < first + run; p++) {
                if (used[p]) {
                    continue;
                }
                used[p] = true;
                if ((p & 1) == 0) {
                    r.nextBytes(page);
                } else {
                    for (int i = 0; i < PAGE; i++) {
                        page[i] = (byte) ("0123456789abcdef".charAt(r.nextInt(16)));
                    }
                }
                vm.memory().write((long) p * PAGE, page, 0, PAGE);
                filled += PAGE;
            }
        }
        return filled;
    }

    private static void report(String what, long[] nanos, long bytes) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        System.out.printf("%-14s best %6.1f ms  median %6.1f ms  stored %6.1f MiB%n", what, sorted[0] / 1e6,
                sorted[sorted.length / 2] / 1e6, bytes / 1048576.0);
    }
}
