package io.dbprovision.provisioner.engine;

import io.dbprovision.proto.v1alpha1.EngineType;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The engines this provisioner serves, by engine type. It is built once from the engine implementations (one per
 * package), so adding an engine is one more element of the list and nothing else changes; a type no engine claims is
 * refused as {@link EngineException.Unsupported} before anything connects.
 */
public final class Engines {
    private final Map<EngineType, Engine> byType = new EnumMap<>(EngineType.class);

    public Engines(List<? extends Engine> engines) {
        for (Engine engine : engines) {
            for (EngineType type : engine.types()) {
                Engine previous = byType.putIfAbsent(type, engine);
                if (previous != null) {
                    throw new IllegalArgumentException("engine type " + type + " is served by both "
                            + previous.getClass().getName() + " and "
                            + engine.getClass().getName());
                }
            }
        }
    }

    /** The engine serving a type; {@link EngineException.Unsupported} for a type none serves. */
    public Engine engine(EngineType type) {
        Engine engine = byType.get(type);
        if (engine == null) {
            throw new EngineException.Unsupported("engine " + describe(type) + " is not supported");
        }
        return engine;
    }

    public boolean supports(EngineType type) {
        return byType.containsKey(type);
    }

    private static String describe(EngineType type) {
        return type == null ? "(none)" : type.name().replace("ENGINE_TYPE_", "").toLowerCase(java.util.Locale.ROOT);
    }
}
