package dev.restvisor.core.devices.pic8259;

/** Both chips of a {@link PicPair} for snapshots. */
public record PicState(PicChipState master, PicChipState slave) {
}
