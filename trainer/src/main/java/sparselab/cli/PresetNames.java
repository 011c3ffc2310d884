package sparselab.cli;

import sparselab.config.Presets;

import java.util.Iterator;

/** The preset names for the help of {@code --preset} ({@code ${COMPLETION-CANDIDATES}}), read from {@link Presets}. */
public final class PresetNames implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
        return Presets.names().iterator();
    }
}
