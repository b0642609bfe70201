package dev.restvisor.service.runtime;

import dev.restvisor.service.store.DefinitionStore;
import dev.restvisor.service.store.StoreException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * VM definitions kept in the catalog as JSON of {@link VmSpec}. Members added to VmSpec later read
 * as absent from older documents; members dropped are ignored.
 */
@Component
class StoredVmDefinitions implements VmDefinitions {
    private static final Logger LOG = LoggerFactory.getLogger(StoredVmDefinitions.class);
    private static final JsonMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private final DefinitionStore store;

    StoredVmDefinitions(DefinitionStore store) {
        this.store = store;
    }

    static String toJson(VmSpec spec) {
        return JSON.writeValueAsString(spec);
    }

    static VmSpec fromJson(String json) {
        return JSON.readValue(json, VmSpec.class);
    }

    @Override
    public void save(String id, VmSpec spec, Instant createdAt) {
        try {
            store.save(id, spec.name(), toJson(spec), createdAt, imagesOf(spec));
        } catch (StoreException e) {
            throw CatalogError.of(e);
        }
    }

    @Override
    public void delete(String id) {
        try {
            store.delete(id);
        } catch (StoreException e) {
            throw CatalogError.of(e);
        }
    }

    @Override
    public List<Stored> all() {
        List<Stored> out = new ArrayList<>();
        for (DefinitionStore.DefinitionRow row : store.list()) {
            try {
                out.add(new Stored(row.id(), fromJson(row.definition()), row.createdAt()));
            } catch (JacksonException e) {
                LOG.error("the stored definition of VM {} cannot be read and is skipped: {}", row.id(), e.getOriginalMessage());
            }
        }
        return out;
    }

    /** The images a definition names. */
    static Set<String> imagesOf(VmSpec spec) {
        Set<String> ids = new LinkedHashSet<>();
        if (spec.boot() != null) {
            if (spec.boot().image() != null) {
                ids.add(spec.boot().image());
            }
            if (spec.boot().initrdImage() != null) {
                ids.add(spec.boot().initrdImage());
            }
        }
        return ids;
    }
}
