package io.dbprovision.apiserver.endpoints;

import com.google.protobuf.Message;
import io.dbprovision.api.codec.KubeCodec;
import io.dbprovision.api.schema.Kind;
import io.dbprovision.api.schema.MessagePaths;
import io.dbprovision.apiserver.registry.ApiException;
import io.dbprovision.apiserver.registry.Objects;
import io.dbprovision.proto.v1alpha1.PrinterColumn;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code meta.k8s.io/v1 Table} output: a Name column (format "name", so kubectl can prefix kinds), the kind's
 * printer columns with their {@code -o wide} priorities, dates printed as ages on the server (kubectl prints cells
 * as they come), and each row's object as kubectl asks for it ({@code includeObject}).
 */
final class Tables {
    private final KubeCodec codec;
    private final Clock clock;

    Tables(KubeCodec codec, Clock clock) {
        this.codec = codec;
        this.clock = clock;
    }

    enum IncludeObject {
        NONE,
        METADATA,
        OBJECT;

        static IncludeObject parse(String value) {
            return switch (value) {
                case "", "PartialObjectMetadata" -> METADATA;
                case "Object" -> OBJECT;
                case "None" -> NONE;
                default ->
                    throw new ApiException.BadRequest(
                            "includeObject must be one of None, Object or PartialObjectMetadata, not \"" + value
                                    + "\"");
            };
        }
    }

    Map<String, Object> table(
            Kind kind, List<Message> items, Map<String, Object> listMeta, boolean withColumns, IncludeObject include) {
        Map<String, Object> table = new LinkedHashMap<>();
        table.put("kind", "Table");
        table.put("apiVersion", "meta.k8s.io/v1");
        table.put("metadata", listMeta);
        table.put("columnDefinitions", withColumns ? columns(kind) : List.of());
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Message item : items) {
            rows.add(row(kind, item, include));
        }
        table.put("rows", rows);
        return table;
    }

    private static List<Map<String, Object>> columns(Kind kind) {
        List<Map<String, Object>> columns = new ArrayList<>();
        columns.add(column(
                "Name",
                "string",
                "name",
                0,
                "Name must be unique within a namespace. It is required when creating resources."));
        for (PrinterColumn printer : kind.printerColumns()) {
            String type = printer.getType().equals("date") ? "string" : printer.getType();
            columns.add(column(
                    printer.getName(),
                    type,
                    "",
                    printer.getPriority(),
                    printer.getDescription().isEmpty()
                            ? "Custom resource definition column (in JSONPath format): " + printer.getJsonPath()
                            : printer.getDescription()));
        }
        return columns;
    }

    private static Map<String, Object> column(
            String name, String type, String format, int priority, String description) {
        Map<String, Object> column = new LinkedHashMap<>();
        column.put("name", name);
        column.put("type", type);
        column.put("format", format);
        column.put("description", description);
        column.put("priority", priority);
        return column;
    }

    private Map<String, Object> row(Kind kind, Message item, IncludeObject include) {
        List<Object> cells = new ArrayList<>();
        cells.add(Objects.meta(item).getName());
        for (PrinterColumn column : kind.printerColumns()) {
            Object value = MessagePaths.value(item, column.getJsonPath()).orElse(null);
            if (value == null) {
                cells.add(null); // kubectl prints <none>
            } else if (column.getType().equals("date")) {
                cells.add(age(String.valueOf(value)));
            } else {
                cells.add(value);
            }
        }
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("cells", cells);
        switch (include) {
            case METADATA -> row.put("object", partialMetadata(item));
            case OBJECT -> row.put("object", codec.toTree(item));
            case NONE -> {}
        }
        return row;
    }

    Map<String, Object> partialMetadata(Message item) {
        Map<String, Object> partial = new LinkedHashMap<>();
        partial.put("kind", "PartialObjectMetadata");
        partial.put("apiVersion", "meta.k8s.io/v1");
        partial.put("metadata", codec.toTree(item).getOrDefault("metadata", Map.of()));
        return partial;
    }

    private String age(String timestamp) {
        try {
            return HumanDuration.format(
                    Duration.between(OffsetDateTime.parse(timestamp).toInstant(), clock.instant()));
        } catch (RuntimeException e) {
            return timestamp;
        }
    }
}
