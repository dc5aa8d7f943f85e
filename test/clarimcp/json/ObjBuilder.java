package clarimcp.json;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;

/** Test-only: builds a Json.Obj step by step, as tests assemble requests and fake answers (the product uses Json.obj). */
public final class ObjBuilder {
    private final LinkedHashMap<String, Object> members = new LinkedHashMap<>();

    /** value as Json.of takes it; a repeated key or a null value is a mistake in the test. */
    public ObjBuilder put(String key, Object value) {
        Objects.requireNonNull(value, key);
        if (members.putIfAbsent(key, value) != null) throw new IllegalArgumentException("duplicate key: " + key);
        return this;
    }

    public ObjBuilder putIfPresent(String key, Object value) {
        return value == null ? this : put(key, value);
    }

    public Json.Obj build() {
        return (Json.Obj) Json.of(members);
    }

    public static Json.Arr arr(Json... items) {
        return new Json.Arr(List.of(items));
    }

    public static Json.Arr strings(List<String> values) {
        return (Json.Arr) Json.of(values);
    }
}
