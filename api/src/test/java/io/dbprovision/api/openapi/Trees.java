package io.dbprovision.api.openapi;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/** Navigation in the documents' JSON trees, failing with the path when a step is missing. */
final class Trees {
    private Trees() {}

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object tree, String... keys) {
        Object node = at(tree, keys);
        assertThat(node).as(String.join("/", keys)).isInstanceOf(Map.class);
        return (Map<String, Object>) node;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object tree, String... keys) {
        Object node = at(tree, keys);
        assertThat(node).as(String.join("/", keys)).isInstanceOf(List.class);
        return (List<Object>) node;
    }

    static Object at(Object tree, String... keys) {
        Object node = tree;
        List<String> walked = new ArrayList<>();
        for (String key : keys) {
            walked.add(key);
            assertThat(node).as("parent of %s", String.join("/", walked)).isInstanceOf(Map.class);
            node = ((Map<?, ?>) node).get(key);
            assertThat(node).as(String.join("/", walked)).isNotNull();
        }
        return node;
    }

    /** Calls back with every object in the tree under its key, depth first. */
    static void forEachObject(Object tree, String key, BiConsumer<String, Map<?, ?>> visitor) {
        if (tree instanceof Map<?, ?> map) {
            visitor.accept(key, map);
            map.forEach((k, v) -> forEachObject(v, (String) k, visitor));
        } else if (tree instanceof List<?> list) {
            list.forEach(item -> forEachObject(item, key, visitor));
        }
    }
}
