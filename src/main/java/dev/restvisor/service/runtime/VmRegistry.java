package dev.restvisor.service.runtime;

import dev.restvisor.core.boot.FlatImageLoader;
import dev.restvisor.core.boot.LinuxLoader;
import dev.restvisor.core.memory.MemoryRegionException;
import dev.restvisor.core.memory.MemorySlot;
import dev.restvisor.core.vm.Vcpu;
import dev.restvisor.core.vm.Vm;
import dev.restvisor.core.vm.VmError;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Service;

/** Every live VM by id. Creating one applies its definition; deleting one stops its vcpus first. */
@Service
public class VmRegistry {
    private final Map<String, ManagedVm> vms = new ConcurrentHashMap<>();
    private final RuntimeLimits limits;
    private final HostMemoryQuota memory;

    private final ImageLibrary images;
    private final java.util.concurrent.ScheduledExecutorService pump;

    private final VmDefinitions definitions;

    public VmRegistry(RuntimeLimits limits, org.springframework.beans.factory.ObjectProvider<ImageLibrary> images,
                      VmDefinitions definitions) {
        this.limits = limits;
        this.definitions = definitions;
        this.memory = new HostMemoryQuota(limits.totalMemoryBytes());
        this.images = images.getIfAvailable(() -> NO_IMAGES);
        this.pump = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("serial-pump").daemon().factory());
        pump.scheduleWithFixedDelay(this::pumpAll, 5, 5, java.util.concurrent.TimeUnit.MILLISECONDS);
        pump.scheduleAtFixedRate(() -> vms.values().forEach(ManagedVm::sampleCounters), 1, 1, java.util.concurrent.TimeUnit.SECONDS);
    }

    private static final ImageLibrary NO_IMAGES = new ImageLibrary() {
        @Override
        public byte[] bytes(String imageId) {
            throw new VmError(VmError.Errno.ENOENT, "image", "there is no image with id " + imageId);
        }

        @Override
        public boolean exists(String imageId) {
            return false;
        }
    };

    private void pumpAll() {
        for (ManagedVm vm : vms.values()) {
            try {
                vm.pumpSerial();
            } catch (RuntimeException e) {
                org.slf4j.LoggerFactory.getLogger(VmRegistry.class).error("serial pump of VM {} failed", vm.id(), e);
            }
        }
    }

    @jakarta.annotation.PreDestroy
    void shutdown() {
        pump.shutdownNow();
        for (ManagedVm vm : vms.values()) {
            vm.shutdownRunner();
        }
    }

    /** Lists every stored VM again after a restart: stopped, with its memory and vcpus, ready to start or restore. */
    @jakarta.annotation.PostConstruct
    void reloadDefinitions() {
        for (VmDefinitions.Stored d : definitions.all()) {
            try {
                ManagedVm vm = build(d.id(), d.spec(), d.createdAt());
                vm.shutdownRunner();
            } catch (RuntimeException e) {
                org.slf4j.LoggerFactory.getLogger(VmRegistry.class)
                        .error("VM {} ({}) could not be created again at startup: {}", d.id(), d.spec().name(), e.getMessage());
            }
        }
    }

    public RuntimeLimits limits() {
        return limits;
    }

    /** KVM_CREATE_VM with an optional definition. Nothing is left behind when the definition fails. */
    public synchronized ManagedVm create(VmSpec spec) {
        ManagedVm managed = build(UUID.randomUUID().toString(), spec, Instant.now());
        try {
            definitions.save(managed.id(), spec, managed.createdAt());
        } catch (RuntimeException e) {
            delete(managed.id());
            throw e;
        }
        return managed;
    }

    private ManagedVm build(String id, VmSpec spec, Instant createdAt) {
        if (vms.size() >= limits.maxVms()) {
            throw new VmError(VmError.Errno.ENOMEM, null, "the service already holds its limit of " + limits.maxVms() + " VMs");
        }
        validate(spec);
        Vm vm = new Vm(memory.forVm(limits.vmMemoryBytes()), spec.realtimeClock(), spec.cpuidExits(),
                spec.exceptionExitMask());
        try {
            for (int i = 0; i < spec.memoryRegions().size(); i++) {
                VmSpec.Region r = spec.memoryRegions().get(i);
                try {
                    vm.memory().setRegion(r.slot(), r.flags(), r.guestPhysAddr(), r.memorySize());
                } catch (MemoryRegionException e) {
                    throw new MemoryRegionException(e.kind(), "memory_regions[" + i + "]." + e.field(), e.getMessage());
                }
            }
            for (int vcpu : spec.vcpuIdList()) {
                vm.createVcpu(vcpu);
            }
        } catch (RuntimeException e) {
            vm.close();
            throw e;
        }
        ManagedVm managed;
        try {
            managed = new ManagedVm(id, spec, vm, createdAt, this::boot);
        } catch (IllegalArgumentException e) {
            vm.close();
            throw new VmError(VmError.Errno.EINVAL, "devices", e.getMessage());
        } catch (RuntimeException e) {
            vm.close();
            throw e;
        }
        vms.put(managed.id(), managed);
        return managed;
    }

    /** The VM with this id; ENOENT when there is none. */
    public ManagedVm get(String id) {
        ManagedVm vm = vms.get(id);
        if (vm == null) {
            throw new VmError(VmError.Errno.ENOENT, "id", "there is no VM with id " + id);
        }
        return vm;
    }

    public List<ManagedVm> list() {
        List<ManagedVm> all = new ArrayList<>(vms.values());
        all.sort(Comparator.comparing(ManagedVm::createdAt).thenComparing(ManagedVm::id));
        return all;
    }

    /**
     * Stops every vcpu of the VM, waits for them to leave their runs, tells those who asked (the VM's
     * streams, which close), and frees its memory.
     */
    public void delete(String id) {
        ManagedVm vm = get(id);
        definitions.delete(id);
        vms.remove(id);
        for (Vcpu v : vm.vm().vcpus()) {
            v.requestStop();
        }
        for (Vcpu v : vm.vm().vcpus()) {
            awaitIdle(v);
        }
        vm.shutdownRunner();
        vm.deleted();
        vm.vm().close();
    }

    private static void awaitIdle(Vcpu v) {
        for (int i = 0; i < 10_000 && v.status() == Vcpu.Status.RUNNING; i++) {
            Thread.onSpinWait();
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * PUT /vms/{id}/boot-source: validates and stores a new boot source, which the next start or reset loads.
     * The definition in the catalog changes with it.
     */
    public synchronized void setBootSource(String id, VmSpec.Boot boot) {
        ManagedVm managed = get(id);
        VmSpec next = managed.spec().withBoot(boot);
        validate(next);
        redefine(managed, next);
    }

    /**
     * KVM_SET_MEMORY_REGION on a live VM (memory_size 0 deletes the slot): the memory changes, then the
     * definition in the catalog takes the VM's regions as they are now, so a restart brings them back.
     * A refused change leaves both as they were.
     *
     * @return the slot now in place, or null when it was deleted
     */
    public synchronized MemorySlot setMemoryRegion(String id, int slot, int flags, long guestPhysAddr, long memorySize) {
        ManagedVm managed = get(id);
        MemorySlot s = managed.vm().memory().setRegion(slot, flags, guestPhysAddr, memorySize);
        saveMemoryRegions(managed);
        return s;
    }

    /**
     * KVM_CREATE_VCPU on a live VM: the vcpu is created, then the definition in the catalog counts it (with its id,
     * when the ids are no longer 0..n-1), so a restart brings it back. A refused creation changes neither.
     */
    public synchronized Vcpu createVcpu(String id, int vcpu) {
        ManagedVm managed = get(id);
        Vcpu v = managed.vm().createVcpu(vcpu);
        redefine(managed, managed.spec().withVcpu(vcpu));
        return v;
    }

    /** Saves the VM's live memory regions as those of its definition (after a region change or a snapshot restore). */
    synchronized void saveMemoryRegions(ManagedVm managed) {
        List<VmSpec.Region> regions = managed.vm().memory().slots().stream()
                .sorted(Comparator.comparingInt(MemorySlot::slot))
                .map(s -> new VmSpec.Region(s.slot(), s.flags(), s.base(), s.size())).toList();
        if (!regions.equals(managed.spec().memoryRegions())) {
            redefine(managed, managed.spec().withMemoryRegions(regions));
        }
    }

    private void redefine(ManagedVm managed, VmSpec next) {
        definitions.save(managed.id(), next, managed.createdAt());
        managed.redefine(next);
    }

    /** Loads the boot source of a VM's definition into its memory and vcpu 0; nothing without one. */
    private void boot(ManagedVm managed) {
        VmSpec.Boot boot = managed.spec().boot();
        if (boot == null) {
            return;
        }
        if (boot.kind() == VmSpec.Boot.Kind.LINUX) {
            LinuxLoader.Layout l = managed.vm().loadLinux(images.bytes(boot.image()),
                    boot.initrdImage() == null ? null : images.bytes(boot.initrdImage()), boot.cmdline(),
                    boot.linuxEntry() == null ? null : LinuxLoader.EntryPath.valueOf(boot.linuxEntry().name()));
            managed.events().publish("boot", -1, Map.of("loader", "linux", "entry_path", l.path().name().toLowerCase(),
                    "entry_point", VmRunner.hex(l.entryPoint()), "kernel", VmRunner.hex(l.kernelStart()) + "-" + VmRunner.hex(l.kernelEnd() - 1),
                    "initrd", l.initrdSize() == 0 ? "none" : VmRunner.hex(l.initrdAddress()) + " (" + l.initrdSize() + " bytes)",
                    "boot_protocol", l.protocol(), "e820_entries", l.e820().size()));
            return;
        }
        managed.vm().loadFlatImage(images.bytes(boot.image()), boot.loadAddress(),
                boot.entry() == VmSpec.Boot.Entry.REAL ? FlatImageLoader.Entry.REAL : FlatImageLoader.Entry.PROTECTED32, boot.entryPoint());
    }

    /** The kernel must be a bzImage this loader takes and the command line must fit it; the initrd must exist. */
    private void validateLinux(VmSpec.Boot boot) {
        if (!images.exists(boot.image())) {
            throw new VmError(VmError.Errno.ENOENT, "boot.kernel", "there is no image with id " + boot.image());
        }
        if (boot.initrdImage() != null && !images.exists(boot.initrdImage())) {
            throw new VmError(VmError.Errno.ENOENT, "boot.initrd", "there is no image with id " + boot.initrdImage());
        }
        try {
            LinuxLoader.check(images.bytes(boot.image()), boot.cmdline());
        } catch (dev.restvisor.core.boot.BootException e) {
            throw new VmError(VmError.Errno.EINVAL, "boot." + e.field(), e.getMessage());
        }
    }

    private void validate(VmSpec spec) {
        if (spec.boot() != null) {
            if (!spec.vcpuIdList().contains(0)) {
                throw new VmError(VmError.Errno.EINVAL, "boot", "a boot source needs vcpu 0 (vcpus >= 1), which it starts");
            }
            if (spec.boot().kind() == VmSpec.Boot.Kind.LINUX) {
                validateLinux(spec.boot());
            } else if (spec.boot().image() != null && !images.exists(spec.boot().image())) {
                throw new VmError(VmError.Errno.ENOENT, "boot.image", "there is no image with id " + spec.boot().image());
            }
        }
        if (spec.name() != null && (spec.name().isBlank() || spec.name().length() > 100)) {
            throw new VmError(VmError.Errno.EINVAL, "name", "name must be 1 to 100 characters");
        }
        if (spec.vcpus() < 0 || spec.vcpus() > Vm.MAX_VCPUS) {
            throw new VmError(VmError.Errno.EINVAL, "vcpus", "vcpus must be between 0 and " + Vm.MAX_VCPUS);
        }
        if (!spec.vcpuIds().isEmpty()) {
            List<Integer> ids = spec.vcpuIds();
            if (ids.size() != spec.vcpus()) {
                throw new VmError(VmError.Errno.EINVAL, "vcpu_ids", "vcpu_ids names " + ids.size() + " vcpus but vcpus is " + spec.vcpus());
            }
            for (int i = 0; i < ids.size(); i++) {
                int v = ids.get(i);
                if (v < 0 || v >= Vm.MAX_VCPUS || (i > 0 && v <= ids.get(i - 1))) {
                    throw new VmError(VmError.Errno.EINVAL, "vcpu_ids[" + i + "]",
                            "vcpu_ids must ascend, without repeats, from 0 to " + (Vm.MAX_VCPUS - 1));
                }
            }
        }
        for (int i = 0; i < spec.exceptionExits().size(); i++) {
            int v = spec.exceptionExits().get(i);
            if (v < 0 || v > 31) {
                throw new VmError(VmError.Errno.EINVAL, "exception_exits[" + i + "]", "exception vectors are 0 to 31");
            }
        }
    }
}
