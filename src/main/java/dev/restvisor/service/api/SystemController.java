package dev.restvisor.service.api;

import dev.restvisor.core.vm.Vm;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.Arrays;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** The system ioctls of /dev/kvm. */
@RestController
@Tag(name = "system", description = "System ioctls of /dev/kvm.")
public class SystemController {

    @GetMapping("/api-version")
    @Operation(operationId = "kvmGetApiVersion", summary = "KVM_GET_API_VERSION")
    @ApiResponse(responseCode = "200", description = "The API version.")
    public ApiVersion apiVersion() {
        return new ApiVersion(3);
    }

    @GetMapping("/msr-index-list")
    @Operation(operationId = "kvmGetMsrIndexList", summary = "KVM_GET_MSR_INDEX_LIST: the MSRs vcpus implement")
    @ApiResponse(responseCode = "200", description = "The MSR index list.")
    public MsrIndexList msrIndexList() {
        long[] indices = Arrays.stream(Vm.msrIndexList()).mapToLong(i -> i & 0xffffffffL).toArray();
        return new MsrIndexList(indices.length, indices);
    }
}
