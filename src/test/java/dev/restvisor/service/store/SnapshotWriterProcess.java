package dev.restvisor.service.store;

import dev.restvisor.core.memory.MemoryQuota;
import dev.restvisor.core.vm.Vm;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.Random;
import java.util.Set;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * The child JVM of {@link SnapshotCrashTest}: commits {@code complete} snapshots of a VM, each with
 * its own memory contents, printing {@code COMMITTED <id>} after each; then writes every chunk of
 * one more and, before its transaction commits, prints {@code HALFWAY} and waits to be killed.
 */
final class SnapshotWriterProcess {
    static final long SLOT = 16 << 20;

    private SnapshotWriterProcess() {
    }

    /** The memory of snapshot {@code n}: 4 MiB of noise seeded by n at 1 MiB. */
    static byte[] contents(int n) {
        byte[] b = new byte[4 << 20];
        new Random(n).nextBytes(b);
        return b;
    }

    public static void main(String[] args) throws Exception {
        String url = args[0];
        int complete = Integer.parseInt(args[1]);
        DataSource real = new DriverManagerDataSource(url);
        Flyway.configure().dataSource(real).locations("classpath:db/migration").load().migrate();
        int[] batches = {0};
        DataSource hanging = (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class},
                (p, m, a) -> {
                    Object r = invoke(m, real, a);
                    return r instanceof Connection c ? connection(c, complete, batches) : r;
                });
        TestCatalog catalog = TestCatalog.of(hanging, TestCatalog.limits());
        catalog.definitions().save("crash-vm", "crash", "{}", Instant.now(), Set.of());
        Vm vm = new Vm(MemoryQuota.UNLIMITED, false, false, 0);
        vm.memory().setRegion(0, 0, 0, SLOT);
        vm.createVcpu(0);
        for (int n = 0; ; n++) {
            byte[] c = contents(n);
            vm.memory().write(1 << 20, c, 0, c.length);
            var row = CatalogContract.take(catalog, vm, "crash-vm", "s" + n, null, new java.util.concurrent.atomic.AtomicReference<>());
            System.out.println("COMMITTED " + row.id());
            System.out.flush();
        }
    }

    private static Connection connection(Connection real, int complete, int[] batches) {
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class}, (p, m, a) -> {
            Object r = invoke(m, real, a);
            if (r instanceof PreparedStatement ps && m.getName().equals("prepareStatement") && ((String) a[0]).startsWith("INSERT INTO snapshot_chunk")) {
                return Proxy.newProxyInstance(PreparedStatement.class.getClassLoader(), new Class<?>[] {PreparedStatement.class}, (q, n, b) -> {
                    Object out = invoke(n, ps, b);
                    if (n.getName().equals("executeBatch") && ++batches[0] > complete) {
                        System.out.println("HALFWAY");
                        System.out.flush();
                        Thread.sleep(Long.MAX_VALUE);
                    }
                    return out;
                });
            }
            return r;
        });
    }

    private static Object invoke(java.lang.reflect.Method m, Object target, Object[] args) throws Throwable {
        try {
            return m.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
