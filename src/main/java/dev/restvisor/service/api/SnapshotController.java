package dev.restvisor.service.api;

import dev.restvisor.service.runtime.ManagedVm;
import dev.restvisor.service.runtime.SnapshotInfo;
import dev.restvisor.service.runtime.SnapshotService;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.enums.ParameterIn;
import io.swagger.v3.oas.annotations.media.Content;
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
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** Snapshots of a VM: take, list, restore, clone into a new VM, delete. */
@RestController
@Tag(name = "snapshots", description = "Snapshots of VMs.")
public class SnapshotController {
    private final SnapshotService snapshots;

    public SnapshotController(SnapshotService snapshots) {
        this.snapshots = snapshots;
    }

    @PostMapping(value = "/vms/{id}/snapshots", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "createSnapshot", summary = "Take a snapshot (a running VM pauses for the copy of its state and memory, then runs on)")
    @ApiResponse(responseCode = "201", description = "The snapshot was written; Location names it.")
    @ApiResponse(responseCode = "409", description = "The parent is not the snapshot this VM last took or was restored from.",
            content = @Content(mediaType = "application/problem+json"))
    @ApiResponse(responseCode = "422", description = "The snapshot limit of the catalog would be exceeded.",
            content = @Content(mediaType = "application/problem+json"))
    @ApiResponse(responseCode = "507", description = "The catalog's disk is full (type insufficient-storage): the snapshot was not written, and every snapshot acknowledged earlier is intact and restorable.",
            content = @Content(mediaType = "application/problem+json"))
    @Parameter(name = "id", in = ParameterIn.PATH, description = "VM id.")
    public ResponseEntity<SnapshotView> create(@PathVariable String id, @RequestBody SnapshotRequest request) {
        if (request.name() == null) {
            throw new ApiException(ProblemType.INVALID_ARGUMENT, "name", "name is required");
        }
        SnapshotInfo s = snapshots.create(id, request.name(), request.parent());
        return ResponseEntity.created(URI.create("/vms/" + id + "/snapshots/" + s.id())).body(SnapshotView.from(s));
    }

    @GetMapping("/vms/{id}/snapshots")
    @Operation(operationId = "listSnapshots", summary = "The VM's snapshots, oldest first")
    @ApiResponse(responseCode = "200", description = "The snapshots.")
    @Parameter(name = "id", in = ParameterIn.PATH, description = "VM id.")
    public List<SnapshotView> list(@PathVariable String id) {
        return snapshots.list(id).stream().map(SnapshotView::from).toList();
    }

    @PostMapping("/vms/{id}/snapshots/{sid}/restore")
    @Operation(operationId = "restoreSnapshot", summary = "Restore a snapshot into its VM; the VM is paused afterwards")
    @ApiResponse(responseCode = "200", description = "The VM, paused, in the snapshot's state.")
    @ApiResponse(responseCode = "422", description = "The snapshot (or a parent) is corrupt or in a format this service does not read.",
            content = @Content(mediaType = "application/problem+json"))
    @Parameter(name = "id", in = ParameterIn.PATH, description = "VM id.")
    @Parameter(name = "sid", in = ParameterIn.PATH, description = "Snapshot id.")
    public VmView restore(@PathVariable String id, @PathVariable String sid) {
        return VmView.from(snapshots.restore(id, sid));
    }

    @PostMapping(value = "/vms/{id}/snapshots/{sid}/clone", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "cloneSnapshot", summary = "Make a new VM from a snapshot; it is paused afterwards")
    @ApiResponse(responseCode = "201", description = "The new VM, paused; Location names it.")
    @ApiResponse(responseCode = "507", description = "The catalog's disk is full (type insufficient-storage); the new VM's definition was not stored, no VM was made, and earlier data is intact.",
            content = @Content(mediaType = "application/problem+json"))
    @Parameter(name = "id", in = ParameterIn.PATH, description = "VM id.")
    @Parameter(name = "sid", in = ParameterIn.PATH, description = "Snapshot id.")
    public ResponseEntity<VmView> cloneVm(@PathVariable String id, @PathVariable String sid, @RequestBody CloneRequest request) {
        ManagedVm clone = snapshots.cloneVm(id, sid, request.name());
        return ResponseEntity.created(URI.create("/vms/" + clone.id())).body(VmView.from(clone));
    }

    @DeleteMapping("/vms/{id}/snapshots/{sid}")
    @Operation(operationId = "deleteSnapshot", summary = "Delete a snapshot that no diff snapshot is based on")
    @ApiResponse(responseCode = "204", description = "Deleted.")
    @ApiResponse(responseCode = "409", description = "A diff snapshot is based on it.", content = @Content(mediaType = "application/problem+json"))
    @Parameter(name = "id", in = ParameterIn.PATH, description = "VM id.")
    @Parameter(name = "sid", in = ParameterIn.PATH, description = "Snapshot id.")
    public ResponseEntity<Void> delete(@PathVariable String id, @PathVariable String sid) {
        snapshots.delete(id, sid);
        return ResponseEntity.noContent().build();
    }
}
