package dev.restvisor.service.api;

import dev.restvisor.core.memory.DirtyBitmap;
import dev.restvisor.core.memory.MemorySlot;
import dev.restvisor.core.vm.Vm;
import dev.restvisor.service.runtime.ManagedVm;
import dev.restvisor.service.runtime.VmRegistry;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.enums.ParameterIn;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.parameters.RequestBody;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.net.URI;
import java.util.List;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** VM ioctls: KVM_CREATE_VM, KVM_SET_MEMORY_REGION, guest memory access and KVM_GET_DIRTY_LOG. */
@RestController
@Tag(name = "vm", description = "VM ioctls and guest memory.")
public class VmController {
    private final VmRegistry registry;

    public VmController(VmRegistry registry) {
        this.registry = registry;
    }

    @PostMapping("/vms")
    @Operation(operationId = "kvmCreateVm", summary = "KVM_CREATE_VM, optionally from a full definition")
    @ApiResponse(responseCode = "201", description = "The VM was created; Location names it.")
    public ResponseEntity<VmView> create(@org.springframework.web.bind.annotation.RequestBody(required = false) VmDefinition definition) {
        ManagedVm vm = registry.create((definition == null ? new VmDefinition(null, null, null, null, null, null, null, null, null, null) : definition).toSpec());
        return ResponseEntity.created(URI.create("/vms/" + vm.id())).body(VmView.from(vm));
    }

    @GetMapping("/vms")
    @Operation(operationId = "listVms", summary = "Every VM, oldest first")
    @ApiResponse(responseCode = "200", description = "Every VM.")
    public List<VmView> list() {
        return registry.list().stream().map(VmView::from).toList();
    }

    @GetMapping("/vms/{id}")
    @Operation(operationId = "getVm", summary = "One VM with its state and counters")
    @ApiResponse(responseCode = "200", description = "The VM.")
    @Parameter(name = "id", in = ParameterIn.PATH, description = "VM id.")
    public VmView get(@PathVariable String id) {
        return VmView.from(registry.get(id));
    }

    @DeleteMapping("/vms/{id}")
    @Operation(operationId = "deleteVm", summary = "Stops the VM's vcpus and destroys it (close of the VM fd)")
    @ApiResponse(responseCode = "204", description = "Deleted.")
    @Parameter(name = "id", in = ParameterIn.PATH, description = "VM id.")
    public ResponseEntity<Void> delete(@PathVariable String id) {
        registry.delete(id);
        return ResponseEntity.noContent().build();
    }

    @PostMapping(value = "/vms/{id}/actions", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "vmAction", summary = "start, pause, resume, reset or stop: the service drives the VM's vcpus itself")
    @ApiResponse(responseCode = "200", description = "The VM after the action.")
    @Parameter(name = "id", in = ParameterIn.PATH, description = "VM id.")
    public VmView action(@PathVariable String id, @org.springframework.web.bind.annotation.RequestBody VmAction request) {
        if (request.action() == null) {
            throw new ApiException(ProblemType.INVALID_ARGUMENT, "action", "action is required: start, pause, resume, reset or stop");
        }
        ManagedVm.Action action = switch (request.action()) {
            case "start" -> ManagedVm.Action.START;
            case "pause" -> ManagedVm.Action.PAUSE;
            case "resume" -> ManagedVm.Action.RESUME;
            case "reset" -> ManagedVm.Action.RESET;
            case "stop" -> ManagedVm.Action.STOP;
            default -> throw new ApiException(ProblemType.INVALID_ARGUMENT, "action",
                    "action must be start, pause, resume, reset or stop, got " + request.action());
        };
        ManagedVm vm = registry.get(id);
        vm.perform(action);
        return VmView.from(vm);
    }

