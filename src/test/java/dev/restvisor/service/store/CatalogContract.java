package dev.restvisor.service.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.restvisor.core.cpu.state.CpuState;
import dev.restvisor.core.cpu.state.DescriptorTable;
import dev.restvisor.core.cpu.state.Segment;
import dev.restvisor.core.memory.MemoryQuota;
import dev.restvisor.core.memory.MemorySlot;
import dev.restvisor.core.vm.GuestDebug;
import dev.restvisor.core.vm.StatefulPart;
import dev.restvisor.core.vm.Vm;
import dev.restvisor.core.vm.VmState;
import java.io.ByteArrayInputStream;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * What every catalog database must do the same way (H2 and PostgreSQL run these): store and
 * de-duplicate images, keep definitions and their image references, and write, verify and restore
 * full and diff snapshots of a VM with two vcpus and a stateful part.
 */
abstract class CatalogContract {

    /** A part state with every kind of component the codec takes. */
    record Channel(int count, long deadline) {
    }

    enum Mode { IDLE, BUSY }

    record PartState(boolean armed, byte[] fifo, List<Channel> channels, Mode mode, String label, long[] words) {
    }

    /** The same part with another layout: a snapshot of PartState must not be read as this. */
    record OtherPartState(boolean armed, int fifo) {
    }

    abstract TestCatalog catalog();

    static Vm vm(AtomicReference<PartState> part) {
        Vm vm = new Vm(MemoryQuota.UNLIMITED, false, false, 0);
        vm.memory().setRegion(0, 0, 0, 8 << 20);
        vm.memory().setRegion(3, MemorySlot.LOG_DIRTY_PAGES, 0x1000_0000L, 1 << 20);
        vm.createVcpu(0);
        vm.createVcpu(1);
        vm.addStatefulPart(new StatefulPart<>("test-device", PartState.class, part::get, part::set));
        return vm;
    }

    static String definition(String id) {
        return "{\"name\":\"" + id + "\"}";
    }

    static SnapshotStore.SnapshotRow take(TestCatalog c, Vm vm, String vmId, String name, SnapshotBaseline parent,
                                          AtomicReference<SnapshotBaseline> next) {
        VmState state;
        CapturedMemory memory;
        try (Vm.VcpuHold hold = vm.holdVcpus(1000)) {
            state = hold.capture();
            memory = CapturedMemory.capture(vm.memory(), parent);
        }
        SnapshotStore.SnapshotRow row = c.snapshots().write(vmId, name, definition(vmId), state, memory);
        next.set(memory.baseline());
        return row;
    }

    static void restore(TestCatalog c, Vm vm, String vmId, String id) {
        LoadedSnapshot loaded = c.snapshots().load(vmId, id, Map.of("test-device", PartState.class));
        try (Vm.VcpuHold hold = vm.holdVcpus(1000)) {
            loaded.applyTo(vm.memory());
            hold.restore(loaded.state());
        }
    }

    static byte[] memory(Vm vm, long address, int length) {
        byte[] b = new byte[length];
        vm.memory().read(address, b, 0, length);
        return b;
    }

    @Test
    void fullAndDiffSnapshotsRoundTripEveryPieceOfState() {
        TestCatalog c = catalog();
        String vmId = "vm-" + System.nanoTime();
        c.definitions().save(vmId, "contract", definition(vmId), Instant.now(), Set.of());
        AtomicReference<PartState> part = new AtomicReference<>(new PartState(true, new byte[] {1, 2, 3},
                List.of(new Channel(7, 100), new Channel(-1, Long.MAX_VALUE)), Mode.BUSY, "com1", new long[] {5, 6}));
        Vm vm = vm(part);
        byte[] pattern = new byte[3 << 20];
        new Random(7).nextBytes(pattern);
        vm.memory().write(0x100000, pattern, 0, pattern.length);
        vm.memory().write(0x1000_0000L + 0x3000, new byte[] {9, 9}, 0, 2);
        vm.vcpu(1).modify(s -> {
            s.gpr[3] = 0x1122334455667788L;
            s.rip = 0xfff0_1234L;
            s.seg[2] = new Segment(0x10, 0x1000, 0xfffff, 3, 1, 0, 1, 1, 0, 1, 0, 0);
            s.gdt = new DescriptorTable(0x8000, 0x27);
            s.cr3 = 0x9000;
            s.efer = 0x500;
            s.dr[2] = 0xdead;
            s.interruptBitmap[1] = 1L << 3;
            s.halted = true;
            s.msrs.lstar = 0xffffffff81000000L;
            s.msrs.mtrrVariable[15] = 0xfff;
        });
        vm.vcpu(0).setDebug(new GuestDebug(true, true, new long[] {0x7c00, 0x7c10}));
        AtomicReference<SnapshotBaseline> baseline = new AtomicReference<>();
        SnapshotStore.SnapshotRow full = take(c, vm, vmId, "full", null, baseline);
        assertNull(full.parentId());

        vm.memory().write(0x100000, new byte[] {0x55}, 0, 1);
        vm.memory().write(0x200000, new byte[4096], 0, 4096);
        SnapshotStore.SnapshotRow diff = take(c, vm, vmId, "diff", baseline.get(), baseline);
        assertEquals(full.id(), diff.parentId());
        assertTrue(diff.size() * 100 < full.size(), diff.size() + " vs " + full.size());

        vm.memory().write(0x100000, new byte[3 << 20], 0, 3 << 20);
        vm.vcpu(1).modify(CpuState::reset);
        vm.vcpu(0).setDebug(GuestDebug.OFF);
        part.set(new PartState(false, new byte[0], List.of(), Mode.IDLE, null, new long[0]));
        vm.memory().setRegion(3, 0, 0, 0);

        restore(c, vm, vmId, diff.id());
        byte[] expected = pattern.clone();
        expected[0] = 0x55;
        System.arraycopy(new byte[4096], 0, expected, 0x100000, 4096);
        assertArrayEquals(expected, memory(vm, 0x100000, expected.length));
        assertArrayEquals(new byte[] {9, 9}, memory(vm, 0x1000_0000L + 0x3000, 2));
        assertEquals(MemorySlot.LOG_DIRTY_PAGES, vm.memory().find(3).flags());
        CpuState s = vm.vcpu(1).inspect(x -> {
            CpuState copy = new CpuState();
            copy.copyFrom(x);
            return copy;
        });
        assertEquals(0x1122334455667788L, s.gpr[3]);
        assertEquals(0xfff0_1234L, s.rip);
        assertEquals(new Segment(0x10, 0x1000, 0xfffff, 3, 1, 0, 1, 1, 0, 1, 0, 0), s.seg[2]);
        assertEquals(new DescriptorTable(0x8000, 0x27), s.gdt);
        assertEquals(0x9000, s.cr3);
        assertEquals(0x500, s.efer);
        assertEquals(0xdead, s.dr[2]);
        assertEquals(1L << 3, s.interruptBitmap[1]);
        assertTrue(s.halted);
        assertEquals(0xffffffff81000000L, s.msrs.lstar);
        assertEquals(0xfff, s.msrs.mtrrVariable[15]);
        assertTrue(vm.vcpu(0).debug().singleStep());
        assertArrayEquals(new long[] {0x7c00, 0x7c10}, vm.vcpu(0).debug().breakpoints());
        PartState p = part.get();
        assertTrue(p.armed());
        assertArrayEquals(new byte[] {1, 2, 3}, p.fifo());
        assertEquals(List.of(new Channel(7, 100), new Channel(-1, Long.MAX_VALUE)), p.channels());
        assertEquals(Mode.BUSY, p.mode());
        assertEquals("com1", p.label());
        assertArrayEquals(new long[] {5, 6}, p.words());

        restore(c, vm, vmId, full.id());
        assertArrayEquals(pattern, memory(vm, 0x100000, pattern.length));
        assertEquals(List.of("full", "diff"), c.snapshots().list(vmId).stream().map(SnapshotStore.SnapshotRow::name).toList());
    }

