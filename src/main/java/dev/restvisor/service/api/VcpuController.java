package dev.restvisor.service.api;

import dev.restvisor.core.cpu.mmu.Translation;
import dev.restvisor.core.vm.GuestDebug;
import dev.restvisor.core.vm.RunRequest;
import dev.restvisor.core.vm.Vcpu;
import dev.restvisor.core.vm.VcpuExit;
import dev.restvisor.service.runtime.ManagedVm;
import dev.restvisor.service.runtime.RuntimeLimits;
import dev.restvisor.service.runtime.VmRegistry;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.enums.ParameterIn;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** vcpu ioctls: KVM_CREATE_VCPU, KVM_GET/SET_REGS, _SREGS, _MSRS, KVM_RUN, KVM_TRANSLATE, KVM_INTERRUPT, KVM_SET_GUEST_DEBUG. */
@RestController
@Tag(name = "vcpu", description = "vcpu ioctls.")
public class VcpuController {
    private final VmRegistry registry;

    public VcpuController(VmRegistry registry) {
        this.registry = registry;
    }

    private Vcpu vcpu(String id, int n) {
        ManagedVm vm = registry.get(id);
        if (vm.serviceDriven()) {
            throw new ApiException(ProblemType.BUSY, "id", "VM " + id + " is running under the service (actions/start): "
                    + "pause it (POST /vms/" + id + "/actions {\"action\":\"pause\"}) before using its vcpus directly");
        }
        return vm.vm().vcpu(n);
    }

    @PutMapping("/vms/{id}/vcpus/{n}")
    @Operation(operationId = "kvmCreateVcpu", summary = "KVM_CREATE_VCPU: a vcpu in the reset state of SDM 9.1.1; saved with the VM's definition",
            description = "The VM's stored definition counts the new vcpu (vcpus, and vcpu_ids when the ids are no longer 0..vcpus-1), so a "
                    + "restart of the service brings it back. A refused creation alters neither the VM nor the stored definition.")
    @ApiResponse(responseCode = "201", description = "Created.")
    @Parameter(name = "id", in = ParameterIn.PATH, description = "VM id.")
    @Parameter(name = "n", in = ParameterIn.PATH, description = "vcpu id, 0-63.")
    public ResponseEntity<VcpuView> create(@PathVariable String id, @PathVariable int n) {
        Vcpu v = registry.createVcpu(id, n);
        return ResponseEntity.created(URI.create("/vms/" + id + "/vcpus/" + n)).body(VcpuView.from(v));
    }

    @GetMapping("/vms/{id}/vcpus")
    @Operation(operationId = "listVcpus", summary = "The VM's vcpus")
    @ApiResponse(responseCode = "200", description = "The vcpus.")
    @Parameter(name = "id", in = ParameterIn.PATH, description = "VM id.")
    public List<VcpuView> list(@PathVariable String id) {
        return registry.get(id).vm().vcpus().stream().map(VcpuView::from).toList();
    }

    @GetMapping("/vms/{id}/vcpus/{n}")
    @Operation(operationId = "getVcpu", summary = "One vcpu")
    @ApiResponse(responseCode = "200", description = "The vcpu.")
    @Parameter(name = "id", in = ParameterIn.PATH, description = "VM id.")
    @Parameter(name = "n", in = ParameterIn.PATH, description = "vcpu id.")
    public VcpuView get(@PathVariable String id, @PathVariable int n) {
        return VcpuView.from(registry.get(id).vm().vcpu(n));
    }

    @GetMapping("/vms/{id}/vcpus/{n}/regs")
    @Operation(operationId = "kvmGetRegs", summary = "KVM_GET_REGS")
    @ApiResponse(responseCode = "200", description = "The registers.")
    @Parameter(name = "id", in = ParameterIn.PATH, description = "VM id.")
    @Parameter(name = "n", in = ParameterIn.PATH, description = "vcpu id.")
    public KvmRegs getRegs(@PathVariable String id, @PathVariable int n) {
        return vcpu(id, n).inspect(KvmRegs::from);
    }

    @PutMapping(value = "/vms/{id}/vcpus/{n}/regs", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "kvmSetRegs", summary = "KVM_SET_REGS; omitted members keep their value")
    @ApiResponse(responseCode = "200", description = "The registers after the write.")
    @Parameter(name = "id", in = ParameterIn.PATH, description = "VM id.")
    @Parameter(name = "n", in = ParameterIn.PATH, description = "vcpu id.")
    public KvmRegs setRegs(@PathVariable String id, @PathVariable int n, @RequestBody KvmRegs regs) {
        regs.validate();
        Vcpu v = vcpu(id, n);
        v.modify(regs::applyTo);
        return v.inspect(KvmRegs::from);
    }