    @PutMapping(value = "/vms/{id}/boot-source", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "setBootSource", summary = "Sets what start (and reset) loads: a flat image or a Linux kernel, initrd and "
            + "command line; saved with the VM's definition")
    @ApiResponse(responseCode = "200", description = "The boot source now in the definition; the next start or reset loads it.")
    @Parameter(name = "id", in = ParameterIn.PATH, description = "VM id.")
    public BootSource setBootSource(@PathVariable String id,
                                    @org.springframework.web.bind.annotation.RequestBody BootSource source) {
        registry.setBootSource(id, source.toSpec());
        return BootSource.from(registry.get(id).spec().boot());
    }

    @GetMapping("/vms/{id}/boot-source")
    @Operation(operationId = "getBootSource", summary = "The boot source of the VM's definition")
    @ApiResponse(responseCode = "200", description = "The boot source.")
    @Parameter(name = "id", in = ParameterIn.PATH, description = "VM id.")
    public BootSource getBootSource(@PathVariable String id) {
        BootSource source = BootSource.from(registry.get(id).spec().boot());
        if (source == null) {
            throw new ApiException(ProblemType.NOT_FOUND, "boot", "the VM has no boot source: set one with PUT /vms/" + id + "/boot-source");
        }
        return source;
    }

    @PutMapping(value = "/vms/{id}/memory-regions/{slot}", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "kvmSetMemoryRegion", summary = "KVM_SET_MEMORY_REGION: create, re-flag or (memory_size 0) delete a slot; "
            + "saved with the VM's definition",
            description = "The VM's regions after the change are saved as the memory_regions of its stored definition, so a restart of the "
                    + "service brings the VM back with them. A refused change alters neither the VM nor the stored definition.")
    @ApiResponse(responseCode = "200", description = "The region now in place; with memory_size 0 the slot was deleted and the request is echoed.")
    @Parameter(name = "id", in = ParameterIn.PATH, description = "VM id.")
    @Parameter(name = "slot", in = ParameterIn.PATH, description = "Slot number, 0-31.")
    public KvmMemoryRegion setRegion(@PathVariable String id,
                                     @PathVariable int slot,
                                     @org.springframework.web.bind.annotation.RequestBody KvmMemoryRegion region) {
        if (region.slot() != null && region.slot() != slot) {
            throw new ApiException(ProblemType.INVALID_ARGUMENT, "slot", "slot in the body (" + region.slot() + ") differs from the path (" + slot + ")");
        }
        Fields f = new Fields(null);
        long size = f.u64("memory_size", region.memorySize());
        long gpa = size == 0 && region.guestPhysAddr() == null ? 0 : f.u64("guest_phys_addr", region.guestPhysAddr());
        int flags = region.flags() == null ? 0 : region.flags();
        MemorySlot s = registry.setMemoryRegion(id, slot, flags, gpa, size);
        return s == null ? new KvmMemoryRegion(slot, flags, U64.of(gpa), U64.of(0)) : KvmMemoryRegion.from(s);
    }

    @GetMapping("/vms/{id}/memory-regions")
    @Operation(operationId = "listMemoryRegions", summary = "The live memory regions, by guest physical address")
    @ApiResponse(responseCode = "200", description = "The regions.")
    @Parameter(name = "id", in = ParameterIn.PATH, description = "VM id.")
    public List<KvmMemoryRegion> regions(@PathVariable String id) {
        return registry.get(id).vm().memory().slots().stream().map(KvmMemoryRegion::from).toList();
    }

    @DeleteMapping("/vms/{id}/memory-regions/{slot}")
    @Operation(operationId = "kvmDeleteMemoryRegion", summary = "KVM_SET_MEMORY_REGION with memory_size 0: delete a slot; saved with the VM's definition",
            description = "The slot is removed from the memory_regions of the VM's stored definition too, so a restart of the service does not bring it back.")
    @ApiResponse(responseCode = "204", description = "Deleted.")
    @Parameter(name = "id", in = ParameterIn.PATH, description = "VM id.")
    @Parameter(name = "slot", in = ParameterIn.PATH, description = "Slot number, 0-31.")
    public ResponseEntity<Void> deleteRegion(@PathVariable String id, @PathVariable int slot) {
        registry.setMemoryRegion(id, slot, 0, 0, 0);
        return ResponseEntity.noContent().build();
    }

