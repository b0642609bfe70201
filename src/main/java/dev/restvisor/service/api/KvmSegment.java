package dev.restvisor.service.api;

import dev.restvisor.core.cpu.state.Segment;
import io.swagger.v3.oas.annotations.media.Schema;

/** kvm_segment: a segment register with its hidden descriptor cache. */
@Schema(description = "kvm_segment: a segment register with its hidden descriptor cache. On input every member is required.")
public record KvmSegment(
        @Schema(description = "Segment base (u64).", requiredMode = Schema.RequiredMode.REQUIRED) U64 base,
        @Schema(description = "Segment limit in bytes, already scaled by granularity (u32).", requiredMode = Schema.RequiredMode.REQUIRED, minimum = "0", maximum = "4294967295") Long limit,
        @Schema(description = "Selector (u16).", requiredMode = Schema.RequiredMode.REQUIRED, minimum = "0", maximum = "65535") Integer selector,
        @Schema(description = "Descriptor type, 4 bits (SDM Vol. 3A 3.4.5.1); bit 0 is 'accessed'.", requiredMode = Schema.RequiredMode.REQUIRED, minimum = "0", maximum = "15") Integer type,
        @Schema(description = "Present bit (0 or 1).", requiredMode = Schema.RequiredMode.REQUIRED, minimum = "0", maximum = "1") Integer present,
        @Schema(description = "Descriptor privilege level (0-3).", requiredMode = Schema.RequiredMode.REQUIRED, minimum = "0", maximum = "3") Integer dpl,
        @Schema(description = "Default operation size D/B (0 or 1).", requiredMode = Schema.RequiredMode.REQUIRED, minimum = "0", maximum = "1") Integer db,
        @Schema(description = "Descriptor type S: 1 code/data, 0 system.", requiredMode = Schema.RequiredMode.REQUIRED, minimum = "0", maximum = "1") Integer s,
        @Schema(description = "64-bit code segment L (0 or 1).", requiredMode = Schema.RequiredMode.REQUIRED, minimum = "0", maximum = "1") Integer l,
        @Schema(description = "Granularity G (0 or 1); informational, limit is already scaled.", requiredMode = Schema.RequiredMode.REQUIRED, minimum = "0", maximum = "1") Integer g,
        @Schema(description = "Available-for-software bit AVL (0 or 1).", requiredMode = Schema.RequiredMode.REQUIRED, minimum = "0", maximum = "1") Integer avl,
        @Schema(description = "1 when the register holds a null selector in protected mode (unusable).", requiredMode = Schema.RequiredMode.REQUIRED, minimum = "0", maximum = "1") Integer unusable) {

    static KvmSegment from(Segment s) {
        return new KvmSegment(U64.of(s.base()), s.limit() & 0xffffffffL, s.selector(), s.type(), s.present(), s.dpl(),
                s.db(), s.s(), s.l(), s.g(), s.avl(), s.unusable());
    }

    Segment toSegment(String field) {
        Fields f = new Fields(field);
        return new Segment(f.range("selector", selector, 0, 0xffff), f.u64("base", base),
                (int) f.range("limit", limit, 0, 0xffffffffL), f.range("type", type, 0, 15),
                f.range("present", present, 0, 1), f.range("dpl", dpl, 0, 3), f.range("db", db, 0, 1),
                f.range("s", s, 0, 1), f.range("l", l, 0, 1), f.range("g", g, 0, 1), f.range("avl", avl, 0, 1),
                f.range("unusable", unusable, 0, 1));
    }
}
