package dev.restvisor.core.devices;

import dev.restvisor.core.io.IrqLine;

/** An IRQ line that remembers its level and counts rising edges. */
public final class IrqProbe implements IrqLine {

    private boolean level;
    private int risingEdges;

    @Override
    public void set(boolean level) {
        if (level && !this.level) {
            risingEdges++;
        }
        this.level = level;
    }

    public boolean level() {
        return level;
    }

    public int risingEdges() {
        return risingEdges;
    }
}