    @GetMapping(value = "/vms/{id}/memory", produces = MediaType.APPLICATION_OCTET_STREAM_VALUE)
    @Operation(operationId = "readGuestMemory", summary = "Read guest physical memory (what mmap of guest RAM gives a KVM client)")
    @ApiResponse(responseCode = "200", description = "The bytes.", content = @Content(mediaType = "application/octet-stream",
            schema = @Schema(type = "string", format = "binary")))
    @Parameter(name = "id", in = ParameterIn.PATH, description = "VM id.")
    public byte[] readMemory(@PathVariable String id,
                             @RequestParam @Parameter(description = "Guest physical address (u64: hex or decimal string).", schema = @Schema(type = "string", pattern = U64.PATTERN)) U64 address,
                             @RequestParam @Parameter(description = "Number of bytes, 1 to the service's transfer limit.") int length) {
        int max = registry.limits().maxMemoryTransferBytes();
        if (length < 1 || length > max) {
            throw new ApiException(ProblemType.INVALID_ARGUMENT, "length", "length must be between 1 and " + max);
        }
        byte[] out = new byte[length];
        registry.get(id).vm().memory().read(address.value(), out, 0, length);
        return out;
    }

    @PutMapping(value = "/vms/{id}/memory", consumes = MediaType.APPLICATION_OCTET_STREAM_VALUE)
    @Operation(operationId = "writeGuestMemory", summary = "Write guest physical memory; every byte must be backed by a region")
    @ApiResponse(responseCode = "204", description = "Written.")
    @Parameter(name = "id", in = ParameterIn.PATH, description = "VM id.")
    public ResponseEntity<Void> writeMemory(@PathVariable String id,
                                            @RequestParam @Parameter(description = "Guest physical address (u64: hex or decimal string).", schema = @Schema(type = "string", pattern = U64.PATTERN)) U64 address,
                                            @RequestBody(description = "The bytes to write.", required = true,
                                                    content = @Content(mediaType = "application/octet-stream", schema = @Schema(type = "string", format = "binary")))
                                            @org.springframework.web.bind.annotation.RequestBody byte[] bytes) {
        int max = registry.limits().maxMemoryTransferBytes();
        if (bytes.length == 0 || bytes.length > max) {
            throw new ApiException(ProblemType.INVALID_ARGUMENT, "body", "the body must hold 1 to " + max + " bytes, got " + bytes.length);
        }
        registry.get(id).vm().memory().write(address.value(), bytes, 0, bytes.length);
        return ResponseEntity.noContent().build();
    }

    @PostMapping(value = "/vms/{id}/dirty-log", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "kvmGetDirtyLog", summary = "KVM_GET_DIRTY_LOG: read and clear a slot's dirty bitmap")
    @ApiResponse(responseCode = "200", description = "The slot's dirty bitmap as it was before this call cleared it.")
    @Parameter(name = "id", in = ParameterIn.PATH, description = "VM id.")
    public DirtyLog dirtyLog(@PathVariable String id, @org.springframework.web.bind.annotation.RequestBody DirtyLog request) {
        int slot = new Fields(null).range("slot", request.slot(), 0, 31);
        Vm vm = registry.get(id).vm();
        MemorySlot s = vm.memory().find(slot);
        if (s == null) {
            throw new ApiException(ProblemType.NOT_FOUND, "slot", "slot " + slot + " does not exist");
        }
        DirtyBitmap bitmap = s.dirtyBitmap();
        if (bitmap == null) {
            throw new ApiException(ProblemType.INVALID_ARGUMENT, "slot",
                    "slot " + slot + " does not log dirty pages: set flag KVM_MEM_LOG_DIRTY_PAGES (1) on it first");
        }
        byte[] bits = bitmap.readAndClear();
        long count = 0;
        for (byte b : bits) {
            count += Integer.bitCount(b & 0xff);
        }
        return new DirtyLog(slot, bits, count);
    }
}