    @GetMapping("/vms/{id}/vcpus/{n}/sregs")
    @Operation(operationId = "kvmGetSregs", summary = "KVM_GET_SREGS")
    @ApiResponse(responseCode = "200", description = "The special registers.")
    @Parameter(name = "id", in = ParameterIn.PATH, description = "VM id.")
    @Parameter(name = "n", in = ParameterIn.PATH, description = "vcpu id.")
    public KvmSregs getSregs(@PathVariable String id, @PathVariable int n) {
        return vcpu(id, n).inspect(KvmSregs::from);
    }

    @PutMapping(value = "/vms/{id}/vcpus/{n}/sregs", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "kvmSetSregs", summary = "KVM_SET_SREGS; omitted members keep their value")
    @ApiResponse(responseCode = "200", description = "The special registers after the write.")
    @Parameter(name = "id", in = ParameterIn.PATH, description = "VM id.")
    @Parameter(name = "n", in = ParameterIn.PATH, description = "vcpu id.")
    public KvmSregs setSregs(@PathVariable String id, @PathVariable int n, @RequestBody KvmSregs sregs) {
        Vcpu v = vcpu(id, n);
        v.modify(sregs::applyTo);
        return v.inspect(KvmSregs::from);
    }

    @GetMapping("/vms/{id}/vcpus/{n}/msrs")
    @Operation(operationId = "kvmGetMsrs", summary = "KVM_GET_MSRS: reads the listed indices, stopping at the first unknown one")
    @ApiResponse(responseCode = "200", description = "The entries read, in request order, up to the first MSR that is not implemented.")
    @Parameter(name = "id", in = ParameterIn.PATH, description = "VM id.")
    @Parameter(name = "n", in = ParameterIn.PATH, description = "vcpu id.")
    public KvmMsrs getMsrs(@PathVariable String id,
                           @PathVariable int n,
                           @RequestParam(name = "index") @Parameter(description = "MSR indices (u32: hex string like 0xc0000080 or decimal); repeat the parameter for several.",
                                   schema = @Schema(type = "string", pattern = U64.PATTERN)) List<U64> indices) {
        Vcpu v = vcpu(id, n);
        List<KvmMsrs.Entry> entries = new ArrayList<>();
        for (U64 index : indices) {
            int i = msrIndex(index.value(), "index");
            OptionalLong value = v.readMsr(i);
            if (value.isEmpty()) {
                break;
            }
            entries.add(new KvmMsrs.Entry(index.value(), U64.of(value.getAsLong())));
        }
        return new KvmMsrs(entries.size(), entries);
    }

    @PutMapping(value = "/vms/{id}/vcpus/{n}/msrs", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "kvmSetMsrs", summary = "KVM_SET_MSRS: writes entries in order, stopping at the first that fails; nmsrs says how many were written")
    @ApiResponse(responseCode = "200", description = "How many entries were written.")
    @Parameter(name = "id", in = ParameterIn.PATH, description = "VM id.")
    @Parameter(name = "n", in = ParameterIn.PATH, description = "vcpu id.")
    public KvmMsrs setMsrs(@PathVariable String id, @PathVariable int n, @RequestBody KvmMsrs msrs) {
        if (msrs.entries() == null) {
            throw new ApiException(ProblemType.INVALID_ARGUMENT, "entries", "entries is required");
        }
        for (int k = 0; k < msrs.entries().size(); k++) {
            KvmMsrs.Entry e = msrs.entries().get(k);
            Fields f = new Fields("entries[" + k + "]");
            if (e == null) {
                throw f.missing("");
            }
            f.range("index", e.index(), 0, 0xffffffffL);
            f.u64("data", e.data());
        }
        Vcpu v = vcpu(id, n);
        int done = 0;
        for (KvmMsrs.Entry e : msrs.entries()) {
            if (!v.writeMsr((int) (long) e.index(), e.data().value())) {
                break;
            }
            done++;
        }
        return new KvmMsrs(done, null);
    }

    @PostMapping(value = "/vms/{id}/vcpus/{n}/run")
    @Operation(operationId = "kvmRun", summary = "KVM_RUN: run until the next exit the service does not handle itself")
    @ApiResponse(responseCode = "200", description = "The exit that ended the run.")
    @Parameter(name = "id", in = ParameterIn.PATH, description = "VM id.")
    @Parameter(name = "n", in = ParameterIn.PATH, description = "vcpu id.")
    public KvmRunResult run(@PathVariable String id, @PathVariable int n, @RequestBody(required = false) KvmRunRequest request) {
        KvmRunRequest r = request == null ? new KvmRunRequest(null, null, null, null, null, null, null, null) : request;
        Vcpu v = vcpu(id, n);
        return KvmRunResult.from(v.run(toRunRequest(r, v, registry.limits())));
    }