    @Test
    void allZeroPagesAreLeftOut() {
        TestCatalog c = catalog();
        String vmId = "zero-" + System.nanoTime();
        c.definitions().save(vmId, "zero", definition(vmId), Instant.now(), Set.of());
        Vm vm = vm(new AtomicReference<>(new PartState(false, new byte[0], List.of(), Mode.IDLE, "", new long[0])));
        vm.memory().write(0x5000, new byte[] {1}, 0, 1);
        SnapshotStore.SnapshotRow row = take(c, vm, vmId, "sparse", null, new AtomicReference<>());
        assertTrue(row.size() < 16_384, "9 MiB of memory with one non-zero page took " + row.size() + " bytes");
    }

    @Test
    void aChangedPartLayoutIsRefusedNotMisread() {
        TestCatalog c = catalog();
        String vmId = "layout-" + System.nanoTime();
        c.definitions().save(vmId, "layout", definition(vmId), Instant.now(), Set.of());
        Vm vm = vm(new AtomicReference<>(new PartState(false, new byte[0], List.of(), Mode.IDLE, "", new long[0])));
        SnapshotStore.SnapshotRow row = take(c, vm, vmId, "s", null, new AtomicReference<>());
        StoreException e = assertThrows(StoreException.class,
                () -> c.snapshots().load(vmId, row.id(), Map.of("test-device", OtherPartState.class)));
        assertEquals(StoreException.Kind.UNSUPPORTED_FORMAT, e.kind());
        assertTrue(e.getMessage().contains("test-device"), e.getMessage());
        StoreException missing = assertThrows(StoreException.class, () -> c.snapshots().load(vmId, row.id(), Map.of()));
        assertEquals(StoreException.Kind.UNSUPPORTED_FORMAT, missing.kind());
    }

    @Test
    void imagesAreDeduplicatedAndKeptWhileADefinitionNamesThem() {
        TestCatalog c = catalog();
        byte[] bytes = new byte[(int) (2.5 * ImageStore.CHUNK)];
        new Random(11).nextBytes(bytes);
        ImageStore.Upload first = c.images().put("kernel", new ByteArrayInputStream(bytes));
        assertTrue(first.created());
        ImageStore.Upload second = c.images().put("other", new ByteArrayInputStream(bytes));
        assertFalse(second.created());
        assertEquals(first.image().id(), second.image().id());
        assertArrayEquals(bytes, c.images().content(first.image().id()));

        String vmId = "uses-" + System.nanoTime();
        c.definitions().save(vmId, "boots", "{}", Instant.now(), Set.of(first.image().id()));
        StoreException inUse = assertThrows(StoreException.class, () -> c.images().delete(first.image().id()));
        assertEquals(StoreException.Kind.IN_USE, inUse.kind());
        c.definitions().save(vmId, "boots", "{}", Instant.now(), Set.of());
        c.images().delete(first.image().id());
        assertEquals(StoreException.Kind.NOT_FOUND,
                assertThrows(StoreException.class, () -> c.images().get(first.image().id())).kind());
        assertTrue(c.definitions().list().stream().anyMatch(d -> d.id().equals(vmId)));
        c.definitions().delete(vmId);
        assertTrue(c.definitions().list().stream().noneMatch(d -> d.id().equals(vmId)));
    }
}
