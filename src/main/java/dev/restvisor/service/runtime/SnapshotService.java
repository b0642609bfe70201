package dev.restvisor.service.runtime;

import dev.restvisor.core.vm.StatefulPart;
import dev.restvisor.core.vm.Vm;
import dev.restvisor.core.vm.VmState;
import dev.restvisor.service.store.CapturedMemory;
import dev.restvisor.service.store.LoadedSnapshot;
import dev.restvisor.service.store.SnapshotBaseline;
import dev.restvisor.service.store.SnapshotStore;
import dev.restvisor.service.store.StoreException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Service;

/**
 * Snapshots of live VMs: take (the vcpus are held while state and pages are copied, then run on
 * while the copy is compressed and written), list, restore into the same VM, clone into a new VM,
 * delete. It remembers for each VM which snapshot its memory last equalled, the only parent a diff
 * snapshot can have.
 */
@Service
public class SnapshotService {
    /** How long a snapshot waits for running vcpus to reach an instruction boundary. */
    private static final long HOLD_TIMEOUT_MS = 5_000;

    private final VmRegistry registry;
    private final SnapshotStore store;
    private final Map<String, SnapshotBaseline> baselines = new ConcurrentHashMap<>();

    public SnapshotService(VmRegistry registry, SnapshotStore store) {
        this.registry = registry;
        this.store = store;
    }

    /**
     * Takes a snapshot; with a parent, a diff holding only the pages written since that parent,
     * which must be the snapshot this VM last took or was restored from.
     */
    public SnapshotInfo create(String vmId, String name, String parent) {
        ManagedVm managed = registry.get(vmId);
        try {
            synchronized (managed) {
                SnapshotBaseline base = null;
                if (parent != null) {
                    store.get(vmId, parent);
                    base = baselines.get(vmId);
                    if (base == null || !base.snapshotId().equals(parent)) {
                        throw new CatalogError(CatalogError.Kind.CONFLICT, "parent", "a diff snapshot must be based on the snapshot"
                                + " this VM last took or was restored from"
                                + (base == null ? ", and it has none since the service started: take a full snapshot first"
                                : ", which is " + base.snapshotId()));
                    }
                }
                Vm vm = managed.vm();
                VmState state;
                CapturedMemory memory;
                baselines.remove(vmId);
                try (Vm.VcpuHold hold = vm.holdVcpus(HOLD_TIMEOUT_MS)) {
                    state = hold.capture();
                    memory = CapturedMemory.capture(vm.memory(), base);
                }
                SnapshotStore.SnapshotRow row = store.write(vmId, name, StoredVmDefinitions.toJson(managed.spec()), state, memory);
                baselines.put(vmId, memory.baseline());
                return info(row);
            }
        } catch (StoreException e) {
            throw CatalogError.of(e);
        }
    }

    public List<SnapshotInfo> list(String vmId) {
        registry.get(vmId);
        return store.list(vmId).stream().map(SnapshotService::info).toList();
    }

    /** Restores a snapshot into its VM, which is paused afterwards. */
    public ManagedVm restore(String vmId, String snapshotId) {
        ManagedVm managed = registry.get(vmId);
        try {
            synchronized (managed) {
                LoadedSnapshot loaded = store.load(vmId, snapshotId, partTypes(managed.vm()));
                baselines.remove(vmId);
                baselines.put(vmId, restoreInto(managed, loaded));
                return managed;
            }
        } catch (StoreException e) {
            throw CatalogError.of(e);
        }
    }

    /** Makes a new VM from a snapshot's definition and state; it is paused afterwards. */
    public ManagedVm cloneVm(String vmId, String snapshotId, String name) {
        registry.get(vmId);
        try {
            store.get(vmId, snapshotId);
            VmSpec spec = StoredVmDefinitions.fromJson(store.definition(snapshotId)).withName(name);
            ManagedVm clone = registry.create(spec);
            try {
                synchronized (clone) {
                    restoreInto(clone, store.load(vmId, snapshotId, partTypes(clone.vm())));
                }
                return clone;
            } catch (RuntimeException e) {
                registry.delete(clone.id());
                throw e;
            }
        } catch (StoreException e) {
            throw CatalogError.of(e);
        }
    }

    public void delete(String vmId, String snapshotId) {
        registry.get(vmId);
        try {
            store.delete(vmId, snapshotId);
            baselines.computeIfPresent(vmId, (id, b) -> b.snapshotId().equals(snapshotId) ? null : b);
        } catch (StoreException e) {
            throw CatalogError.of(e);
        }
    }

    /** Restores state and memory; the snapshot's memory regions become those of the VM's stored definition. */
    private SnapshotBaseline restoreInto(ManagedVm managed, LoadedSnapshot loaded) {
        managed.pauseForRestore();
        SnapshotBaseline baseline;
        try (Vm.VcpuHold hold = managed.vm().holdVcpus(HOLD_TIMEOUT_MS)) {
            baseline = loaded.applyTo(managed.vm().memory());
            hold.restore(loaded.state());
        }
        registry.saveMemoryRegions(managed);
        return baseline;
    }

    private static Map<String, Class<? extends Record>> partTypes(Vm vm) {
        Map<String, Class<? extends Record>> types = new HashMap<>();
        for (StatefulPart<?> p : vm.statefulParts()) {
            types.put(p.name(), p.type());
        }
        return types;
    }

    private static SnapshotInfo info(SnapshotStore.SnapshotRow r) {
        return new SnapshotInfo(r.id(), r.name(), r.vmId(), r.parentId(), r.createdAt(), r.size());
    }
}