    @GetMapping("/vms/{id}/vcpus/{n}/disassembly")
    @Operation(operationId = "disassemble", summary = "Intel-syntax disassembly of guest code as the vcpu would fetch it (extension)")
    @ApiResponse(responseCode = "200", description = "The listing, in address order; it stops early where memory ends.")
    @Parameter(name = "id", in = ParameterIn.PATH, description = "VM id.")
    @Parameter(name = "n", in = ParameterIn.PATH, description = "vcpu id.")
    public List<DisassemblyLine> disassemble(@PathVariable String id,
                                             @PathVariable int n,
                                             @RequestParam(required = false) @Parameter(description = "First instruction pointer (CS offset; u64 as hex or decimal string); default: the current RIP.",
                                                     schema = @Schema(type = "string", pattern = U64.PATTERN)) U64 address,
                                             @RequestParam(defaultValue = "16") @Parameter(description = "Instructions to list, 1-256 (default 16).") int count) {
        if (count < 1 || count > 256) {
            throw new ApiException(ProblemType.INVALID_ARGUMENT, "count", "count must be between 1 and 256");
        }
        Vcpu v = vcpu(id, n);
        return v.disassemble(address == null ? null : address.value(), count, registry.get(id).vm().memory()).stream()
                .map(l -> new DisassemblyLine(U64.of(l.address()), java.util.HexFormat.of().formatHex(l.bytes()), l.text())).toList();
    }

    @PostMapping(value = "/vms/{id}/vcpus/{n}/translate", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "kvmTranslate", summary = "KVM_TRANSLATE: walk the current paging mode for a linear address")
    @ApiResponse(responseCode = "200", description = "The translation; valid 0 when the address is not mapped.")
    @Parameter(name = "id", in = ParameterIn.PATH, description = "VM id.")
    @Parameter(name = "n", in = ParameterIn.PATH, description = "vcpu id.")
    public KvmTranslation translate(@PathVariable String id, @PathVariable int n, @RequestBody KvmTranslation request) {
        long linear = new Fields(null).u64("linear_address", request.linearAddress());
        Translation t = vcpu(id, n).translate(linear);
        return new KvmTranslation(U64.of(t.linearAddress()), U64.of(t.physicalAddress()), t.valid() ? 1 : 0,
                t.writeable() ? 1 : 0, t.usermode() ? 1 : 0);
    }

    @PostMapping(value = "/vms/{id}/vcpus/{n}/interrupt", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "kvmInterrupt", summary = "KVM_INTERRUPT: queue an external interrupt vector")
    @ApiResponse(responseCode = "204", description = "Queued.")
    @Parameter(name = "id", in = ParameterIn.PATH, description = "VM id.")
    @Parameter(name = "n", in = ParameterIn.PATH, description = "vcpu id.")
    public ResponseEntity<Void> interrupt(@PathVariable String id, @PathVariable int n, @RequestBody KvmInterrupt request) {
        int irq = new Fields(null).range("irq", request.irq(), 0, 255);
        vcpu(id, n).modify(s -> s.queueInterrupt(irq));
        return ResponseEntity.noContent().build();
    }

    @GetMapping("/vms/{id}/vcpus/{n}/debug")
    @Operation(operationId = "kvmGetGuestDebug", summary = "The debug state last set by KVM_SET_GUEST_DEBUG")
    @ApiResponse(responseCode = "200", description = "The debug state.")
    @Parameter(name = "id", in = ParameterIn.PATH, description = "VM id.")
    @Parameter(name = "n", in = ParameterIn.PATH, description = "vcpu id.")
    public KvmGuestDebug getDebug(@PathVariable String id, @PathVariable int n) {
        return toDto(vcpu(id, n).debug());
    }

