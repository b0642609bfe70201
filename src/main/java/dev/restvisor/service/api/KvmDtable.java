package dev.restvisor.service.api;

import dev.restvisor.core.cpu.state.DescriptorTable;
import io.swagger.v3.oas.annotations.media.Schema;

/** kvm_dtable: GDTR or IDTR. */
@Schema(description = "kvm_dtable: the GDTR or IDTR register.")
public record KvmDtable(
        @Schema(description = "Linear base address of the table (u64).", requiredMode = Schema.RequiredMode.REQUIRED) U64 base,
        @Schema(description = "Table limit (u16).", requiredMode = Schema.RequiredMode.REQUIRED, minimum = "0", maximum = "65535") Integer limit) {

    static KvmDtable from(DescriptorTable t) {
        return new KvmDtable(U64.of(t.base()), t.limit());
    }

    DescriptorTable toTable(String field) {
        Fields f = new Fields(field);
        return new DescriptorTable(f.u64("base", base), f.range("limit", limit, 0, 0xffff));
    }
}
