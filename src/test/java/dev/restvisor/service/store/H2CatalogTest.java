package dev.restvisor.service.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The catalog contract on H2, plus the snapshot quota. */
class H2CatalogTest extends CatalogContract {
    private TestCatalog catalog;

    @BeforeEach
    void open() {
        catalog = TestCatalog.open("jdbc:h2:mem:catalog-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1", TestCatalog.limits(), null);
    }

    @Override
    TestCatalog catalog() {
        return catalog;
    }

    @Test
    void theSnapshotQuotaRefusesAndKeepsEarlierSnapshots() {
        StoreProperties small = new StoreProperties(1 << 20, 200_000);
        TestCatalog c = TestCatalog.of(catalog.jdbc().getDataSource(), small);
        String vmId = "quota";
        c.definitions().save(vmId, "quota", definition(vmId), Instant.now(), Set.of());
        var vm = vm(new AtomicReference<>(new PartState(false, new byte[0], List.of(), Mode.IDLE, "", new long[0])));
        byte[] noise = new byte[100_000];
        new java.util.Random(1).nextBytes(noise);
        vm.memory().write(0, noise, 0, noise.length);
        var first = take(c, vm, vmId, "first", null, new AtomicReference<>());
        StoreException e = assertThrows(StoreException.class, () -> take(c, vm, vmId, "second", null, new AtomicReference<>()));
        assertEquals(StoreException.Kind.QUOTA, e.kind());
        assertEquals(List.of(first.id()), c.snapshots().list(vmId).stream().map(SnapshotStore.SnapshotRow::id).toList());
        restore(c, vm, vmId, first.id());
    }
}