    @PutMapping(value = "/vms/{id}/vcpus/{n}/debug", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "kvmSetGuestDebug", summary = "KVM_SET_GUEST_DEBUG (KVM_DEBUG_GUEST): single-step and execution breakpoints")
    @ApiResponse(responseCode = "200", description = "The debug state now in force.")
    @Parameter(name = "id", in = ParameterIn.PATH, description = "VM id.")
    @Parameter(name = "n", in = ParameterIn.PATH, description = "vcpu id.")
    public KvmGuestDebug setDebug(@PathVariable String id, @PathVariable int n, @RequestBody KvmGuestDebug request) {
        Fields f = new Fields(null);
        boolean enabled = f.range("enabled", request.enabled(), 0, 1) == 1;
        boolean step = request.singlestep() != null && f.range("singlestep", request.singlestep(), 0, 1) == 1;
        List<KvmGuestDebug.Breakpoint> bps = request.breakpoints() == null ? List.of() : request.breakpoints();
        List<Long> armed = new ArrayList<>();
        for (int k = 0; k < bps.size(); k++) {
            KvmGuestDebug.Breakpoint bp = bps.get(k);
            Fields bf = new Fields("breakpoints[" + k + "]");
            if (bp == null) {
                throw bf.missing("");
            }
            long address = bf.u64("address", bp.address());
            if (bp.enabled() == null || bf.range("enabled", bp.enabled(), 0, 1) == 1) {
                armed.add(address);
            }
        }
        Vcpu v = vcpu(id, n);
        v.setDebug(new GuestDebug(enabled, step, armed.stream().mapToLong(Long::longValue).toArray()));
        return toDto(v.debug());
    }

    private static KvmGuestDebug toDto(GuestDebug d) {
        List<KvmGuestDebug.Breakpoint> bps = new ArrayList<>();
        for (long a : d.breakpoints()) {
            bps.add(new KvmGuestDebug.Breakpoint(1, U64.of(a)));
        }
        return new KvmGuestDebug(d.enabled() ? 1 : 0, d.singleStep() ? 1 : 0, bps);
    }

    private static int msrIndex(long value, String field) {
        if (value > 0xffffffffL) {
            throw new ApiException(ProblemType.INVALID_ARGUMENT, field, "an MSR index is a u32");
        }
        return (int) value;
    }

    private static RunRequest toRunRequest(KvmRunRequest r, Vcpu v, RuntimeLimits limits) {
        Fields f = new Fields(null);
        boolean window = r.requestInterruptWindow() != null && f.range("request_interrupt_window", r.requestInterruptWindow(), 0, 1) == 1;
        boolean emulated = r.emulated() != null && f.range("emulated", r.emulated(), 0, 1) == 1;
        boolean immediate = r.immediateExit() != null && f.range("immediate_exit", r.immediateExit(), 0, 1) == 1;
        boolean mmioCompleted = r.mmioCompleted() != null && f.range("mmio_completed", r.mmioCompleted(), 0, 1) == 1;
        long timeoutMs = r.timeoutMs() == null ? limits.defaultRunTimeoutMs() : f.range("timeout_ms", r.timeoutMs(), 1, limits.maxRunTimeoutMs());
        long maxInstructions = r.maxInstructions() == null ? limits.defaultRunInstructions() : r.maxInstructions().value();
        if (maxInstructions < 1 || maxInstructions > limits.maxRunInstructions()) {
            throw new ApiException(ProblemType.INVALID_ARGUMENT, "max_instructions",
                    "max_instructions must be between 1 and " + U64.of(limits.maxRunInstructions()));
        }
        byte[] ioData = null;
        if (r.io() != null) {
            if ((r.io().value() == null) == (r.io().data() == null)) {
                throw new ApiException(ProblemType.INVALID_ARGUMENT, "io", "io needs exactly one of value and data");
            }
            ioData = r.io().data() != null ? r.io().data() : valueBytes(r.io().value(), v.lastExit());
        }
        byte[] mmioData = null;
        if (r.mmio() != null) {
            if (r.mmio().data() == null) {
                throw new ApiException(ProblemType.INVALID_ARGUMENT, "mmio.data", "mmio.data is required");
            }
            mmioData = r.mmio().data();
        } else if (mmioCompleted) {
            throw new ApiException(ProblemType.INVALID_ARGUMENT, "mmio", "mmio_completed is 1 but mmio.data carries no data");
        }
        return new RunRequest(window, ioData, mmioData, emulated, immediate, maxInstructions, timeoutMs * 1_000_000L);
    }

    /** io.value as the little-endian bytes of the pending non-string IN. */
    private static byte[] valueBytes(long value, VcpuExit last) {
        if (!(last instanceof VcpuExit.Io io) || !io.in()) {
            throw new ApiException(ProblemType.INVALID_ARGUMENT, "io", "no IN is waiting for data: the last exit was not KVM_EXIT_IO_IN");
        }
        if (io.string()) {
            throw new ApiException(ProblemType.INVALID_ARGUMENT, "io.value", "the pending IN is a string IN (INS): supply io.data with "
                    + io.count() * io.size() + " bytes");
        }
        if (value < 0 || value >= 1L << (8 * io.size())) {
            throw new ApiException(ProblemType.INVALID_ARGUMENT, "io.value", "io.value does not fit the " + io.size() + "-byte IN");
        }
        byte[] b = new byte[io.size()];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (value >>> (8 * i));
        }
        return b;
    }
}
